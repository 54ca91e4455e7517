import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PHONE_ERRORS, maskPhone, normalizePhone, type PhoneResult } from './phone.js';
import { PHONE_MESSAGE_KEYS, phoneMessageKey } from './messages.js';

const BULLET = '\u2022';
const MIDDLE = `${BULLET.repeat(4)} ${BULLET.repeat(4)}`;

function expectOk(result: PhoneResult): Extract<PhoneResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result;
}

describe('normalizePhone: Indonesian numbers (default country ID)', () => {
  it.each([
    ['0812 3456 7890'],
    ['081234567890'],
    ['0812-3456-7890'],
    ['0812.3456.7890'],
    ['(0812) 3456 7890'],
    ['+62 812-3456-7890'],
    ['+6281234567890'],
    ['6281234567890'],
    ['81234567890'],
    ['+62 0812 3456 7890'],
    ['+62 (0)812 3456 7890'],
    ['(+62) 812 3456 7890'],
    ['0062 812 3456 7890'],
    ['  0812 3456 7890  '],
  ])('%j → +6281234567890', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164: '+6281234567890', country: 'ID', national: '0812-3456-7890' });
  });

  it.each([
    ['0811 2345 678', '+628112345678'], // Telkomsel, 11 digits
    ['0857 1234 5678', '+6285712345678'], // Indosat
    ['0817 1234 5678', '+6281712345678'], // XL
    ['0896 1234 5678', '+6289612345678'], // Tri
    ['0881 1234 5678', '+6288112345678'], // Smartfren
  ])('accepts operator prefix %j', (input, e164) => {
    expect(expectOk(normalizePhone(input)).e164).toBe(e164);
  });
});

describe('normalizePhone: international numbers', () => {
  it.each([
    ['+44 7400 123456', '+447400123456', 'GB', '07400 123456'],
    ['+65 8123 4567', '+6581234567', 'SG', '8123 4567'],
    ['+60 12-345 6789', '+60123456789', 'MY', '012-345 6789'],
    ['+61 412 345 678', '+61412345678', 'AU', '0412 345 678'],
    ['+81 90 1234 5678', '+819012345678', 'JP', '090-1234-5678'],
    ['0044 7400 123456', '+447400123456', 'GB', '07400 123456'],
  ])('%j → %s', (input, e164, country, national) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164, country, national });
  });

  it('accepts FIXED_LINE_OR_MOBILE (US numbers cannot be told apart)', () => {
    expect(normalizePhone('+1 650 253 0000')).toEqual({ ok: true, e164: '+16502530000', country: 'US', national: '(650) 253-0000' });
  });

  it('rejects the UK drama range +44 7700 900xxx, which the metadata marks as not assignable', () => {
    expect(normalizePhone('+44 7700 900123')).toEqual({ ok: false, error: 'invalid' });
  });
});

describe('normalizePhone: errors', () => {
  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['abc', 'invalid'],
    ['+', 'invalid'],
    ['+62', 'invalid'],
    ['08123', 'invalid'],
    ['0812', 'invalid'],
    ['++6281234567890', 'invalid'],
    ['62+81234567890', 'invalid'],
    ['call 0812 3456 7890', 'invalid'],
    ['0812 3456 7890 ext. 12', 'invalid'],
    ['0812 3456 7890 / 0813 1111 2222', 'invalid'],
    ['0812345678901234567890', 'invalid'],
    ['\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10', 'invalid'], // full-width digits
    ['+44 7700 900123', 'invalid'],
    ['021 5555 1234', 'notMobile'], // Jakarta landline
    ['(021) 5555-1234', 'notMobile'],
    ['0800 1234 567', 'notMobile'], // toll free
    ['+44 20 7946 0018', 'notMobile'], // London landline
  ])('%j → %s', (input, error) => {
    expect(normalizePhone(input)).toEqual({ ok: false, error });
  });

  it('does not throw on non-string input from untyped callers', () => {
    expect(normalizePhone(undefined as unknown as string)).toEqual({ ok: false, error: 'required' });
    expect(normalizePhone(81234567890 as unknown as string)).toEqual({ ok: false, error: 'required' });
  });
});

