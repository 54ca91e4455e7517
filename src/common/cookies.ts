/**
 * Every cookie and browser-storage item Kenalan sets, declared once (P2.1). The cookie page is
 * generated from this list, and a test fails when the server sends a cookie that is not declared
 * here. Categories other than `necessary` are only used after the visitor's consent.
 */
export const COOKIE_CATEGORIES = ['necessary', 'preferences', 'analytics', 'marketing'] as const;
export type CookieCategory = (typeof COOKIE_CATEGORIES)[number];
export type OptionalCookieCategory = Exclude<CookieCategory, 'necessary'>;
export const OPTIONAL_COOKIE_CATEGORIES: readonly OptionalCookieCategory[] = ['preferences', 'analytics', 'marketing'];

/** The consent-ledger purpose behind each optional category. */
export const COOKIE_CONSENT_PURPOSE = {
  preferences: 'preference_cookies',
  analytics: 'analytics_cookies',
  marketing: 'marketing_cookies',
} as const satisfies Record<OptionalCookieCategory, string>;

interface Text {
  id: string;
  en: string;
}

export interface StorageDeclaration {
  name: string;
  kind: 'cookie' | 'localStorage';
  category: CookieCategory;
  /** Who writes it: the server (Set-Cookie) or the page's script. */
  setBy: 'server' | 'browser';
  purpose: Text;
  lifetime: Text;
}

export const COOKIE_CHOICE_COOKIE = '__Host-kenalan-cookies';
/** How long a cookie choice is kept before the banner asks again. */
export const COOKIE_CHOICE_DAYS = 180;
/**
 * How long the server's record of a visitor's choice (time, IP and browser, encrypted: the proof of
 * consent, UU PDP Art. 22) is kept after the choice lapses — as long as a member's consent evidence
 * after the account ends (privacy/consent/data.ts).
 */
export const COOKIE_CHOICE_PROOF_YEARS = 5;

export const DECLARED_STORAGE: readonly StorageDeclaration[] = [
  {
    name: '__Host-kenalan-session',
    kind: 'cookie',
    category: 'necessary',
    setBy: 'server',
    purpose: {
      id: 'Menjaga Anda tetap masuk ke akun Anda. Berisi kode acak; server hanya menyimpan hash-nya.',
      en: 'Keeps you signed in to your account. Holds a random code; the server keeps only its hash.',
    },
    lifetime: { id: '30 hari sejak terakhir dipakai, atau sampai Anda keluar', en: '30 days from last use, or until you sign out' },
  },
  {
    name: '__Host-kenalan-challenge',
    kind: 'cookie',
    category: 'necessary',
    setBy: 'server',
    purpose: {
      id: 'Mengikat langkah kedua proses masuk (kode atau passkey) ke peramban tempat Anda memasukkan kata sandi. Berisi kode acak; server hanya menyimpan hash-nya.',
      en: 'Ties the second step of signing in (a code or passkey) to the browser where you entered your password. Holds a random code; the server keeps only its hash.',
    },
    lifetime: { id: '5 menit, atau sampai langkah itu selesai', en: '5 minutes, or until that step is done' },
  },
  {
    name: '__Host-kenalan-device',
    kind: 'cookie',
    category: 'necessary',
    setBy: 'server',
    purpose: {
      id: 'Mengenali peramban ini sebagai perangkat yang pernah Anda pakai untuk masuk: upaya masuk dari perangkat baru diperiksa lebih ketat dan Anda diberi tahu, dan perangkat Anda tidak ikut terkunci saat orang lain mencoba menebak kata sandi Anda. Berisi kode acak; server hanya menyimpan hash-nya.',
      en: 'Recognizes this browser as a device you have signed in from: sign-ins from new devices are checked more strictly and you are told about them, and your device is not locked out when someone else tries to guess your password. Holds a random code; the server keeps only its hash.',
    },
    lifetime: { id: '400 hari', en: '400 days' },
  },
  {
    name: '__Host-kenalan-csrf',
    kind: 'cookie',
    category: 'necessary',
    setBy: 'server',
    purpose: {
      id: 'Melindungi formulir dari permintaan palsu yang dikirim situs lain (CSRF).',
      en: 'Protects forms against forged requests sent by other sites (CSRF).',
    },
    lifetime: { id: 'Sampai peramban ditutup', en: 'Until the browser is closed' },
  },
  {
    name: COOKIE_CHOICE_COOKIE,
    kind: 'cookie',
    category: 'necessary',
    setBy: 'server',
    purpose: {
      id: 'Mengingat pilihan cookie Anda agar kami tidak bertanya setiap kali. Ditandatangani server agar tidak dapat diubah.',
      en: 'Remembers your cookie choice so we do not ask every time. Signed by the server so it cannot be altered.',
    },
    lifetime: { id: `${COOKIE_CHOICE_DAYS} hari`, en: `${COOKIE_CHOICE_DAYS} days` },
  },
  {
    name: 'kenalan.lang',
    kind: 'localStorage',
    category: 'preferences',
    setBy: 'browser',
    purpose: {
      id: 'Mengingat bahasa yang Anda pilih. Hanya disimpan jika Anda mengizinkan cookie preferensi.',
      en: 'Remembers the language you chose. Only stored if you allow preference cookies.',
    },
    lifetime: { id: 'Sampai Anda menghapusnya atau menolak cookie preferensi', en: 'Until you clear it or refuse preference cookies' },
  },
];

export interface CookieChoice {
  preferences: boolean;
  analytics: boolean;
  marketing: boolean;
}

export const REJECT_ALL: CookieChoice = { preferences: false, analytics: false, marketing: false };

/** `preferences`, `analytics`, `marketing` as three 0/1 digits: the payload of the signed choice cookie. */
export function encodeChoice(choice: CookieChoice): string {
  return `${Number(choice.preferences)}${Number(choice.analytics)}${Number(choice.marketing)}`;
}

export function decodeChoice(bits: string): CookieChoice | undefined {
  if (!/^[01]{3}$/.test(bits)) return undefined;
  return { preferences: bits[0] === '1', analytics: bits[1] === '1', marketing: bits[2] === '1' };
}

export function declaredCookie(name: string): StorageDeclaration | undefined {
  return DECLARED_STORAGE.find((d) => d.kind === 'cookie' && d.name === name);
}
