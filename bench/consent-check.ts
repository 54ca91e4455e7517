// What the consent check costs on a hot path: the ledger's "does member X currently consent to
// purpose P" (`consent.hasConsent`, as newsletters and recommendations call it), and the
// restriction check (`isRestricted`) beside it, on embedded PGlite with a realistic ledger:
// MEMBERS members with a policy acceptance and several consent changes each.
// Target (issue 5): ≤ 0.2 ms added per request. Usage: npx tsx bench/consent-check.ts
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { CONSENT_PURPOSES } from '../src/server/privacy/data-map/types.js';
import { isRestricted } from '../src/server/privacy/rights/restrictions.js';

const MEMBERS = Number(process.env.MEMBERS ?? 2000);
const CALLS = Number(process.env.CALLS ?? 5000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-consent-'));
const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'warn' });
const database = await openPglite(path.join(dataDir, 'pgdata'));
const services = await composeServices(config, database, createLogger('warn'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
const { db } = database;

// Ledger rows straight in SQL (the check reads rows; how they got there does not matter): per
// member one policy acceptance and 8 consent events over the purposes, latest wins.
const policy = await db.selectFrom('policy_documents').select(['version', 'sha256']).where('language', '=', 'id').executeTakeFirstOrThrow();
const ids: string[] = [];
const start = Date.now() - 365 * 24 * 3600 * 1000;
for (let batch = 0; batch < MEMBERS; batch += 200) {
  const rows = [];
  for (let i = batch; i < Math.min(MEMBERS, batch + 200); i++) {
    const id = crypto.randomUUID();
    ids.push(id);
    rows.push({ id: crypto.randomUUID(), subject_type: 'member' as const, subject_id: id, event: 'policy_accepted' as const, purpose: null, policy_version: policy.version, policy_sha256: policy.sha256, language: 'id' as const, ip: null, user_agent: null, at: new Date(start) });
    for (let k = 0; k < 8; k++) {
      rows.push({
        id: crypto.randomUUID(),
        subject_type: 'member' as const,
        subject_id: id,
        event: k % 3 === 2 ? ('consent_withdrawn' as const) : ('consent_granted' as const),
        purpose: CONSENT_PURPOSES[(i + k) % CONSENT_PURPOSES.length]!,
        policy_version: policy.version,
        policy_sha256: policy.sha256,
        language: 'id' as const,
        ip: null,
        user_agent: null,
        at: new Date(start + k * 3600_000),
      });
    }
  }
  await db.insertInto('consent_ledger').values(rows).execute();
}
await sql`ANALYZE consent_ledger`.execute(db);

async function measure(
  name: string,
  check: (memberId: string) => Promise<unknown>,
  pick: (i: number) => string = () => ids[crypto.randomInt(ids.length)]!,
  calls = CALLS,
): Promise<{ name: string; meanMs: number; p50Ms: number; p99Ms: number }> {
  for (let i = 0; i < 200; i++) await check(crypto.randomUUID()); // warm up (members with no entries)
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const id = pick(i);
    const t0 = process.hrtime.bigint();
    await check(id);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  return { name, meanMs: mean, p50Ms: times[Math.floor(times.length / 2)]!, p99Ms: times[Math.floor(times.length * 0.99)]! };
}

const results = [
  // First check of each member: a cache miss, i.e. the ledger query itself.
  await measure('hasConsent, first check of a member (cache miss)', (id) => services.consent.hasConsent({ type: 'member', id }, 'marketing_email'), (i) => ids[i]!, ids.length),
  await measure('hasConsent(marketing_email), random member (mostly hits)', (id) => services.consent.hasConsent({ type: 'member', id }, 'marketing_email')),
  await measure('hasConsent(personalized_recommendations), random member', (id) => services.consent.hasConsent({ type: 'member', id }, 'personalized_recommendations')),
  await measure('isRestricted(db, member, usage)', (id) => isRestricted(db, id, 'usage')),
  await measure('baseline: SELECT 1', () => sql`SELECT 1`.execute(db)),
];
console.log(`PGlite, ${MEMBERS} members × 9 ledger rows, ${CALLS} calls each, Node ${process.version}, ${os.cpus().length} cores`);
for (const r of results) console.log(`${r.name.padEnd(58)} mean ${r.meanMs.toFixed(3)} ms  p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms`);
await services.stop();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });
