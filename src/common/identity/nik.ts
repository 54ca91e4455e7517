/**
 * Indonesian NIK (Nomor Induk Kependudukan, the 16-digit number on the KTP) validation.
 *
 * Pure and dependency-free: used by both the sign-up route and the web form.
 *
 * Layout of the 16 digits:
 *
 *   PP RR DD ddmmyy SSSS
 *   │  │  │  │      └ 13–16 serial, never 0000
 *   │  │  │  └ 7–12 birth date DDMMYY; women add 40 to the day (41–71)
 *   │  │  └ 5–6 district (kecamatan), never 00
 *   │  └ 3–4 regency/city (kabupaten/kota), never 00
 *   └ 1–2 province code (one of the 38 provinces)
 *
 * Century rule: the NIK stores only two year digits. Given the reference date `today`, the birth
 * year is 20YY unless 20YY-MM-DD would be after `today`, in which case it is 19YY. (So with today
 * = 2025-06-15, "…150625…" is 2025-06-15, "…160625…" is 1925-06-16, "…010199…" is 1999-01-01.)
 * The calendar check (e.g. 29 February) is done on the resolved year, so 290200 is valid as
 * 2000-02-29 but 290201 is never valid.
 *
 * A `Date` passed as `today` is read as a calendar date in Asia/Jakarta (WIB, UTC+7, no DST);
 * pass a 'YYYY-MM-DD' string to use another calendar date.
 */

export interface Province {
  readonly code: string;
  readonly name: string;
}

/** The 38 provinces and their Kemendagri codes (the first two digits of every NIK). */
export const PROVINCES: readonly Province[] = Object.freeze([
  { code: '11', name: 'Aceh' },
  { code: '12', name: 'Sumatera Utara' },
  { code: '13', name: 'Sumatera Barat' },
  { code: '14', name: 'Riau' },
  { code: '15', name: 'Jambi' },
  { code: '16', name: 'Sumatera Selatan' },
  { code: '17', name: 'Bengkulu' },
  { code: '18', name: 'Lampung' },
  { code: '19', name: 'Kepulauan Bangka Belitung' },
  { code: '21', name: 'Kepulauan Riau' },
  { code: '31', name: 'DKI Jakarta' },
  { code: '32', name: 'Jawa Barat' },
  { code: '33', name: 'Jawa Tengah' },
  { code: '34', name: 'DI Yogyakarta' },
  { code: '35', name: 'Jawa Timur' },
  { code: '36', name: 'Banten' },
  { code: '51', name: 'Bali' },
  { code: '52', name: 'Nusa Tenggara Barat' },
  { code: '53', name: 'Nusa Tenggara Timur' },
  { code: '61', name: 'Kalimantan Barat' },
  { code: '62', name: 'Kalimantan Tengah' },
  { code: '63', name: 'Kalimantan Selatan' },
  { code: '64', name: 'Kalimantan Timur' },
  { code: '65', name: 'Kalimantan Utara' },
  { code: '71', name: 'Sulawesi Utara' },
  { code: '72', name: 'Sulawesi Tengah' },
  { code: '73', name: 'Sulawesi Selatan' },
  { code: '74', name: 'Sulawesi Tenggara' },
  { code: '75', name: 'Gorontalo' },
  { code: '76', name: 'Sulawesi Barat' },
  { code: '81', name: 'Maluku' },
  { code: '82', name: 'Maluku Utara' },
  { code: '91', name: 'Papua' },
  { code: '92', name: 'Papua Barat' },
  { code: '93', name: 'Papua Selatan' },
  { code: '94', name: 'Papua Tengah' },
  { code: '95', name: 'Papua Pegunungan' },
  { code: '96', name: 'Papua Barat Daya' },
].map((p) => Object.freeze(p)));

const PROVINCE_BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

export function provinceByCode(code: string): Province | undefined {
  return PROVINCE_BY_CODE.get(code);
}

export const NIK_ERRORS = ['required', 'length', 'digits', 'province', 'region', 'birthDate', 'serial'] as const;
export type NikError = (typeof NIK_ERRORS)[number];

export type NikSex = 'female' | 'male';

export interface NikInfo {
  /** The 16 digits, separators removed. */
  nik: string;
  province: Province;
  /** YYYY-MM-DD, century resolved against `today`. */
  birthDate: string;
  /** The sex recorded on the KTP (day + 40 for women). */
  sex: NikSex;
  last4: string;
}

export type NikResult = ({ ok: true } & NikInfo) | { ok: false; error: NikError };

export interface ParseNikOptions {
  /** Reference date for the century rule: a Date (read in WIB) or a 'YYYY-MM-DD' string. */
  today: Date | string;
}

