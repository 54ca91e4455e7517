import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPasswordStrength, type PasswordContext } from './strength.js';
import { makePasswordStrengthPool } from './strength-pool.js';

const context: PasswordContext = { username: 'budi_s', nickname: 'Budi', email: 'budi.santoso' + '\u0040' + 'contoh.id', phone: '081234567890', nik: '3171234567890123', language: 'en' };
const fallbacks: unknown[] = [];
const pool = makePasswordStrengthPool({ onFallback: (error) => fallbacks.push(error) });
afterAll(() => pool.close());

describe('password strength on a worker thread', () => {
  it('answers exactly as the check on the calling thread, from the worker (no fallback)', async () => {
    const passwords = ['Senja merah di Pelabuhan Ratu 77', 'password123', 'Budi_Santoso-2024!xyz', 'short', 'kopi-susu-jakarta-2024!', 'x'.repeat(200)];
    const answers = await Promise.all(passwords.map((password) => pool.check(password, context)));
    expect(answers).toEqual(passwords.map((password) => checkPasswordStrength(password, context)));
    expect(answers.map((a) => a.ok)).toEqual([true, false, false, false, true, false]);
    // The refusals carry their texts in the member's language, built in the worker.
    expect(answers[2]!.ok === false && answers[2]!.messages.join(' ')).toMatch(/username|nickname/i);
    expect(fallbacks).toEqual([]);
  });

  it('sends only the text fields of the context, so an odd value cannot jam the worker', async () => {
    const odd = { ...context, extra: () => undefined } as unknown as PasswordContext;
    expect(await pool.check('password123', odd)).toEqual(checkPasswordStrength('password123', context));
    expect(await pool.check('Senja merah di Pelabuhan Ratu 77', context)).toEqual(checkPasswordStrength('Senja merah di Pelabuhan Ratu 77', context));
    expect(fallbacks).toEqual([]);
  });

  it('checks on the calling thread when the worker fails, with the same answer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-strength-'));
    const broken = path.join(dir, 'broken.cjs');
    fs.writeFileSync(broken, "throw new Error('this worker cannot start');\n");
    const failed: unknown[] = [];
    const brokenPool = makePasswordStrengthPool({ script: broken, onFallback: (error) => failed.push(error) });
    try {
      expect(await brokenPool.check('password123', context)).toEqual(checkPasswordStrength('password123', context));
      expect(failed).toHaveLength(1);
      expect(String(failed[0])).toContain('cannot start');
    } finally {
      await brokenPool.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
