/**
 * Password rules for sign-up and password change.
 *
 *  - 10 to 128 characters (Unicode code points, after NFKC — the form `hash.ts` stores).
 *  - zxcvbn-ts score ≥ 3 ("safely unguessable: moderate protection from offline slow-hash attacks"),
 *    with the common password list, English and Indonesian dictionaries, and the member's own
 *    details plus site words as "user inputs" so that guessable personal data lowers the score.
 *  - never CONTAINS (case-insensitively, ignoring spaces, dots, dashes, underscores and other
 *    separators) the username, the nickname, the email's local part, the phone number's last six
 *    digits (and so the whole national number) or any six consecutive digits of the NIK. These are
 *    the first things an attacker who knows the member tries, and zxcvbn alone may still rate
 *    "Budi_Santoso-2024!xyz" as strong.
 *
 * Cost: zxcvbn's dictionary and l33t matching is super-linear in the password length (a 128-char
 * symbol-heavy password took over 3 s with the default options on the development machine). We
 * therefore score only the first 64 characters (`maxLength`) and cap l33t substitutions at 12;
 * 64 characters that score below 3 on their own are weak whatever follows them. Levenshtein
 * matching is off: it compares the whole password with every dictionary word (≈ 0.3–0.6 s per call)
 * and added nothing our rules do not already catch. Dictionaries load on first use (≈ 0.3 s), not at
 * import, so server start-up does not pay for them.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import * as zxcvbnId from '@zxcvbn-ts/language-id';
import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_MIN_SCORE = 3;

export type PasswordProblem =
  | 'tooShort'
  | 'tooLong'
  | 'tooWeak'
  | 'containsUsername'
  | 'containsNickname'
  | 'containsEmail'
  | 'containsPhone'
  | 'containsNik';

/** zxcvbn's feedback keys; texts live under `password.warnings` / `password.suggestions` in the i18n files. */
export const PASSWORD_WARNINGS = [
  'straightRow',
  'keyPattern',
  'simpleRepeat',
  'extendedRepeat',
  'sequences',
  'recentYears',
  'dates',
  'topTen',
  'topHundred',
  'common',
  'similarToCommon',
  'wordByItself',
  'namesByThemselves',
  'commonNames',
  'userInputs',
  'pwned',
] as const;
export type PasswordWarning = (typeof PASSWORD_WARNINGS)[number];

export const PASSWORD_SUGGESTIONS = [
  'l33t',
  'reverseWords',
  'allUppercase',
  'capitalization',
  'dates',
  'recentYears',
  'associatedYears',
  'sequences',
  'repeated',
  'longerKeyboardPattern',
  'anotherWord',
  'useWords',
  'noNeed',
  'pwned',
] as const;
export type PasswordSuggestion = (typeof PASSWORD_SUGGESTIONS)[number];

export type PasswordScore = 0 | 1 | 2 | 3 | 4;

export interface PasswordContext {
  username?: string | null | undefined;
  nickname?: string | null | undefined;
  email?: string | null | undefined;
  /** Any format: E.164 (+6281234567890), national (081234567890) or with separators. */
  phone?: string | null | undefined;
  /** Indonesian national identity number (16 digits). */
  nik?: string | null | undefined;
  language: Language;
}

export type PasswordStrengthResult =
  | { ok: true; score: PasswordScore }
  | {
      ok: false;
      reasons: PasswordProblem[];
      score: PasswordScore;
      /** zxcvbn's feedback keys (meaningful mainly with 'tooWeak'). */
      feedback: { warning: PasswordWarning | null; suggestions: PasswordSuggestion[] };
      /** Member-facing texts in `context.language`: one per reason, then zxcvbn's warning and suggestions. */
      messages: string[];
    };

/** Words that make a password guessable for this site whoever the member is. */
const SITE_WORDS = ['kenalan', 'kenalanapp', 'kenalan.id'];

const ZXCVBN_MAX_LENGTH = 64;
const ZXCVBN_L33T_MAX_SUBSTITUTIONS = 12;
/** Beyond this many UTF-16 units the input cannot normalise to ≤ 128 code points we would accept. */
const RAW_LENGTH_CAP = PASSWORD_MAX_LENGTH * 8;

let factory: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary, ...zxcvbnId.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    useLevenshteinDistance: false,
    l33tMaxSubstitutions: ZXCVBN_L33T_MAX_SUBSTITUTIONS,
    maxLength: ZXCVBN_MAX_LENGTH,
  });
  return factory;
}

/** Builds the dictionaries now (≈ 0.3 s) instead of during the first sign-up. */
export function warmUpPasswordStrength(): void {
  zxcvbn();
}

/** Lower case, NFKC, letters and digits only: "Budi_Santoso-2024" → "budisantoso2024". */
function fold(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function digitsOf(value: string): string {
  return value.normalize('NFKC').replace(/\D/g, '');
}

function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 512) : '';
}

function emailLocalParts(email: string): string[] {
  const at = email.lastIndexOf('\u0040');
  const local = at >= 0 ? email.slice(0, at) : email;
  const plus = local.indexOf('+');
  return plus > 0 ? [local, local.slice(0, plus)] : [local];
}

/** The national significant number: "+62 812-3456-7890", "6281234567890" and "081234567890" → "81234567890". */
function nationalNumber(phone: string): string {
  const digits = digitsOf(phone);
  if (phone.trim().startsWith('+') || digits.startsWith('62')) {
    return digits.startsWith('62') ? digits.slice(2) : digits;
  }
  return digits.startsWith('0') ? digits.slice(1) : digits;
}

