import crypto from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './hash.js';
import { checkPasswordStrength, type PasswordContext, type PasswordProblem } from './strength.js';

/** A password nobody guesses: 16 characters from a 64-symbol alphabet (96 bits). */
function randomPassword(length = 16): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!?#';
  return Array.from(crypto.randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

const email = (local: string, domain = 'contoh.id') => `${local}\u0040${domain}`;

describe('hashPassword / verifyPassword', () => {
  it('round-trips and stores an argon2id PHC string with the chosen parameters', async () => {
    const stored = await hashPassword('Gunung-Rinjani tinggi sekali');
    const { memoryKib, timeCost, parallelism } = ARGON2_PARAMS;
    expect(stored).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryKib},t=${timeCost},p=${parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
    expect(memoryKib).toBeGreaterThanOrEqual(19_456); // OWASP minimum: 19 MiB, t=2, p=1
    expect(timeCost).toBeGreaterThanOrEqual(2);
    expect(await verifyPassword(stored, 'Gunung-Rinjani tinggi sekali')).toBe(true);
    expect(await verifyPassword(stored, 'Gunung-Rinjani tinggi sekal1')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('sama persis 123')).not.toBe(await hashPassword('sama persis 123'));
  });

  it('normalises with NFKC, so composed and decomposed or full-width input verify alike', async () => {
    const stored = await hashPassword('kopi\u00e9 susu １２３');
    expect(await verifyPassword(stored, 'kopie\u0301 susu 123')).toBe(true);
  });

  it('answers false, never throws, for malformed or absurd hashes', async () => {
    for (const bad of [
      '',
      'garbage',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB',
      '$2b$10$abcdefghijklmnopqrstuuMGZ8Sx5dS3Yk0Y1m5tZyDqWqf7JwHrK',
      '$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      await expect(verifyPassword(bad, 'whatever')).resolves.toBe(false);
    }
    await expect(verifyPassword(undefined as unknown as string, 'x')).resolves.toBe(false);
    await expect(verifyPassword(await hashPassword('x'), null as unknown as string)).resolves.toBe(false);
  });

  it('needsRehash: current hashes no, weaker or other algorithms yes', async () => {
    expect(needsRehash(await hashPassword('sekarang'))).toBe(false);
    const weaker = await argon2Hash('lama', { algorithm: 2, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    expect(needsRehash(weaker)).toBe(true);
    expect(await verifyPassword(weaker, 'lama')).toBe(true);
    const fewerPasses = await argon2Hash('lama', { algorithm: 2, memoryCost: ARGON2_PARAMS.memoryKib, timeCost: 1, parallelism: 1 });
    expect(needsRehash(fewerPasses)).toBe(true);
    const argon2i = await argon2Hash('lama', { algorithm: 1, memoryCost: ARGON2_PARAMS.memoryKib, timeCost: 2, parallelism: 1 });
    expect(needsRehash(argon2i)).toBe(true);
    const owaspMinimum = await argon2Hash('lama', { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(needsRehash(owaspMinimum)).toBe(ARGON2_PARAMS.memoryKib > 19_456);
    const stronger = await argon2Hash('lama', { algorithm: 2, memoryCost: 65_536, timeCost: 3, parallelism: 1 });
    expect(needsRehash(stronger)).toBe(false);
    expect(needsRehash('garbage')).toBe(true);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuuMGZ8Sx5dS3Yk0Y1m5tZyDqWqf7JwHrK')).toBe(true);
  });

  it('verifyAgainstDummy always answers false', async () => {
    expect(await verifyAgainstDummy('kenalan-dummy-password-for-timing-equalisation')).toBe(false);
  });
});

describe('checkPasswordStrength', () => {
  const id: PasswordContext = { language: 'id' };
  const reasons = (pw: string, ctx: PasswordContext = id): PasswordProblem[] => {
    const r = checkPasswordStrength(pw, ctx);
    return r.ok ? [] : r.reasons;
  };

  it('refuses "kenalan123" as too weak', () => {
    expect(reasons('kenalan123')).toContain('tooWeak');
  });

  it('refuses "Password1!" (a top password with the usual decorations)', () => {
    const r = checkPasswordStrength('Password1!', id);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons).toEqual(['tooWeak']);
    expect(r.score).toBeLessThan(3);
    expect(r.feedback.warning).not.toBeNull();
  });

  it('accepts random 16-character passwords', () => {
    for (let i = 0; i < 5; i++) {
      const pw = randomPassword();
      const r = checkPasswordStrength(pw, { language: 'en', username: 'budi.santoso' });
      expect(r, pw).toMatchObject({ ok: true });
      expect(r.score).toBeGreaterThanOrEqual(3);
    }
  });

  it('enforces 10 to 128 characters, counted after NFKC', () => {
    expect(reasons('Xy7#kq2!P')).toContain('tooShort');
    expect(reasons(randomPassword(129))).toContain('tooLong');
    expect(reasons(randomPassword(128))).toEqual([]);
    expect(reasons('x'.repeat(100_000))).toContain('tooLong');
    // Ten characters that are each one code point but two UTF-16 units are long enough.
    expect(reasons('😀🦊🐢🍉🚲🌋🎷🧭🪁🦜')).not.toContain('tooShort');
  });

  it('refuses a password containing the username, ignoring case and separators', () => {
    expect(reasons('Budi_Santoso-2024!xyz', { ...id, username: 'budi.santoso' })).toContain('containsUsername');
    expect(reasons('xQ9#budisantosoVw2!', { ...id, username: 'Budi.Santoso' })).toContain('containsUsername');
    expect(reasons('Budi_Santoso-2024!xyz', { ...id, username: 'siti.nur' })).not.toContain('containsUsername');
  });

  it('refuses a password containing the nickname when it has 3 or more characters', () => {
    expect(reasons('Kopi&Ucok-Medan#77', { ...id, nickname: 'Ucok' })).toContain('containsNickname');
    expect(reasons('Kopi&Ucok-Medan#77', { ...id, nickname: 'Uc' })).not.toContain('containsNickname');
  });

  it("refuses a password containing the email's local part", () => {
    expect(reasons('sitinur.ha#Kebun42!', { ...id, email: email('siti.nurhaliza', 'gmail.com') })).not.toContain('containsEmail');
    expect(reasons('Siti-Nurhaliza#Kebun42!', { ...id, email: email('siti.nurhaliza', 'gmail.com') })).toContain('containsEmail');
    expect(reasons('rumah*dewi88*hujan', { ...id, email: email('dewi88+kenalan') })).toContain('containsEmail');
    expect(reasons('Hujan*AB*Deras-di-Bogor', { ...id, email: email('ab') })).not.toContain('containsEmail');
  });

  it("refuses a password containing the phone's last six digits or its national number", () => {
    const phone = '+62 812-3456-7890';
    expect(reasons('Hujan#567890#Bogor', { ...id, phone })).toContain('containsPhone');
    expect(reasons('Hujan#0812-3456-7890#', { ...id, phone })).toContain('containsPhone');
    expect(reasons('Hujan#81234567890x', { ...id, phone: '081234567890' })).toContain('containsPhone');
    expect(reasons('Hujan#67890#Bogor!', { ...id, phone })).not.toContain('containsPhone');
  });

  it('refuses a password containing any six consecutive digits of the NIK', () => {
    const nik = '3171234567890123';
    expect(reasons('Sawah#456789#Hijau', { ...id, nik })).toContain('containsNik');
    expect(reasons('Sawah#3171-23#Hijau', { ...id, nik })).toContain('containsNik');
    expect(reasons('Sawah#31712#Hijau!', { ...id, nik })).not.toContain('containsNik');
  });

  it('personal details lower the zxcvbn score too', () => {
    const pw = 'dewipermatasari88';
    const without = checkPasswordStrength(pw, id).score;
    const withInput = checkPasswordStrength(pw, { ...id, nickname: 'dewi permatasari' }).score;
    expect(withInput).toBeLessThan(without);
  });

  it('uses the Indonesian dictionary: common Indonesian words score lower than random letters', () => {
    const phrase = checkPasswordStrength('sayangkamuselamanya', id);
    const random = checkPasswordStrength('qhrvxkwtpzmjdfgnbls', id);
    expect(random.score).toBe(4);
    expect(phrase.score).toBeLessThan(random.score);
    expect(checkPasswordStrength('rahasiaku2024', id)).toMatchObject({ ok: false, reasons: ['tooWeak'] });
  });

  it('returns member-facing messages in the requested language', () => {
    const idResult = checkPasswordStrength('Budi_Santoso', { username: 'budi.santoso', language: 'id' });
    const enResult = checkPasswordStrength('Budi_Santoso', { username: 'budi.santoso', language: 'en' });
    if (idResult.ok || enResult.ok) throw new Error('expected refusals');
    expect(idResult.messages).toContain('Kata sandi tidak boleh memuat nama pengguna Anda, karena itulah yang pertama kali dicoba oleh orang yang ingin masuk ke akun Anda.');
    expect(enResult.messages.join(' ')).toMatch(/must not contain your username/);
    for (const m of [...idResult.messages, ...enResult.messages]) expect(m).not.toMatch(/^password\./);
    const short = checkPasswordStrength('abc', { language: 'id' });
    if (short.ok) throw new Error('expected refusal');
    expect(short.messages[0]).toContain('10 karakter');
  });

  it('any string and any context give a result, never a throw', () => {
    const optional = fc.option(fc.string({ maxLength: 40 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.record({
          username: optional,
          nickname: optional,
          email: optional,
          phone: optional,
          nik: optional,
          language: fc.constantFrom('id' as const, 'en' as const),
        }),
        (pw, ctx) => {
          const r = checkPasswordStrength(pw, ctx);
          expect(typeof r.ok).toBe('boolean');
          expect([0, 1, 2, 3, 4]).toContain(r.score);
          if (!r.ok) expect(r.reasons.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
