import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import en from '../i18n/en.json' with { type: 'json' };
import id from '../i18n/id.json' with { type: 'json' };
import {
  NIK_ERRORS,
  PROVINCES,
  checkNikAgainst,
  isValidNik,
  maskNik,
  normalizeNik,
  parseNik,
  provinceByCode,
  type NikInfo,
  type NikResult,
} from './nik.js';
import { IDENTITY_MESSAGE_KEYS, NIK_MESSAGE_KEYS, nikMessageKey } from './messages.js';

const TODAY = '2025-06-15';
const opts = { today: TODAY };
const BULLET = '\u2022';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Builds a NIK from its parts (no validation). */
function buildNik(parts: {
  province: string;
  regency: number;
  district: number;
  year: number;
  month: number;
  day: number;
  female: boolean;
  serial: number;
}): string {
  const day = parts.female ? parts.day + 40 : parts.day;
  return `${parts.province}${pad(parts.regency)}${pad(parts.district)}${pad(day)}${pad(parts.month)}${pad(parts.year % 100)}${pad(parts.serial, 4)}`;
}

function expectOk(result: NikResult): NikInfo {
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result;
}

function expectError(input: string, today: string | Date = TODAY): string {
  const result = parseNik(input, { today });
  if (result.ok) throw new Error(`expected an error for ${JSON.stringify(input)}`);
  return result.error;
}

describe('parseNik: valid NIKs', () => {
  it('parses a male NIK from DKI Jakarta', () => {
    const info = expectOk(parseNik('3174051203900001', opts));
    expect(info).toEqual({
      ok: true,
      nik: '3174051203900001',
      province: { code: '31', name: 'DKI Jakarta' },
      birthDate: '1990-03-12',
      sex: 'male',
      last4: '0001',
    });
  });

  it('parses a female NIK (day + 40) from Jawa Barat', () => {
    const info = expectOk(parseNik('3273015208950123', opts));
    expect(info.province).toEqual({ code: '32', name: 'Jawa Barat' });
    expect(info.birthDate).toBe('1995-08-12');
    expect(info.sex).toBe('female');
    expect(info.last4).toBe('0123');
  });

  it('accepts the extreme female days 41 and 71', () => {
    expect(expectOk(parseNik('3578014101900001', opts))).toMatchObject({ birthDate: '1990-01-01', sex: 'female' });
    expect(expectOk(parseNik('3578017101900001', opts))).toMatchObject({ birthDate: '1990-01-31', sex: 'female' });
  });

  it('accepts one of the newest Papua provinces (96 Papua Barat Daya)', () => {
    expect(expectOk(parseNik('9671011708010002', opts)).province).toEqual({ code: '96', name: 'Papua Barat Daya' });
  });

  it.each([
    ['3174 0512 0390 0001'],
    ['3174.0512.0390.0001'],
    ['3174-0512-0390-0001'],
    ['  3174051203900001  '],
    ['3174\u20130512\u20130390\u20130001'],
    ['31.74.05 120390-0001'],
    ['3174\u00a00512\t0390 0001'],
  ])('normalizes separators in %j', (input) => {
    expect(expectOk(parseNik(input, opts)).nik).toBe('3174051203900001');
    expect(normalizeNik(input).trim()).toBe('3174051203900001');
  });

  it('has all 38 provinces with unique codes', () => {
    expect(PROVINCES).toHaveLength(38);
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(38);
    expect(provinceByCode('51')?.name).toBe('Bali');
    expect(provinceByCode('20')).toBeUndefined();
  });
});

