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

/** Age rules live in src/common/age.ts so the web form uses the very same ones. */
export { isAdult, jakartaToday } from '../../../common/age.js';