/** Separators members type between digit groups: whitespace, dots, hyphen and Unicode dashes. */
const SEPARATORS = /[\s.\-\u2010-\u2015\u2212]/g;
const DIGITS_16 = /^[0-9]{16}$/;
const ASCII_DIGITS = /^[0-9]*$/;

/** Removes the separators a member may have typed; does not otherwise validate. */
export function normalizeNik(input: string): string {
  return String(input).replace(SEPARATORS, '');
}

const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

interface YMD {
  y: number;
  m: number;
  d: number;
}

function referenceDate(today: Date | string): YMD {
  if (typeof today === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
    if (!match) throw new TypeError(`parseNik: today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
    return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
  }
  const time = today.getTime();
  if (!Number.isFinite(time)) throw new TypeError('parseNik: today is an invalid Date');
  const wib = new Date(time + WIB_OFFSET_MS);
  return { y: wib.getUTCFullYear(), m: wib.getUTCMonth() + 1, d: wib.getUTCDate() };
}

function compareYmd(a: YMD, b: YMD): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Parses and validates a NIK. Never throws for any `input`; throws a TypeError only when
 * `options.today` itself is malformed (a programming error).
 *
 * Errors are reported in this order: required, digits, length, province, region, birthDate, serial.
 */
export function parseNik(input: string, options: ParseNikOptions): NikResult {
  const today = referenceDate(options.today);
  const raw = typeof input === 'string' ? input : '';
  if (raw.trim() === '') return { ok: false, error: 'required' };
  const nik = normalizeNik(raw);
  if (nik === '') return { ok: false, error: 'required' };
  if (!ASCII_DIGITS.test(nik)) return { ok: false, error: 'digits' };
  if (nik.length !== 16) return { ok: false, error: 'length' };

  const province = PROVINCE_BY_CODE.get(nik.slice(0, 2));
  if (!province) return { ok: false, error: 'province' };
  if (nik.slice(2, 4) === '00' || nik.slice(4, 6) === '00') return { ok: false, error: 'region' };

  const dayField = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const female = dayField > 40;
  const day = female ? dayField - 40 : dayField;
  if (day < 1 || day > 31 || month < 1 || month > 12) return { ok: false, error: 'birthDate' };
  const in2000s: YMD = { y: 2000 + yy, m: month, d: day };
  const year = compareYmd(in2000s, today) > 0 ? 1900 + yy : 2000 + yy;
  if (day > daysInMonth(year, month)) return { ok: false, error: 'birthDate' };

  if (nik.slice(12) === '0000') return { ok: false, error: 'serial' };

  return {
    ok: true,
    nik,
    province,
    birthDate: `${year}-${pad2(month)}-${pad2(day)}`,
    sex: female ? 'female' : 'male',
    last4: nik.slice(12),
  };
}

/** True when `input` is a valid NIK (see parseNik). */
export function isValidNik(input: string, options: ParseNikOptions): boolean {
  return parseNik(input, options).ok;
}

export const NIK_MISMATCHES = ['birthDateMismatch', 'genderMismatch'] as const;
export type NikMismatch = (typeof NIK_MISMATCHES)[number];

export interface NikProfileFacts {
  /** The member's date of birth as entered, YYYY-MM-DD. */
  dateOfBirth: string;
  /** The member's gender as entered; any value is allowed (see checkNikAgainst). */
  gender?: string | null | undefined;
}

/**
 * Compares a parsed NIK with what the member entered at sign-up.
 *
 * - birthDateMismatch: `dateOfBirth` is not exactly the NIK's birth date.
 * - genderMismatch: only reported when the member's gender is 'female' or 'male' and differs from
 *   the sex recorded in the NIK. The NIK encodes only the sex on the KTP, so any other gender
 *   value (non-binary, prefer not to say, empty…) is never compared and never causes a mismatch:
 *   a member is not refused just because their gender is not one of the two KTP values.
 *
 * What to do with a mismatch (ask to re-check, manual review) is the caller's policy.
 */
export function checkNikAgainst(parsed: NikInfo, facts: NikProfileFacts): NikMismatch[] {
  const mismatches: NikMismatch[] = [];
  if (facts.dateOfBirth.trim() !== parsed.birthDate) mismatches.push('birthDateMismatch');
  const gender = typeof facts.gender === 'string' ? facts.gender.trim().toLowerCase() : '';
  if ((gender === 'female' || gender === 'male') && gender !== parsed.sex) mismatches.push('genderMismatch');
  return mismatches;
}

const MASK = '\u2022';

/**
 * Masks a NIK for display: '••••••••••••1234'. Only the last 4 digits of a well-formed
 * 16-digit NIK (separators allowed) are shown; anything else is fully masked.
 */
export function maskNik(nik: string): string {
  const digits = typeof nik === 'string' ? normalizeNik(nik) : '';
  if (!DIGITS_16.test(digits)) return MASK.repeat(16);
  return MASK.repeat(12) + digits.slice(12);
}
