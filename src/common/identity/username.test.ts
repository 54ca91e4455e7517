import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IMPERSONATION_WORDS,
  RESERVED_USERNAMES,
  USERNAME_ERRORS,
  isReservedUsername,
  normalizeUsername,
  validateUsername,
} from './username.js';
import { USERNAME_MESSAGE_KEYS, usernameMessageKey } from './messages.js';

describe('normalizeUsername', () => {
  it.each([
    ['Budi', 'budi'],
    ['  Siti.Rahma  ', 'siti.rahma'],
    ['@dewi_92', 'dewi_92'],
    [' @ @Agus ', 'agus'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeUsername(input)).toBe(expected);
  });
});

describe('validateUsername: valid', () => {
  it.each([
    ['budi', 'budi'],
    ['Budi_Santoso', 'budi_santoso'],
    ['siti.rahma92', 'siti.rahma92'],
    ['@Dewi ', 'dewi'],
    ['abc', 'abc'],
    ['a'.repeat(30), 'a'.repeat(30)],
    ['ab_', 'ab_'],
    ['x.y_z', 'x.y_z'],
    // Reserved words followed by a letter are ordinary names.
    ['rooted', 'rooted'],
    ['helpful', 'helpful'],
    ['informatika', 'informatika'],
    ['administrasi.kampus', 'administrasi.kampus'],
    ['supporter_persija', 'supporter_persija'],
    ['budi_kenalanku', 'budi_kenalanku'],
  ])('%j → %j', (input, username) => {
    expect(validateUsername(input)).toEqual({ ok: true, username });
  });
});

describe('validateUsername: errors', () => {
  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['@', 'required'],
    ['ab', 'length'],
    ['a'.repeat(31), 'length'],
    ['budi santoso', 'characters'],
    ['budi-santoso', 'characters'],
    ['budi!', 'characters'],
    ['bùdi', 'characters'],
    ['budi\u200b', 'characters'], // zero-width space
    ['budi..santoso', 'characters'],
    ['budi.', 'characters'],
    ['budi@kenalan', 'characters'],
    ['1budi', 'start'],
    ['_budi', 'start'],
    ['.budi', 'start'],
    ['123', 'start'],
    ['admin', 'reserved'],
    ['ADMIN', 'reserved'],
    ['Administrator', 'reserved'],
    ['root', 'reserved'],
    ['kenalan', 'reserved'],
    ['support', 'reserved'],
    ['bantuan', 'reserved'],
    ['dukungan', 'reserved'],
    ['admin_kenalan', 'reserved'],
    ['api', 'reserved'],
    ['www', 'reserved'],
    // Prefix rule: reserved word of 4+ letters followed by digits or separators.
    ['admin1', 'reserved'],
    ['admin_', 'reserved'],
    ['support.123', 'reserved'],
    ['bantuan2', 'reserved'],
    ['kenalan_official', 'reserved'],
    ['help_desk', 'reserved'],
    ['security.team', 'reserved'],
    // Impersonation words anywhere as a segment.
    ['tim_kenalan', 'reserved'],
    ['budi.admin', 'reserved'],
    ['cs2official', 'reserved'],
    ['info.resmi', 'reserved'],
  ])('%j → %s', (input, error) => {
    expect(validateUsername(input)).toEqual({ ok: false, error });
  });

  it('does not throw on non-string input from untyped callers', () => {
    expect(validateUsername(undefined as unknown as string)).toEqual({ ok: false, error: 'required' });
    expect(validateUsername(42 as unknown as string)).toEqual({ ok: false, error: 'required' });
  });
});

describe('reserved list', () => {
  it('has at least 30 entries, including Indonesian ones, all already normalized', () => {
    expect(RESERVED_USERNAMES.length).toBeGreaterThanOrEqual(30);
    for (const word of ['admin', 'administrator', 'root', 'support', 'kenalan', 'staff', 'moderator', 'help', 'security', 'privacy', 'api', 'www', 'mail', 'system', 'official', 'cs', 'bantuan', 'dukungan', 'admin_kenalan']) {
      expect(RESERVED_USERNAMES).toContain(word);
    }
    expect(new Set(RESERVED_USERNAMES).size).toBe(RESERVED_USERNAMES.length);
    for (const word of [...RESERVED_USERNAMES, ...IMPERSONATION_WORDS]) expect(normalizeUsername(word)).toBe(word);
  });

  it('refuses every reserved name that is otherwise valid', () => {
    for (const word of RESERVED_USERNAMES) {
      expect(isReservedUsername(word)).toBe(true);
      if (word.length >= 3) expect(validateUsername(word)).toEqual({ ok: false, error: 'reserved' });
    }
  });
});

describe('messages', () => {
  it('has a key for every username error', () => {
    for (const error of USERNAME_ERRORS) expect(usernameMessageKey(error)).toBe(`identity.username.${error}`);
    expect(Object.keys(USERNAME_MESSAGE_KEYS).sort()).toEqual([...USERNAME_ERRORS].sort());
  });
});

describe('properties', () => {
  const knownErrors = new Set<string>(USERNAME_ERRORS);
  const usernameLike = fc
    .array(fc.constantFrom('a', 'b', 'K', 'z', '0', '9', '.', '_', ' ', '@', '-'), { maxLength: 34 })
    .map((chars) => chars.join(''));
  const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), usernameLike);

  it('normalizes idempotently', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const once = normalizeUsername(input);
        expect(normalizeUsername(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws; ok results are normalized, valid and stable', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const result = validateUsername(input);
        if (!result.ok) {
          expect(knownErrors.has(result.error)).toBe(true);
          return;
        }
        expect(result.username).toBe(normalizeUsername(input));
        expect(result.username).toMatch(/^[a-z][a-z0-9._]{2,29}$/);
        expect(result.username).not.toMatch(/\.\.|\.$/);
        expect(validateUsername(result.username)).toEqual(result);
        expect(validateUsername(result.username.toUpperCase())).toEqual(result);
      }),
      { numRuns: 3000 },
    );
  });

  it('names matching the pattern are accepted unless reserved', () => {
    const wellFormed = fc
      .stringMatching(/^[a-z][a-z0-9_]{2,20}(\.[a-z0-9_]{1,7})?$/)
      .filter((name) => name.length <= 30);
    fc.assert(
      fc.property(wellFormed, (name) => {
        const result = validateUsername(name);
        expect(result).toEqual(isReservedUsername(name) ? { ok: false, error: 'reserved' } : { ok: true, username: name });
      }),
      { numRuns: 2000 },
    );
  });
});
