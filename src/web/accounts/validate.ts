import { nikMessageKey, phoneMessageKey, usernameMessageKey } from '../../common/identity/messages.js';
import { checkNikAgainst, parseNik } from '../../common/identity/nik.js';
import { normalizePhone } from '../../common/identity/phone.js';
import { validateUsername } from '../../common/identity/username.js';
import { isMinor, jakartaToday } from '../../common/age.js';

/** The sign-up fields, in the order they appear on the form (and in the error summary). */
export const SIGNUP_FIELDS = [
  'username',
  'nickname',
  'gender',
  'dateOfBirth',
  'nik',
  'email',
  'phone',
  'guardianEmail',
  'guardianPhone',
  'password',
  'photo',
  'acceptPolicy',
] as const;
export type SignUpField = (typeof SIGNUP_FIELDS)[number];

export const GENDERS = ['female', 'male', 'nonbinary', 'unspecified'] as const;

export const NICKNAME_MAX_LENGTH = 40;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export function isSignUpField(value: unknown): value is SignUpField {
  return typeof value === 'string' && (SIGNUP_FIELDS as readonly string[]).includes(value);
}

export interface SignUpValues {
  username: string;
  nickname: string;
  gender: string;
  dateOfBirth: string;
  nik: string;
  email: string;
  phone: string;
  /** Only for members under 18 (see `needsGuardian`). */
  guardianEmail: string;
  guardianPhone: string;
  password: string;
  acceptPolicy: boolean;
}

export const EMPTY_SIGNUP_VALUES: SignUpValues = {
  username: '',
  nickname: '',
  gender: '',
  dateOfBirth: '',
  nik: '',
  email: '',
  phone: '',
  guardianEmail: '',
  guardianPhone: '',
  password: '',
  acceptPolicy: false,
};

/** What the photo input holds, as far as the checks care. */
export interface PhotoFacts {
  size: number;
  type: string;
}

/** An i18n key (with its interpolation values) describing one field's first problem. */
export interface Issue {
  key: string;
  params?: Record<string, string | number>;
}
export type SignUpIssues = Partial<Record<SignUpField, Issue>>;

/** Same rule as the server's. */
const EMAIL = /^[^\s@"<>()[\],;:\\]+@[^\s@"<>()[\],;:\\]+\.[^\s@"<>()[\],;:\\]{2,}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Today as YYYY-MM-DD in Asia/Jakarta (WIB, UTC+7): the server's own rule (src/common/age.ts). */
export function todayInJakarta(now: Date = new Date()): string {
  return jakartaToday(now);
}

/** The guardian fields appear (and are required) as soon as the date of birth makes the person under 18. */
export function needsGuardian(dateOfBirth: string, today: string = todayInJakarta()): boolean {
  const value = dateOfBirth.trim();
  return isCalendarDate(value) && isMinor(value, today);
}

/** The email rule compares addresses as the server does: trimmed, case-insensitive. */
const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The checks the browser can make before sending, with the shared validators. The server checks
 * everything again (and more: username taken, password strength, the photo's contents).
 */
export function validateSignUp(values: SignUpValues, photo: PhotoFacts | null, today: string = todayInJakarta()): SignUpIssues {
  const issues: SignUpIssues = {};

  const username = validateUsername(values.username);
  if (!username.ok) issues.username = { key: usernameMessageKey(username.error) };

  const nickname = values.nickname.trim();
  if (nickname === '') issues.nickname = { key: 'validation.required' };
  else if ([...nickname].length > NICKNAME_MAX_LENGTH) issues.nickname = { key: 'accounts.fields.nicknameLength' };

  if (values.gender === '') issues.gender = { key: 'validation.required' };
  else if (!(GENDERS as readonly string[]).includes(values.gender)) issues.gender = { key: 'validation.choice' };

  const dateOfBirth = values.dateOfBirth.trim();
  const dobValid = isCalendarDate(dateOfBirth);
  if (dateOfBirth === '') issues.dateOfBirth = { key: 'validation.required' };
  else if (!dobValid) issues.dateOfBirth = { key: 'accounts.fields.dateOfBirth' };
  else if (dateOfBirth > today) issues.dateOfBirth = { key: 'accounts.fields.dateOfBirthFuture' };

  const nik = parseNik(values.nik, { today });
  if (!nik.ok) issues.nik = { key: nikMessageKey(nik.error) };
  else if (dobValid) {
    const mismatch = checkNikAgainst(nik, { dateOfBirth, gender: values.gender })[0];
    if (mismatch) issues.nik = { key: nikMessageKey(mismatch) };
  }

  const email = values.email.trim();
  if (email === '') issues.email = { key: 'validation.required' };
  else if (email.length > 254 || !EMAIL.test(email)) issues.email = { key: 'accounts.fields.emailInvalid' };

  const phone = normalizePhone(values.phone);
  if (!phone.ok) issues.phone = { key: phoneMessageKey(phone.error) };

  if (needsGuardian(values.dateOfBirth, today)) {
    const guardianEmail = values.guardianEmail.trim();
    if (guardianEmail === '') issues.guardianEmail = { key: 'guardian.fields.emailRequired' };
    else if (guardianEmail.length > 254 || !EMAIL.test(guardianEmail)) issues.guardianEmail = { key: 'accounts.fields.emailInvalid' };
    else if (sameEmail(guardianEmail, email)) issues.guardianEmail = { key: 'guardian.fields.sameEmail' };
    const guardianPhone = normalizePhone(values.guardianPhone);
    if (!guardianPhone.ok) issues.guardianPhone = { key: guardianPhone.error === 'required' ? 'guardian.fields.phoneRequired' : phoneMessageKey(guardianPhone.error) };
    else if (phone.ok && guardianPhone.e164 === phone.e164) issues.guardianPhone = { key: 'guardian.fields.samePhone' };
  }

  if (values.password === '') issues.password = { key: 'validation.required' };
  else if (values.password.length < PASSWORD_MIN_LENGTH) issues.password = { key: 'password.problems.tooShort', params: { min: PASSWORD_MIN_LENGTH } };
  else if (values.password.length > PASSWORD_MAX_LENGTH) issues.password = { key: 'password.problems.tooLong', params: { max: PASSWORD_MAX_LENGTH } };

  if (!photo || photo.size === 0) issues.photo = { key: 'accounts.fields.photoRequired' };
  else if (photo.size > PHOTO_MAX_BYTES) issues.photo = { key: 'signup.errors.photoTooLarge', params: { maxMegabytes: PHOTO_MAX_BYTES / (1024 * 1024) } };
  else if (photo.type !== '' && !(PHOTO_TYPES as readonly string[]).includes(photo.type)) issues.photo = { key: 'media.unsupportedType' };

  if (!values.acceptPolicy) issues.acceptPolicy = { key: 'accounts.fields.acceptPolicy' };

  return issues;
}
