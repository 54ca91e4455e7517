// Discovery page latency on PostgreSQL with 100,000 synthetic members, beside a bare Fastify
// hello-world measured in the same run. Usage: npx tsx bench/discovery.ts  (PostgreSQL on 127.0.0.1:5432)
// Synthetic rows are inserted directly in bulk: usernames `synthetic_<n>`, member_profiles.synthetic = true.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { latLngToCell, cellToLatLng } from 'h3-js';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../src/server/platform/db/schema.js';
import { makeDiscovery } from '../src/server/social/profiles/discovery.js';
import pg from 'pg';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPostgres } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { CITIES } from '../src/common/social/cities.js';
import { INTEREST_CODES, PROFILE_LANGUAGES, type Visibility } from '../src/common/social/profile.js';
import { LOCATION_RESOLUTION } from '../src/server/social/profiles/location.js';
import { PASSWORD, signIn, signUpMember } from '../src/server/identity/login-security/test-members.js';
import type { TestApp } from '../test/support/app.js';

const MEMBERS = Number(process.env.MEMBERS ?? 100_000);
const SAMPLES = Number(process.env.SAMPLES ?? 1000);
const ADMIN = process.env.KENALAN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `kenalan_bench_discovery_${process.pid}`;

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
// The benchmark database is dropped however the run ends.
process.on('exit', () => {
  try {
    execFileSync('psql', [ADMIN, '-qc', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
});
const url = ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
const database = await openPostgres(url);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-discovery-'));
const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '100000000', JOB_POLL_SECONDS: '5' });
const services = await composeServices(config, database, createLogger('silent'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
const { db } = database;

// ---- synthetic members, in bulk ----
let seed = 42;
const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
const started = Date.now();
const nickname = services.keyring.encrypt('Demo', 'members.nickname');
const placeholder = services.keyring.encrypt('synthetic', 'members.email');
await sql`
  INSERT INTO members (id, username, username_norm, nickname, gender, email, email_bidx, email_verified_at, phone, phone_bidx, phone_verified_at,
                       nik, nik_bidx, nik_last4, date_of_birth, adult_from, password_hash, language, status, sms_requested_at, created_at, updated_at)
  SELECT gen_random_uuid(), 'synthetic_' || i, 'synthetic_' || i, ${nickname}, (ARRAY['female','male','nonbinary','unspecified'])[1 + i % 4],
         ${placeholder}, 'syn-e-' || i, now(), ${placeholder}, 'syn-p-' || i, now(), ${placeholder}, 'syn-n-' || i, lpad((i % 10000)::text, 4, '0'),
         ${placeholder}, to_char(date '2026-01-01' - ((i * 7919) % 14600) * interval '1 day', 'YYYY-MM-DD'), 'synthetic-no-password', 'id', 'active', now(), now(), now()
  FROM generate_series(1, ${MEMBERS}) AS i`.execute(db);
const ids = (await db.selectFrom('members').select('id').where('username', 'like', 'synthetic_%').execute()).map((r) => r.id);
const weights = CITIES.map((c) => (c.province === 'DKI Jakarta' ? 12 : ['surabaya', 'bandung', 'medan', 'semarang', 'makassar', 'yogyakarta', 'denpasar'].includes(c.code) ? 5 : 1));
const total = weights.reduce((a, b) => a + b, 0);
const pickCity = () => {
  let r = random() * total;
  for (const [i, w] of weights.entries()) if ((r -= w) < 0) return CITIES[i]!;
  return CITIES[0]!;
};
const vis = (): Visibility => (random() < 0.7 ? 'everyone' : random() < 0.5 ? 'connections' : 'only_me');
for (let start = 0; start < ids.length; start += 2000) {
  const rows = ids.slice(start, start + 2000).map((id) => {
    const city = pickCity();
    const precise = random() < 0.5;
    const lat = city.lat + (precise ? (random() - 0.5) * 0.25 : 0);
    const lng = city.lng + (precise ? (random() - 0.5) * 0.25 : 0);
    const cell = latLngToCell(lat, lng, LOCATION_RESOLUTION);
    const [clat, clng] = cellToLatLng(cell);
    const interests = [...new Set(Array.from({ length: 1 + Math.floor(random() * 6) }, () => INTEREST_CODES[Math.floor(random() * INTEREST_CODES.length)]!))];
    const active = new Date(Date.now() - random() * 30 * 24 * 3600 * 1000);
    return {
      member_id: id, bio: null, tags: null, interests, languages: ['id', PROFILE_LANGUAGES[Math.floor(random() * PROFILE_LANGUAGES.length)]!].filter((v, i, a) => a.indexOf(v) === i),
      interests_visibility: vis(), languages_visibility: vis(), city: city.code, city_visibility: vis(), age_visibility: vis(), bio_visibility: vis(),
      hidden: random() < 0.03, gender_in_discovery: random() < 0.4, location_precise: null, location_source: precise ? ('precise' as const) : ('city' as const),
      location_cell: cell, cell_lat: clat, cell_lng: clng, synthetic: true, active_at: active, created_at: active, updated_at: active,
    };
  });
  await db.insertInto('member_profiles').values(rows).execute();
}
// A connection and a block for some, so the NOT EXISTS paths have rows to look at.
await sql`INSERT INTO connections (member_id, other_id, created_at) SELECT a.id, b.id, now() FROM (SELECT id, row_number() OVER () AS n FROM members WHERE username LIKE 'synthetic_%' LIMIT 20000) a JOIN (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM members WHERE username LIKE 'synthetic_%' OFFSET 20000 LIMIT 20000) x) b USING (n) ON CONFLICT DO NOTHING`.execute(db);
await sql`INSERT INTO blocks (blocker_id, blocked_id, created_at) SELECT a.id, b.id, now() FROM (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM members WHERE username LIKE 'synthetic_%' OFFSET 40000 LIMIT 5000) x) a JOIN (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM members WHERE username LIKE 'synthetic_%' OFFSET 45000 LIMIT 5000) y) b USING (n) ON CONFLICT DO NOTHING`.execute(db);
// A running database is vacuumed and analyzed by autovacuum; do it now rather than mid-measurement.
await sql`VACUUM ANALYZE`.execute(db);
const graphRows = await sql<{ connections: string; blocks: string }>`SELECT (SELECT count(*) FROM connections) AS connections, (SELECT count(*) FROM blocks) AS blocks`.execute(db);
const seeded = Date.now() - started;

// ---- service-level: one discovery page per sample, random viewers and filters ----
const filters = [
  {},
  { interests: ['coffee', 'hiking'] },
  { within: '10to25' as const },
  { minAge: 25, maxAge: 35 },
  { language: 'jv', within: '25to50' as const },
];
const latencies: number[] = [];
const byFilter = new Map<string, number[]>();
for (let i = 0; i < 100; i++) await services.discovery.page(ids[i]!, {}, 0); // warm-up
if (process.env.EXPLAIN) {
  // Prints the plans of a page's main query (the walk, and the gather when the walk came back short)
  // for a viewer in Jakarta and one in the smallest city, for each filter, then stops (tuning aid).
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const logged = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }), log: (e) => { if (e.level === 'query') captured.push({ sql: e.query.sql, parameters: e.query.parameters }); } });
  const d = makeDiscovery({ db: logged, keyring: services.keyring, profiles: services.profiles });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const viewerIn = async (order: 'desc' | 'asc') =>
    (await client.query(`SELECT member_id FROM member_profiles WHERE synthetic AND member_active AND NOT hidden AND city = (SELECT city FROM member_profiles GROUP BY city ORDER BY count(*) ${order} LIMIT 1) LIMIT 1`)).rows[0].member_id as string;
  for (const [label, viewer] of [['Jakarta viewer', await viewerIn('desc')], ['small-city viewer', await viewerIn('asc')]] as const) {
    for (const f of [...filters, { interests: ['coffee'], within: '25to50' as const }, { minAge: 25, maxAge: 35, within: '10to25' as const }]) {
      captured.length = 0;
      await d.page(viewer, f, 0);
      for (const main of captured.filter((q) => q.sql.includes('pool AS ('))) {
        const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${main.sql}`, main.parameters as unknown[]);
        console.log(`${label} ${JSON.stringify(f)} ${main.sql.includes('MATERIALIZED') ? 'gather' : 'walk'}\n` + plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
    }
  }
  process.exit(0);
}
// Several rounds of SAMPLES pages each (different random viewers): a single round's p99 on this
// machine moves by ±10 ms, so the result is the median of the rounds' p99s.
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const rounds: Map<string, number[]>[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const perFilter = new Map<string, number[]>();
  for (let i = 0; i < SAMPLES; i++) {
    const viewer = ids[Math.floor(random() * ids.length)]!;
    const f = filters[i % filters.length]!;
    const t0 = process.hrtime.bigint();
    await services.discovery.page(viewer, f, i % 10 === 9 ? 20 : 0);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const key = JSON.stringify(f);
    for (const k of [key, 'all']) perFilter.set(k, [...(perFilter.get(k) ?? []), ms]);
    if (round === 0) {
      latencies.push(ms);
      byFilter.set(key, [...(byFilter.get(key) ?? []), ms]);
    }
  }
  rounds.push(perFilter);
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// ---- HTTP: GET /api/discover through the real app vs a bare Fastify hello-world, same run ----
const app = await buildApp({ ...services, isReady: () => true });
const t = { app, database, services, config, dataDir } as unknown as TestApp;
const me = await signUpMember(t, 6001);
await services.profiles.update(me.id, { bio: '', bioVisibility: 'everyone', interests: ['coffee', 'music'], tags: [], interestsVisibility: 'everyone', languages: ['id'], languagesVisibility: 'everyone', city: 'jakarta-selatan', cityVisibility: 'everyone', ageVisibility: 'everyone', hidden: false, genderInDiscovery: false });
const login = await signIn(t, me.username, PASSWORD, { ip: '203.0.113.9' });
const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
await app.listen({ port: 18490, host: '127.0.0.1' });
const hello = Fastify();
hello.get('/', async () => ({ hello: 'world' }));
await hello.listen({ port: 18491, host: '127.0.0.1' });
let ip = 0;
async function measure(target: string, headers: Record<string, string> = {}) {
  const opts = {
    url: target, connections: 10, duration: Number(process.env.DURATION ?? 10), headers,
    // A different client address per request: the per-route rate limit (120/min per IP) is not what is measured.
    requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, 'x-forwarded-for': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip++ & 255}` } }) }],
  };
  await autocannon({ ...opts, duration: 2 });
  const r = await autocannon(opts);
  return { reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}
const bare = await measure('http://127.0.0.1:18491/');
const http = await measure('http://127.0.0.1:18490/api/discover', { cookie });
const httpFiltered = await measure('http://127.0.0.1:18490/api/discover?interests=coffee&within=25to50', { cookie });
const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
await hello.close();
await app.close();
await services.stop();
await database.close();
await admin.end();
fs.rmSync(dataDir, { recursive: true, force: true });

const r1 = (x: number) => x.toFixed(1);
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}; PostgreSQL; ${MEMBERS} synthetic members seeded in ${(seeded / 1000).toFixed(1)} s; RSS ${rss} MiB; ${graphRows.rows[0]!.connections} connection rows, ${graphRows.rows[0]!.blocks} blocks`);
console.log(`\nService (discovery.page, ${SAMPLES} pages, random viewers, filters rotating, 10% second pages):`);
console.log('| filter | p50 (ms) | p99 (ms) |\n|---|---|---|');
for (const [key, xs] of byFilter) console.log(`| ${key} | ${r1(pct(xs, 50))} | ${r1(pct(xs, 99))} |`);
console.log(`| all | ${r1(pct(latencies, 50))} | ${r1(pct(latencies, 99))} |`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nRounds (${ROUNDS} × ${SAMPLES} pages): p50 / p99 per round, and the median p99:`);
console.log(`| filter | ${rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median p99 |\n|---|${rounds.map(() => '---|').join('')}---|`);
for (const key of [...byFilter.keys(), 'all']) {
  const cells = rounds.map((r) => `${r1(pct(r.get(key)!, 50))} / ${r1(pct(r.get(key)!, 99))}`);
  console.log(`| ${key} | ${cells.join(' | ')} | **${r1(median(rounds.map((r) => pct(r.get(key)!, 99))))}** |`);
}
console.log('\nHTTP (autocannon, 10 connections, plain HTTP on loopback):');
console.log('| target | req/s | p50 (ms) | p99 (ms) | errors |\n|---|---|---|---|---|');
console.log(`| bare Fastify hello-world | ${bare.reqPerSec} | ${bare.p50} | ${bare.p99} | ${bare.errors} |`);
console.log(`| GET /api/discover (no filter) | ${http.reqPerSec} | ${http.p50} | ${http.p99} | ${http.errors} |`);
console.log(`| GET /api/discover?interests=coffee&within=25to50 | ${httpFiltered.reqPerSec} | ${httpFiltered.p50} | ${httpFiltered.p99} | ${httpFiltered.errors} |`);