function phoneNeedles(phone: string): string[] {
  const national = nationalNumber(phone);
  // The last six digits are part of the full national number, so refusing them refuses both.
  if (national.length >= 6) return [national.slice(-6)];
  return national.length >= 3 ? [national] : [];
}

function nikNeedles(nik: string): string[] {
  const digits = digitsOf(nik);
  const needles = new Set<string>();
  for (let i = 0; i + 6 <= digits.length; i++) needles.add(digits.slice(i, i + 6));
  return [...needles];
}

function userInputs(context: PasswordContext): string[] {
  const inputs = new Set<string>(SITE_WORDS);
  const add = (value: string) => {
    const lower = value.normalize('NFKC').toLowerCase().trim();
    if (lower.length < 3) return;
    inputs.add(lower);
    inputs.add(fold(lower));
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) inputs.add(part);
  };
  add(text(context.username));
  add(text(context.nickname));
  const email = text(context.email);
  if (email) {
    add(email);
    for (const local of emailLocalParts(email)) add(local);
  }
  const phone = text(context.phone);
  if (phone) {
    const national = nationalNumber(phone);
    add(digitsOf(phone));
    add(national);
    add(`0${national}`);
  }
  const nik = digitsOf(text(context.nik));
  if (nik) add(nik);
  inputs.delete('');
  return [...inputs];
}

function containsProblems(password: string, context: PasswordContext): PasswordProblem[] {
  const folded = fold(password);
  const problems: PasswordProblem[] = [];
  const containsAny = (needles: string[]) => needles.some((n) => n.length > 0 && folded.includes(n));

  const username = fold(text(context.username));
  if (codePointLength(username) >= 3 && folded.includes(username)) problems.push('containsUsername');

  const nickname = fold(text(context.nickname));
  if (codePointLength(nickname) >= 3 && folded.includes(nickname)) problems.push('containsNickname');

  const email = text(context.email);
  if (email) {
    const locals = emailLocalParts(email)
      .map(fold)
      .filter((local) => codePointLength(local) >= 3);
    if (containsAny(locals)) problems.push('containsEmail');
  }

  const phone = text(context.phone);
  if (phone && containsAny(phoneNeedles(phone))) problems.push('containsPhone');

  const nik = text(context.nik);
  if (nik && containsAny(nikNeedles(nik))) problems.push('containsNik');

  return problems;
}

function isWarning(value: unknown): value is PasswordWarning {
  return (PASSWORD_WARNINGS as readonly unknown[]).includes(value);
}
function isSuggestion(value: unknown): value is PasswordSuggestion {
  return (PASSWORD_SUGGESTIONS as readonly unknown[]).includes(value);
}

function clampScore(score: number): PasswordScore {
  return (Number.isInteger(score) && score >= 0 && score <= 4 ? score : 0) as PasswordScore;
}

/**
 * Checks a candidate password against Kenalan's rules. Never throws; the same `password` string
 * (before normalisation) is what `hashPassword` should receive when the result is ok.
 */
export function checkPasswordStrength(password: string, context: PasswordContext): PasswordStrengthResult {
  const language: Language = context?.language === 'en' ? 'en' : 'id';
  const raw = typeof password === 'string' ? password : '';
  const normalized = (raw.length > RAW_LENGTH_CAP ? raw.slice(0, RAW_LENGTH_CAP) : raw).normalize('NFKC');
  const length = raw.length > RAW_LENGTH_CAP ? Number.POSITIVE_INFINITY : codePointLength(normalized);
  const ctx: PasswordContext = context ?? { language };

  const reasons: PasswordProblem[] = [];
  if (length < PASSWORD_MIN_LENGTH) reasons.push('tooShort');
  if (length > PASSWORD_MAX_LENGTH) reasons.push('tooLong');

  let score: PasswordScore = 0;
  let feedback: { warning: PasswordWarning | null; suggestions: PasswordSuggestion[] } = { warning: null, suggestions: [] };
  if (normalized.length > 0) {
    try {
      const result = zxcvbn().check(normalized, userInputs(ctx));
      score = clampScore(result.score);
      const warning = result.feedback.warning;
      feedback = {
        warning: isWarning(warning) ? warning : null,
        suggestions: result.feedback.suggestions.filter(isSuggestion),
      };
    } catch {
      score = 0;
    }
  }
  if (score < PASSWORD_MIN_SCORE) reasons.push('tooWeak');
  reasons.push(...containsProblems(normalized, ctx));

  if (reasons.length === 0) return { ok: true, score };
  if (!reasons.includes('tooWeak')) feedback = { warning: null, suggestions: [] };
  return { ok: false, reasons, score, feedback, messages: passwordMessages(reasons, feedback, language) };
}

/** Member-facing texts for a refusal, from the `password` section of the i18n files. */
export function passwordMessages(
  reasons: readonly PasswordProblem[],
  feedback: { warning: PasswordWarning | null; suggestions: readonly PasswordSuggestion[] },
  language: Language,
): string[] {
  const params = { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH };
  const messages = reasons.map((reason) => t(language, `password.problems.${reason}`, params));
  if (feedback.warning) messages.push(t(language, `password.warnings.${feedback.warning}`));
  for (const suggestion of feedback.suggestions) messages.push(t(language, `password.suggestions.${suggestion}`));
  return messages;
}