describe('parseNik: century rule', () => {
  it('reads YY as 20YY unless that date would be after today', () => {
    expect(expectOk(parseNik('3174051506250001', opts)).birthDate).toBe('2025-06-15'); // today itself
    expect(expectOk(parseNik('3174051606250001', opts)).birthDate).toBe('1925-06-16'); // tomorrow → 1925
    expect(expectOk(parseNik('3174050101050001', opts)).birthDate).toBe('2005-01-01');
    expect(expectOk(parseNik('3174050101990001', opts)).birthDate).toBe('1999-01-01');
    expect(expectOk(parseNik('3174050101260001', opts)).birthDate).toBe('1926-01-01');
  });

  it('moves with the reference date', () => {
    expect(expectOk(parseNik('3174050101050001', { today: '2004-12-31' })).birthDate).toBe('1905-01-01');
    expect(expectOk(parseNik('3174050101050001', { today: '2005-01-01' })).birthDate).toBe('2005-01-01');
  });

  it('checks 29 February on the resolved year', () => {
    expect(expectOk(parseNik('3174052902000001', opts)).birthDate).toBe('2000-02-29');
    expect(expectOk(parseNik('3174056902040001', opts))).toMatchObject({ birthDate: '2004-02-29', sex: 'female' });
    expect(expectError('3174052902010001')).toBe('birthDate');
    // Before 2000-02-29, "00" means 1900, which was not a leap year.
    expect(expectError('3174052902000001', '1999-12-31')).toBe('birthDate');
  });

  it('reads a Date reference in WIB (UTC+7)', () => {
    // 2025-06-14 18:00 UTC is already 2025-06-15 01:00 in Jakarta.
    expect(expectOk(parseNik('3174051506250001', { today: new Date('2025-06-14T18:00:00Z') })).birthDate).toBe('2025-06-15');
    expect(expectOk(parseNik('3174051506250001', { today: new Date('2025-06-14T16:59:59Z') })).birthDate).toBe('1925-06-15');
  });

  it('rejects a malformed reference date (programming error)', () => {
    expect(() => parseNik('3174051203900001', { today: '15-06-2025' })).toThrow(TypeError);
    expect(() => parseNik('3174051203900001', { today: new Date(Number.NaN) })).toThrow(TypeError);
  });
});

describe('parseNik: errors', () => {
  it.each([
    ['', 'required'],
    ['    ', 'required'],
    [' - . - ', 'required'],
    ['317405120390000A', 'digits'],
    ['3174/0512/0390/0001', 'digits'],
    ['\uff13\uff11\uff17\uff14051203900001', 'digits'], // full-width digits
    ['\u0663\u0661\u0667\u0664051203900001', 'digits'], // Arabic-Indic digits
    ['317405120390001', 'length'],
    ['31740512039000011', 'length'],
    ['12', 'length'],
    ['0074051203900001', 'province'],
    ['2074051203900001', 'province'],
    ['3774051203900001', 'province'],
    ['9974051203900001', 'province'],
    ['3100051203900001', 'region'],
    ['3174001203900001', 'region'],
    ['3174050003900001', 'birthDate'], // day 00
    ['3174053203900001', 'birthDate'], // day 32
    ['3174054003900001', 'birthDate'], // day 40 (female 0)
    ['3174057203900001', 'birthDate'], // day 72 (female 32)
    ['3174051200900001', 'birthDate'], // month 00
    ['3174051213900001', 'birthDate'], // month 13
    ['3174053104900001', 'birthDate'], // 31 April
    ['3174057104900001', 'birthDate'], // female 31 April
    ['3174051203900000', 'serial'],
  ])('%j → %s', (input, error) => {
    expect(expectError(input)).toBe(error);
    expect(isValidNik(input, opts)).toBe(false);
  });

  it('does not throw on non-string input from untyped callers', () => {
    expect(parseNik(undefined as unknown as string, opts)).toEqual({ ok: false, error: 'required' });
    expect(parseNik(12345 as unknown as string, opts)).toEqual({ ok: false, error: 'required' });
  });
});

describe('checkNikAgainst', () => {
  const male = expectOk(parseNik('3174051203900001', opts));
  const female = expectOk(parseNik('3273015208950123', opts));

  it('reports nothing when date of birth and gender match', () => {
    expect(checkNikAgainst(male, { dateOfBirth: '1990-03-12', gender: 'male' })).toEqual([]);
    expect(checkNikAgainst(female, { dateOfBirth: '1995-08-12', gender: 'female' })).toEqual([]);
  });

  it('reports a date-of-birth mismatch', () => {
    expect(checkNikAgainst(male, { dateOfBirth: '1990-12-03', gender: 'male' })).toEqual(['birthDateMismatch']);
  });

  it('reports a gender mismatch only for female/male', () => {
    expect(checkNikAgainst(male, { dateOfBirth: '1990-03-12', gender: 'female' })).toEqual(['genderMismatch']);
    expect(checkNikAgainst(female, { dateOfBirth: '1990-01-01', gender: 'male' })).toEqual(['birthDateMismatch', 'genderMismatch']);
  });

  it.each(['nonbinary', 'other', 'prefer_not_to_say', '', undefined, null])('never reports a gender mismatch for gender %j', (gender) => {
    expect(checkNikAgainst(male, { dateOfBirth: '1990-03-12', gender })).toEqual([]);
    expect(checkNikAgainst(female, { dateOfBirth: '1995-08-12', gender })).toEqual([]);
  });
});

