import crypto from 'node:crypto';
import { hashPassword, verifyPassword } from '../password/hash.js';

/**
 * One-time recovery codes: 10 codes of 10 characters from an alphabet without look-alikes
 * (≈ 50 bits each), shown once as `xxxxx-xxxxx` and stored as argon2id hashes (a keyed HMAC would
 * stop working when the blind-index key is rotated; these codes live for years).
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1
const LENGTH = 10;

export function newRecoveryCode(): string {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[crypto.randomInt(0, ALPHABET.length)];
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** What the member typed, in the form that was hashed: lower case, no spaces or dashes. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, '');
}

export function looksLikeRecoveryCode(input: string): boolean {
  const normalized = normalizeRecoveryCode(input);
  return normalized.length === LENGTH && [...normalized].every((c) => ALPHABET.includes(c));
}

export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = await Promise.all(codes.map((code) => hashPassword(normalizeRecoveryCode(code))));
  return { codes, hashes };
}

/** The id of the unused code that matches, if any. */
export async function findRecoveryCode(rows: { id: string; code_hash: string }[], input: string): Promise<string | undefined> {
  if (!looksLikeRecoveryCode(input)) return undefined;
  const normalized = normalizeRecoveryCode(input);
  const results = await Promise.all(rows.map(async (row) => ((await verifyPassword(row.code_hash, normalized)) ? row.id : undefined)));
  return results.find((id) => id !== undefined);
}
