import { describe, expect, it } from 'vitest';
import { makePasswordStrengthChecker } from './strength-pool.js';
import { checkPasswordStrength, type PasswordContext } from './strength.js';

const context: PasswordContext = { language: 'id', username: 'budi.santoso', nickname: 'Budi', phone: '081234567890', nik: '3174055203900001' };

/** How many turns the event loop took while `work` was pending (0 if it ran synchronously on this thread). */
async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let pending = true;
  const spin = () => {
    if (!pending) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const result = await work();
  pending = false;
  return { result, turns };
}

describe('password strength off the event loop', () => {
  it('answers exactly what the rules answer, from a worker thread, while the event loop keeps turning', async () => {
    const checker = makePasswordStrengthChecker({ idleMs: 60_000 });
    try {
      for (const password of ['Budi_Santoso-2024!xyz', 'rahasiaku2024', 'Senja merah di Pelabuhan Ratu 77', 'x'.repeat(200)]) {
        const { result, turns } = await loopTurnsDuring(() => checker.check(password, context));
        expect(result).toEqual(checkPasswordStrength(password, context));
        // zxcvbn ran elsewhere: this thread went round its loop while waiting for the answer.
        expect(turns).toBeGreaterThan(0);
      }
      const en = await checker.check('Budi_Santoso-2024!xyz', { ...context, language: 'en' });
      expect(en.ok).toBe(false);
      expect(!en.ok && en.messages.join(' ')).toMatch(/must not contain your username/);
    } finally {
      await checker.close();
    }
  }, 60_000);

  it('stops its worker after the idle time and starts it again for the next check', async () => {
    const checker = makePasswordStrengthChecker({ idleMs: 300 });
    try {
      expect(checker.running()).toBe(false);
      expect((await checker.check('Senja merah di Pelabuhan Ratu 77', context)).ok).toBe(true);
      expect(checker.running()).toBe(true);
      await expect.poll(() => checker.running(), { timeout: 5_000 }).toBe(false);
      expect((await checker.check('rahasiaku2024', context)).ok).toBe(false);
    } finally {
      await checker.close();
    }
  }, 60_000);
});
