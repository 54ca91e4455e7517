// Password hashing cost on this machine: argon2id hash and verify at the parameters hash.ts uses
// (p50/p95 over RUNS runs), a few stronger candidates for comparison, and the strength check.
// Usage: npx tsx bench/argon2.ts   (RUNS=50 by default; results go in bench/results/argon2.md)
import os from 'node:os';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { ARGON2_PARAMS, hashPassword, verifyPassword } from '../src/server/identity/password/hash.js';
import { checkPasswordStrength, warmUpPasswordStrength } from '../src/server/identity/password/strength.js';

const RUNS = Number(process.env.RUNS ?? 50);
const CANDIDATE_RUNS = Number(process.env.CANDIDATE_RUNS ?? 20);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;
const row = (label: string, xs: number[]) => `| ${label} | ${ms(percentile(xs, 50))} | ${ms(percentile(xs, 95))} | ${ms(Math.max(...xs))} | ${xs.length} |`;

async function time(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    xs.push(performance.now() - started);
  }
  return xs;
}

const password = 'Gunung Rinjani di pagi hari 2024';
const stored = await hashPassword(password);
const hashTimes = await time(() => hashPassword(password), RUNS);
const verifyTimes = await time(() => verifyPassword(stored, password), RUNS);

// Two members signing in at the same moment on the 2 cores.
const concurrentTimes = await time(() => Promise.all([hashPassword(password), hashPassword(password)]), Math.ceil(RUNS / 2));

const candidates: [string, { memoryCost: number; timeCost: number }][] = [
  ['m=19456 t=2 (OWASP minimum)', { memoryCost: 19_456, timeCost: 2 }],
  ['m=19456 t=3', { memoryCost: 19_456, timeCost: 3 }],
  ['m=32768 t=2 (chosen)', { memoryCost: 32_768, timeCost: 2 }],
  ['m=47104 t=1 (OWASP alternative)', { memoryCost: 47_104, timeCost: 1 }],
  ['m=47104 t=2', { memoryCost: 47_104, timeCost: 2 }],
  ['m=65536 t=2', { memoryCost: 65_536, timeCost: 2 }],
];
const candidateRows: string[] = [];
for (const [label, params] of candidates) {
  const options = { ...params, parallelism: 1, algorithm: 2 as Algorithm };
  const h = await hash(password, options);
  const xs = await time(() => verify(h, password), CANDIDATE_RUNS);
  candidateRows.push(row(label, xs));
}

let started = performance.now();
warmUpPasswordStrength();
const warmUp = performance.now() - started;
const strengthInputs: [string, string][] = [
  ['16 chars, letters', 'qhrvxkwtpzmjdfgn'],
  ['16 chars, symbol-heavy', 'Kx9#mP2$vL8@nQ4w'],
  ['32 chars, mixed', 'Kx9#mP2$vL8@nQ4w-sayang-kamu-77!'],
  ['64 chars, symbol-heavy', 'Kx9#mP2$vL8@nQ4w'.repeat(4)],
  ['128 chars, symbol-heavy', 'Kx9#mP2$vL8@nQ4w'.repeat(8)],
];
const strengthRows: string[] = [];
for (const [label, pw] of strengthInputs) {
  const context = { username: 'budi.santoso', email: `budi\u0040contoh.id`, phone: '+6281234567890', language: 'id' as const };
  const xs = await time(async () => checkPasswordStrength(pw, context), 10);
  strengthRows.push(row(label, xs));
}

const cpus = os.cpus();
console.log(`Machine: ${cpus.length} × ${cpus[0]?.model} (${cpus[0]?.speed} MHz), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`);
console.log(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
console.log(`Parameters: argon2id v19, m=${ARGON2_PARAMS.memoryKib} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}, 32-byte output, 16-byte salt\n`);
console.log('| operation | p50 | p95 | max | runs |\n|---|---|---|---|---|');
console.log(row('hashPassword', hashTimes));
console.log(row('verifyPassword', verifyTimes));
console.log(row('2 hashes at once (wall time)', concurrentTimes));
console.log('\nCandidates (verify time):\n\n| parameters | p50 | p95 | max | runs |\n|---|---|---|---|---|');
console.log(candidateRows.join('\n'));
console.log(`\nStrength check (zxcvbn-ts, dictionaries built once in ${ms(warmUp)}):\n\n| password | p50 | p95 | max | runs |\n|---|---|---|---|---|`);
console.log(strengthRows.join('\n'));
