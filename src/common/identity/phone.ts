/**
 * Mobile phone numbers for sign-up (we send an SMS code to them).
 *
 * Uses libphonenumber-js with the "max" metadata so that number types (MOBILE, FIXED_LINE…) are
 * known. Numbers without a country code are read as Indonesian: '0812 3456 7890',
 * '+62 812-3456-7890' and '6281234567890' all become '+6281234567890'. International numbers
 * are accepted when written with '+' (or an international prefix such as 00).
 *
 * Pure: no Node-only imports, safe for the web bundle.
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

export const DEFAULT_PHONE_COUNTRY: CountryCode = 'ID';

export const PHONE_ERRORS = ['required', 'invalid', 'notMobile'] as const;
export type PhoneError = (typeof PHONE_ERRORS)[number];

export type PhoneResult =
  | {
      ok: true;
      /** E.164, e.g. '+6281234567890'. Store and compare this. */
      e164: string;
      /** ISO 3166-1 alpha-2 country, undefined for non-geographic numbers. */
      country: string | undefined;
      /** National format for display, e.g. '0812-3456-7890'. */
      national: string;
    }
  | { ok: false; error: PhoneError };

/** Characters a member may type in a phone number: digits, a leading '+', spaces and ( ) - . / */
const ALLOWED = /^\+?[0-9\s().\-/]*$/;
const MAX_INPUT_LENGTH = 40;

function parse(input: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(input, { defaultCountry: DEFAULT_PHONE_COUNTRY, extract: false });
  } catch {
    return undefined;
  }
}

/**
 * Validates and normalizes a mobile number. Accepted types: MOBILE and FIXED_LINE_OR_MOBILE
 * (countries such as the US do not distinguish); anything else valid is 'notMobile'.
 * Never throws.
 */
export function normalizePhone(input: string): PhoneResult {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text === '') return { ok: false, error: 'required' };
  let cleaned = tidy(text);
  if (text.length > MAX_INPUT_LENGTH || !ALLOWED.test(cleaned) || !/[0-9]/.test(cleaned)) return { ok: false, error: 'invalid' };
  // '0062 812…': 00 typed as the international prefix. No Indonesian number starts with 00, so
  // reading a leading 00 as '+' never changes the meaning of a valid local number.
  if (/^00[1-9]/.test(cleaned)) cleaned = tidy(`+${cleaned.slice(2)}`);
  const phone = parse(cleaned);
  if (!phone || !phone.isValid()) return { ok: false, error: 'invalid' };
  const type = phone.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, error: 'notMobile' };
  return { ok: true, e164: phone.number, country: phone.country, national: phone.formatNational() };
}

/**
 * Rewrites two common ways of writing a country code: '(+62) 812…' → '+62 812…', and the
 * Indonesian trunk 0 kept after +62 ('+62 0812…', '+62 (0)812…') → '+62 812…'.
 */
function tidy(text: string): string {
  return text.replace(/^\(\s*\+\s*(\d{1,3})\s*\)/, '+$1 ').replace(/^\+\s*62[\s\-.]*(?:\(\s*0\s*\)|0)/, '+62 ');
}

const MASK = '\u2022';

/**
 * Masks an E.164 number for display, keeping only the country calling code and the last 4 digits:
 * '+6281234567890' → '+62 •••• •••• 7890'. The masked middle always has the same shape so the
 * number's length is not revealed. Never throws; unparseable input is masked entirely except for
 * its last 4 digits when it has at least 8.
 */
export function maskPhone(e164: string): string {
  const masked = `${MASK.repeat(4)} ${MASK.repeat(4)}`;
  const text = typeof e164 === 'string' ? e164.trim() : '';
  const phone = ALLOWED.test(text) && text.length <= MAX_INPUT_LENGTH ? parse(text) : undefined;
  if (phone && phone.nationalNumber.length > 4) {
    return `+${phone.countryCallingCode} ${masked} ${phone.nationalNumber.slice(-4)}`;
  }
  const digits = text.replace(/[^0-9]/g, '');
  return digits.length >= 8 ? `${masked} ${digits.slice(-4)}` : `${masked} ${MASK.repeat(4)}`;
}