describe('maskNik', () => {
  it('shows only the last 4 digits', () => {
    expect(maskNik('3174051203900001')).toBe(`${BULLET.repeat(12)}0001`);
    expect(maskNik('3174 0512 0390 1234')).toBe(`${BULLET.repeat(12)}1234`);
  });

  it('masks everything when the input is not a 16-digit NIK', () => {
    expect(maskNik('1234')).toBe(BULLET.repeat(16));
    expect(maskNik('31740512039000012')).toBe(BULLET.repeat(16));
    expect(maskNik('')).toBe(BULLET.repeat(16));
  });
});

describe('messages', () => {
  const lookup = (bundle: unknown, key: string): unknown =>
    key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), bundle);

  it('has a key for every NIK error and mismatch', () => {
    for (const error of NIK_ERRORS) expect(nikMessageKey(error)).toBe(`identity.nik.${error}`);
    expect(Object.keys(NIK_MESSAGE_KEYS).sort()).toEqual([...NIK_ERRORS, 'birthDateMismatch', 'genderMismatch'].sort());
  });

  it('has every identity message in both languages, and the same keys', () => {
    for (const key of IDENTITY_MESSAGE_KEYS) {
      expect(typeof lookup(en, key), `en ${key}`).toBe('string');
      expect(typeof lookup(id, key), `id ${key}`).toBe('string');
      expect(lookup(en, key)).not.toBe(lookup(id, key));
    }
    const keys = (node: unknown, prefix = ''): string[] =>
      node && typeof node === 'object'
        ? Object.entries(node).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
        : [prefix.slice(0, -1)];
    expect(keys(id.identity)).toEqual(keys(en.identity));
    expect(keys(en.identity).map((k) => `identity.${k}`).sort()).toEqual([...IDENTITY_MESSAGE_KEYS].sort());
  });
});

describe('properties', () => {
  const knownErrors = new Set<string>(NIK_ERRORS);
  const nikLike = fc
    .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '.', '-', 'x'), { maxLength: 24 })
    .map((chars) => chars.join(''));

  it('never throws and always returns ok or a known error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nikLike, fc.stringMatching(/^[0-9]{16}$/)), (input) => {
        const result = parseNik(input, opts);
        if (result.ok) {
          expect(result.nik).toMatch(/^[0-9]{16}$/);
          expect(result.birthDate <= TODAY).toBe(true);
        } else {
          expect(knownErrors.has(result.error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const validParts = fc.record({
    province: fc.constantFrom(...PROVINCES.map((p) => p.code)),
    regency: fc.integer({ min: 1, max: 99 }),
    district: fc.integer({ min: 1, max: 99 }),
    // Any date in the 100 years ending today is recovered exactly by the century rule.
    birth: fc.date({ min: new Date('1925-06-16T00:00:00Z'), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true }),
    female: fc.boolean(),
    serial: fc.integer({ min: 1, max: 9999 }),
    separator: fc.constantFrom('', ' ', '.', '-'),
  });

  it('round-trips generated valid NIKs', () => {
    fc.assert(
      fc.property(validParts, (parts) => {
        const year = parts.birth.getUTCFullYear();
        const month = parts.birth.getUTCMonth() + 1;
        const day = parts.birth.getUTCDate();
        const nik = buildNik({ ...parts, year, month, day });
        const typed = nik.match(/.{4}/g)!.join(parts.separator);
        const info = expectOk(parseNik(typed, opts));
        expect(info.nik).toBe(nik);
        expect(info.province.code).toBe(parts.province);
        expect(info.birthDate).toBe(parts.birth.toISOString().slice(0, 10));
        expect(info.sex).toBe(parts.female ? 'female' : 'male');
        expect(info.last4).toBe(pad(parts.serial, 4));
        expect(checkNikAgainst(info, { dateOfBirth: info.birthDate, gender: info.sex })).toEqual([]);
        expect(maskNik(typed)).toBe(BULLET.repeat(12) + info.last4);
      }),
      { numRuns: 1000 },
    );
  });

  it('maskNik never reveals more than the last 4 digits', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), nikLike, fc.stringMatching(/^[0-9]{16}$/)), (input) => {
        const masked = maskNik(input);
        expect(masked).toHaveLength(16);
        expect(masked.startsWith(BULLET.repeat(12))).toBe(true);
        const shown = masked.replaceAll(BULLET, '');
        expect(shown.length === 0 || shown.length === 4).toBe(true);
        if (shown.length === 4) expect(normalizeNik(input).endsWith(shown)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
