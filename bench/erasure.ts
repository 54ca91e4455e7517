// Erasure of one member with 10,000 chat messages and 50 photos (target ≤ 3 s), on PGlite and
// PostgreSQL. The member signs up through the real API (photo and thumbnails on disk); the
// conversation, its 10,000 messages (encrypted bodies, as the chat module stores them) and 50 more
// re-encoded photos (files + member_photos rows) are inserted directly; the deletion is requested
// through the service, and the timed part is one erasure run after the grace period: every
// data-map table, the files, the job queue, the member row and the receipt email (dev mailbox).
//
// Usage: npx tsx bench/erasure.ts
//   DATABASES=pglite,postgres (default both)   PG_URL=postgres://postgres@127.0.0.1:5432/postgres
//   RUNS=3 (members erased per database)   MESSAGES=10000   PHOTOS=50
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { makeErasureService } from '../src/server/privacy/erasure/service.js';
import { addHistory, openBenchKenalan, PASSWORD, signUpBenchMember } from './support/member-with-history.js';

const DATABASES = (process.env.DATABASES ?? 'pglite,postgres').split(',');
const RUNS = Number(process.env.RUNS ?? 3);
const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const PHOTOS = Number(process.env.PHOTOS ?? 50);
const DAY = 24 * 3600 * 1000;

async function bench(kind: string): Promise<number[]> {
  const k = await openBenchKenalan(kind, 'erasure');
  const { services, config, dataDir } = k;
  const { db } = k.database;
  const keyring = services.keyring;

  const timings: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const member = await signUpBenchMember(k, run * 2 + 1);
    const partner = await signUpBenchMember(k, run * 2 + 2);
    const { conversation } = await addHistory(k, member, partner, { messages: MESSAGES, photos: PHOTOS, tag: String(run) });
    const { erasureId } = await services.erasure.request(member, PASSWORD);
    // Per-step times (the gap between one step's start and the next's).
    const marks: [string, number][] = [];
    const profiled = makeErasureService({
      db, keyring, jobs: services.jobs, mailer: services.mailer, dataDir, publicUrl: config.PUBLIC_URL, logger: services.logger, graceDays: 14,
      beforeStep: (step) => void marks.push([step, performance.now()]),
    });
    const start = performance.now();
    const outcome = await profiled.run(erasureId, { now: new Date(Date.now() + 15 * DAY) });
    const ms = performance.now() - start;
    marks.push(['end', performance.now()]);
    const slowest = marks.slice(0, -1).map(([step, at], i) => [step, marks[i + 1]![1] - at] as const).sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(`  slowest steps: ${slowest.map(([step, d]) => `${step} ${d.toFixed(0)} ms`).join(', ')}; ${marks.length - 1} steps`);
    if (outcome !== 'done') throw new Error(`erasure ${outcome}`);
    // The partner keeps the tombstones ("former member"): sender gone, text replaced as the data map declares.
    const left = await sql<{ n: string; bodies: string[] }>`SELECT count(*)::text AS n, array_agg(DISTINCT body) AS bodies FROM chat_messages WHERE conversation_id = ${conversation}`.execute(db);
    const bodies = left.rows[0]!.bodies.map((b) => keyring.decrypt(b, 'chat_messages.body'));
    if (Number(left.rows[0]!.n) !== MESSAGES || bodies.some((b) => b !== '')) throw new Error('message text left after erasure');
    const mine = await sql<{ n: string }>`SELECT count(*)::text AS n FROM chat_messages WHERE sender_id = ${member}`.execute(db);
    if (Number(mine.rows[0]!.n) !== 0) throw new Error('messages still name the member');
    if (fs.existsSync(path.join(dataDir, 'media', 'members', member))) throw new Error('member folder left after erasure');
    timings.push(ms);
    console.log(`${kind} run ${run + 1}: ${ms.toFixed(0)} ms (${MESSAGES} messages, ${PHOTOS + 3} files)`);
  }
  await k.close();
  return timings;
}

for (const kind of DATABASES) {
  const timings = await bench(kind);
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(`${kind}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (target ≤ 3000 ms)`);
}
