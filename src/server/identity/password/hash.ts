/**
 * Password hashing: argon2id (RFC 9106) through @node-rs/argon2, stored as a PHC string
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) so every hash carries its own parameters and
 * `needsRehash` can upgrade old hashes at the next successful sign-in.
 *
 * Parameters: m = 32 768 KiB (32 MiB), t = 2, p = 1. OWASP's Password Storage Cheat Sheet lists
 * m = 19 MiB, t = 2, p = 1 as the minimum; the brief allowed stronger if a hash stays at or under
 * about 50 ms on a 2-core machine. Measured on the 2-vCPU development machine (bench/argon2.ts,
 * bench/results/argon2.md), per verify: m = 19 MiB t = 2 ≈ 19–22 ms, m = 19 MiB t = 3 ≈ 27–31 ms,
 * m = 32 MiB t = 2 ≈ 31–38 ms, m = 46 MiB t = 2 ≈ 49–53 ms, m = 64 MiB t = 2 ≈ 70 ms (p50). We took
 * the most memory that keeps the p50 well under 50 ms: memory is what makes GPU/ASIC guessing
 * expensive, and 32 MiB × 2 passes costs an attacker ≈ 1.7× the OWASP minimum per guess. Memory
 * use is bounded by libuv's thread pool (4 by default): at most ≈ 128 MiB for concurrent hashes.
 * p = 1 because the server already runs many requests in parallel. Raise the numbers here when the
 * servers get faster; `needsRehash` then upgrades each member's hash at their next sign-in.
 *
 * Unicode: passwords are normalised with NFKC before hashing and verifying. The same password
 * typed on different devices can arrive as different code points — composed "é" (U+00E9) vs.
 * "e" + U+0301 from another keyboard, full-width "１２３" from a CJK input method, ligatures or
 * compatibility characters pasted from a password manager. Without normalisation such a member
 * would be told their correct password is wrong. NIST SP 800-63B §5.1.1.2 recommends NFKC or NFKD;
 * NFKC keeps ASCII passwords byte-identical, so the only cost is folding a few look-alike
 * characters together, which removes a negligible amount of entropy.
 */
import { hash, parseOptions, verify, type Algorithm, type Options, type Version } from '@node-rs/argon2';

/** argon2id; the package's `Algorithm` is a const enum, which isolatedModules cannot read. */
const ARGON2ID = 2 as Algorithm;
/** Argon2 version 0x13 (19). */
const V0X13 = 1 as Version;

export const ARGON2_PARAMS = {
  memoryKib: 32_768,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
  saltLen: 16,
} as const;

const HASH_OPTIONS: Options = {
  algorithm: ARGON2ID,
  version: V0X13,
  memoryCost: ARGON2_PARAMS.memoryKib,
  timeCost: ARGON2_PARAMS.timeCost,
  parallelism: ARGON2_PARAMS.parallelism,
  outputLen: ARGON2_PARAMS.outputLen,
};

/**
 * Hashes whose parameters exceed these bounds are refused by `verifyPassword` instead of being
 * computed: a stored hash with m = 4 GiB (a corrupted or tampered row) must not be able to exhaust
 * the server's memory or CPU.
 */
const VERIFY_BOUNDS = { maxMemoryKib: 262_144, maxTimeCost: 16, maxParallelism: 8 } as const;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Hashes a password (NFKC-normalised) with argon2id and a fresh 16-byte random salt. */
export async function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), HASH_OPTIONS);
}

/**
 * True only when `password` matches `stored`. Never throws: a malformed, truncated or
 * unreasonably expensive hash, or a non-string argument, yields false.
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (typeof stored !== 'string' || typeof password !== 'string') return false;
  try {
    const params = parseOptions(stored);
    if (
      params.memoryCost > VERIFY_BOUNDS.maxMemoryKib ||
      params.timeCost > VERIFY_BOUNDS.maxTimeCost ||
      params.parallelism > VERIFY_BOUNDS.maxParallelism
    ) {
      return false;
    }
    return await verify(stored, normalizePassword(password));
  } catch {
    return false;
  }
}

/**
 * True when `stored` should be replaced by a fresh `hashPassword` at the next successful sign-in:
 * it is not argon2id v19, or any of its parameters is below the current ones. An unparsable hash
 * also answers true (it is certainly not a current hash; `verifyPassword` refuses it anyway).
 */
export function needsRehash(stored: string): boolean {
  try {
    if (typeof stored !== 'string' || !stored.startsWith('$argon2id$')) return true;
    const p = parseOptions(stored);
    return (
      p.algorithm !== ARGON2ID ||
      p.version !== V0X13 ||
      p.memoryCost < ARGON2_PARAMS.memoryKib ||
      p.timeCost < ARGON2_PARAMS.timeCost ||
      p.parallelism < ARGON2_PARAMS.parallelism ||
      p.outputLen < ARGON2_PARAMS.outputLen ||
      p.saltLen < ARGON2_PARAMS.saltLen
    );
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real `verifyPassword` and answers false. Call it when the account
 * does not exist, so response time does not reveal which usernames, emails or phones are registered.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('kenalan-dummy-password-for-timing-equalisation');
  await verifyPassword(await dummyHash, typeof password === 'string' ? password : '');
  return false;
}
