/**
 * Usernames: 3–30 characters of a–z, 0–9, '.' and '_', starting with a letter, with no '..' and
 * no trailing '.'. Usernames are case-insensitive: store and compare normalizeUsername(input).
 *
 * Reserved names (see isReservedUsername) protect Kenalan's own accounts, routes and staff from
 * impersonation.
 *
 * Pure: no Node-only imports, safe for the web bundle.
 */

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 30;

export const USERNAME_ERRORS = ['required', 'length', 'characters', 'start', 'reserved'] as const;
export type UsernameError = (typeof USERNAME_ERRORS)[number];

export type UsernameResult = { ok: true; username: string } | { ok: false; error: UsernameError };

/**
 * Names nobody may register. Exact matches are always refused; for the prefix rule see
 * isReservedUsername.
 */
export const RESERVED_USERNAMES: readonly string[] = Object.freeze([
  // Kenalan itself and its staff
  'kenalan', 'kenalanapp', 'kenalan_id', 'kenalan_official', 'admin_kenalan', 'official', 'resmi',
  'admin', 'administrator', 'root', 'superuser', 'sysadmin', 'staff', 'team', 'tim', 'moderator', 'mod',
  'pengurus', 'pengelola', 'petugas', 'operator',
  // Help and trust
  'support', 'help', 'helpdesk', 'bantuan', 'dukungan', 'cs', 'customerservice', 'layanan', 'pelanggan',
  'security', 'keamanan', 'privacy', 'privasi', 'legal', 'hukum', 'abuse', 'report', 'lapor', 'pengaduan',
  'verified', 'verify', 'verifikasi', 'terverifikasi', 'trust', 'safety',
  // Contact and infrastructure
  'info', 'informasi', 'contact', 'kontak', 'hubungi', 'mail', 'email', 'noreply', 'no_reply',
  'postmaster', 'webmaster', 'hostmaster', 'api', 'www', 'system', 'sistem', 'server', 'billing',
  'payment', 'pembayaran', 'tagihan',
  // Routes and placeholders
  'login', 'logout', 'signin', 'signup', 'register', 'daftar', 'settings', 'pengaturan', 'account', 'akun',
  'profile', 'profil', 'null', 'undefined', 'anonymous', 'anonim', 'everyone', 'semua',
]);

/**
 * Words that are refused wherever they appear as a whole segment of the name (segments are the
 * letter runs between '.', '_' and digits), e.g. 'tim_kenalan', 'budi.admin', 'cs2official'.
 */
export const IMPERSONATION_WORDS: readonly string[] = Object.freeze([
  'kenalan', 'admin', 'administrator', 'moderator', 'official', 'resmi', 'staff', 'support', 'bantuan', 'dukungan',
]);

const RESERVED_SET: ReadonlySet<string> = new Set(RESERVED_USERNAMES);
const IMPERSONATION_SET: ReadonlySet<string> = new Set(IMPERSONATION_WORDS);
/** Reserved words of at least 4 letters (letters only): candidates for the prefix rule. */
const PREFIX_WORDS: readonly string[] = RESERVED_USERNAMES.filter((w) => /^[a-z]{4,}$/.test(w));

/**
 * Canonical form used for uniqueness: trims whitespace, drops leading '@' (members often type
 * '@budi') and lowercases. Idempotent. Does not validate; use validateUsername.
 */
export function normalizeUsername(input: string): string {
  const text = typeof input === 'string' ? input : '';
  return text.replace(/^[\s@]+|\s+$/g, '').toLowerCase();
}

/**
 * Reserved-name rule, applied to a normalized name:
 * 1. it is in RESERVED_USERNAMES ('admin', 'cs', 'no_reply');
 * 2. it starts with a reserved word of 4 or more letters followed by a digit, '.' or '_'
 *    ('admin1', 'support_', 'kenalan_official', 'bantuan.123'); a following letter is fine,
 *    so 'rooted', 'helpful' and 'informatika' stay available;
 * 3. one of its letter segments is in IMPERSONATION_WORDS ('tim_kenalan', 'budi.admin').
 */
export function isReservedUsername(name: string): boolean {
  const username = normalizeUsername(name);
  if (RESERVED_SET.has(username)) return true;
  for (const word of PREFIX_WORDS) {
    if (username.length > word.length && username.startsWith(word) && /[0-9._]/.test(username.charAt(word.length))) return true;
  }
  return username.split(/[^a-z]+/).some((segment) => IMPERSONATION_SET.has(segment));
}

const ALLOWED = /^[a-z0-9._]+$/;

/**
 * Normalizes and validates a username. Errors, in order of precedence:
 * required (empty) → characters (anything but a–z 0–9 . _, or '..', or a trailing '.')
 * → length (not 3–30) → start (first character not a letter) → reserved.
 * Never throws.
 */
export function validateUsername(input: string): UsernameResult {
  const username = normalizeUsername(input);
  if (username === '') return { ok: false, error: 'required' };
  if (!ALLOWED.test(username) || username.includes('..') || username.endsWith('.')) return { ok: false, error: 'characters' };
  if (username.length < USERNAME_MIN_LENGTH || username.length > USERNAME_MAX_LENGTH) return { ok: false, error: 'length' };
  if (!/^[a-z]/.test(username)) return { ok: false, error: 'start' };
  if (isReservedUsername(username)) return { ok: false, error: 'reserved' };
  return { ok: true, username };
}
