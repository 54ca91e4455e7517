// What the re-consent gate (src/server/privacy/policy/gate.ts) adds to a member API request:
// the hook alone, called in-process on a request-shaped object for GET /api/me, against the
// session check the route does anyway (sessions.authenticate, its in-memory cache). Measured with
// no material version (only the seed) and after a material version the member has accepted.
// Usage: npx tsx bench/policy-gate.ts   (ITERATIONS=200000 ROUNDS=5)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { policyReconsentGate } from '../src/server/privacy/policy/gate.js';

const ITERATIONS = Number(process.env.ITERATIONS ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-gate-'));
const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'warn' });
const database = await openPglite(path.join(dataDir, 'pgdata'));
const services = await composeServices(config, database, createLogger('warn'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
const app = await buildApp({ ...services, isReady: () => true });

const csrf = await app.inject({ url: '/api/csrf' });
const csrfHeaders = { cookie: csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': (csrf.json() as { token: string }).token };
const form = new FormData();
const fields = {
  username: 'bench_gate',
  nickname: 'Bench',
  gender: 'male',
  email: `bench.gate${'\u0040'}contoh.id`,
  phone: '081299990001',
  nik: '3174051203900002',
  dateOfBirth: '1990-03-12',
  password: 'Senja merah di Pelabuhan Ratu 77',
  language: 'id',
  acceptPolicy: 'true',
};
for (const [k, v] of Object.entries(fields)) form.append(k, v);
const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer();
form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
const signUp = await app.inject({ method: 'POST', url: '/api/accounts', headers: csrfHeaders, payload: form });
if (signUp.statusCode !== 201) throw new Error(`sign-up failed: ${signUp.body}`);
const memberId = (signUp.json() as { id: string }).id;
await database.db.updateTable('members').set({ status: 'active' }).execute();
const login = await app.inject({ method: 'POST', url: '/api/sessions', headers: csrfHeaders, payload: { identifier: fields.username, password: fields.password } });
const token = login.cookies.find((c) => c.name === '__Host-kenalan-session')!.value;

const gate = policyReconsentGate({ sessions: services.sessions, changes: services.policyChanges });
const request = { method: 'GET', routeOptions: { url: '/api/me' }, cookies: { '__Host-kenalan-session': token } } as unknown as FastifyRequest;

async function perCallNs(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20_000; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

async function measure(label: string) {
  const lines: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const empty = await perCallNs(async () => undefined);
    const session = await perCallNs(() => services.sessions.authenticate(token));
    const hook = await perCallNs(() => gate(request));
    lines.push(`| ${label} | ${round} | ${(empty / 1000).toFixed(2)} | ${(session / 1000).toFixed(2)} | ${(hook / 1000).toFixed(2)} |`);
  }
  return lines;
}

const before = await measure('seed only (no material version)');
await services.policy.publishFromDirectory(path.resolve(import.meta.dirname, '../test/fixtures/policy-v2'));
if (!(await services.policyChanges.needsReconsent(memberId))) throw new Error('expected the member to need re-consent');
await services.policyChanges.decide(memberId, { version: '2', decision: 'accept', purposes: { share_partners: false }, language: 'id' });
const after = await measure('material v2, accepted');

console.log(`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${ITERATIONS} calls per measurement\n`);
console.log('| state | round | empty async call µs (loop overhead) | sessions.authenticate µs/call (paid by the route anyway) | re-consent gate µs/call |');
console.log('|---|---|---|---|---|');
for (const line of [...before, ...after]) console.log(line);

await app.close();
await services.stop();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });
