import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) as every authenticator app understands it: SHA-1, 6 digits, 30-second steps,
 * a 160-bit random secret. A code is accepted one step early or late (clock drift) and never twice:
 * the caller stores the step of the last accepted code and refuses any step at or before it.
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
const ISSUER = 'Kenalan';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'member'): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, secret: Secret.fromBase32(secretBase32) });
}

/** The time step a timestamp falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD);
}

/**
 * The step the code belongs to when it is right within ±1 step of `at`, else undefined. Only
 * 6-digit strings are considered (spaces removed first).
 */
export function matchTotp(secretBase32: string, code: string, at: Date): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secretBase32).validate({ token, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? undefined : totpStep(at) + delta;
}

/** The secret in groups of 4 characters, for typing it into an app by hand. */
export function groupSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

/** `otpauth://totp/Kenalan:<username>?secret=…&issuer=Kenalan…` and the same as a QR code (SVG data URL). */
export async function totpProvisioning(secretBase32: string, username: string): Promise<{ uri: string; qrSvgDataUrl: string }> {
  const uri = totp(secretBase32, username).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}` };
}
