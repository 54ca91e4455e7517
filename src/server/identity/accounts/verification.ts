import crypto from 'node:crypto';

/** A 6-digit SMS code, uniformly random (leading zeros kept). */
export function newSmsCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A single-use email token: 32 random bytes, base64url. */
export function newEmailToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Today's date in Jakarta (WIB, UTC+7) as YYYY-MM-DD. */
export function jakartaToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** True when someone born on `dateOfBirth` (YYYY-MM-DD) is 18 or older on `today` (YYYY-MM-DD). */
export function isAdult(dateOfBirth: string, today: string): boolean {
  const [y, m, d] = dateOfBirth.split('-');
  return `${String(Number(y) + 18).padStart(4, '0')}-${m}-${d}` <= today;
}