describe('maskPhone', () => {
  it('keeps only the calling code and the last 4 digits', () => {
    expect(maskPhone('+6281234567890')).toBe(`+62 ${MIDDLE} 7890`);
    expect(maskPhone('+628112345678')).toBe(`+62 ${MIDDLE} 5678`);
    expect(maskPhone('+447400123456')).toBe(`+44 ${MIDDLE} 3456`);
    expect(maskPhone('+16502530000')).toBe(`+1 ${MIDDLE} 0000`);
  });

  it('never throws and shows no digits for junk', () => {
    expect(maskPhone('')).toBe(`${MIDDLE} ${BULLET.repeat(4)}`);
    expect(maskPhone('abc')).toBe(`${MIDDLE} ${BULLET.repeat(4)}`);
    expect(maskPhone('123')).toBe(`${MIDDLE} ${BULLET.repeat(4)}`);
    expect(maskPhone(undefined as unknown as string)).toBe(`${MIDDLE} ${BULLET.repeat(4)}`);
  });
});

describe('messages', () => {
  it('has a key for every phone error', () => {
    for (const error of PHONE_ERRORS) expect(phoneMessageKey(error)).toBe(`identity.phone.${error}`);
    expect(Object.keys(PHONE_MESSAGE_KEYS).sort()).toEqual([...PHONE_ERRORS].sort());
  });
});

describe('properties', () => {
  const knownErrors = new Set<string>(PHONE_ERRORS);
  const separator = fc.constantFrom('', ' ', '-', '.');
  const digits = (min: number, max: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
  const phoneLike = fc
    .array(fc.constantFrom('0', '1', '2', '5', '6', '7', '8', '9', ' ', '-', '+', '(', ')'), { maxLength: 20 })
    .map((chars) => chars.join(''));
  /** Indonesian mobiles: Telkomsel, Indosat, XL, Axis, Tri, Smartfren prefixes, 11–12 digits. */
  const indonesianMobile = fc
    .tuple(
      fc.constantFrom('0811', '0812', '0813', '0821', '0822', '0852', '0853', '0814', '0815', '0816', '0855', '0856', '0857', '0858', '0817', '0818', '0819', '0859', '0877', '0878', '0831', '0832', '0833', '0838', '0895', '0896', '0897', '0898', '0899', '0881', '0882', '0887', '0888', '0889'),
      digits(7, 8),
      separator,
    )
    .map(([prefix, rest, sep]) => `${prefix}${sep}${rest.slice(0, 4)}${sep}${rest.slice(4)}`);

  it('never throws and always returns ok or a known error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), phoneLike), (input) => {
        const result = normalizePhone(input);
        if (result.ok) expect(result.e164).toMatch(/^\+[1-9][0-9]{6,14}$/);
        else expect(knownErrors.has(result.error)).toBe(true);
        expect(typeof maskPhone(input)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts generated Indonesian mobile numbers and re-normalizes them to themselves', () => {
    fc.assert(
      fc.property(indonesianMobile, (input) => {
        const first = expectOk(normalizePhone(input));
        expect(first.country).toBe('ID');
        expect(first.e164).toBe(`+62${input.replace(/[^0-9]/g, '').slice(1)}`);
        expect(normalizePhone(first.e164)).toEqual(first);
        expect(normalizePhone(first.national)).toEqual(first);
        expect(normalizePhone(`+62 ${input}`)).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('any valid normalized phone re-normalizes to itself', () => {
    fc.assert(
      fc.property(fc.oneof(phoneLike, indonesianMobile, fc.tuple(fc.constantFrom('+44 7', '+1 650', '+65 8', '+61 4', '+81 90'), digits(6, 9)).map(([a, b]) => a + b)), (input) => {
        const first = normalizePhone(input);
        if (!first.ok) return;
        expect(normalizePhone(first.e164)).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });

  it('maskPhone never reveals more than the calling code and the last 4 digits', () => {
    fc.assert(
      fc.property(fc.oneof(indonesianMobile, phoneLike), (input) => {
        const result = normalizePhone(input);
        if (!result.ok) return;
        const masked = maskPhone(result.e164);
        const nationalDigits = result.national.replace(/[^0-9]/g, '');
        expect(masked).toMatch(new RegExp(`^\\+[0-9]{1,3} ${MIDDLE} [0-9]{4}$`));
        expect(masked.endsWith(nationalDigits.slice(-4))).toBe(true);
        expect(result.e164.startsWith(masked.split(' ')[0]!)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
