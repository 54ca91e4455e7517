// What does kill -9 of the Kenalan process, right after acknowledged writes, lose?
// For each database: a child writes rows (autocommit), we SIGKILL it after N acknowledgements,
// reopen the database and count how many acknowledged rows survived. Repeated a few times.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openPglite, openPostgres } from '../src/server/platform/db/database.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const KILL_AFTER = [1, 10, 100, 500];
const PG_ADMIN = process.env.KENALAN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function runWriter(kind: string, target: string, killAfter: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'durability-writer.ts'), kind, target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let acked = 0;
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ACK ')) acked = Number(line.slice(4));
        if (acked >= killAfter && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    child.on('exit', () => resolve());
  });
  await new Promise((r) => child.on('exit', r));
  return acked;
}

async function survivors(kind: string, target: string): Promise<number> {
  const handle = kind === 'pglite' ? await openPglite(target) : await openPostgres(target, 1);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM durability_probe`.execute(handle.db);
  await handle.close();
  return rows[0]!.n;
}

const results: { kind: string; killAfter: number; acked: number; survived: number; lost: number }[] = [];
for (const kind of ['pglite', 'postgres']) {
  for (const killAfter of KILL_AFTER) {
    for (let round = 0; round < ROUNDS; round++) {
      let target: string;
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      const dbName = `kenalan_durability_${process.pid}_${round}`;
      if (kind === 'pglite') target = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-durability-'));
      else {
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
        await admin.query(`CREATE DATABASE ${dbName}`);
        const url = new URL(PG_ADMIN);
        url.pathname = `/${dbName}`;
        target = url.toString();
      }
      const acked = await runWriter(kind, target, killAfter);
      const survived = await survivors(kind, target);
      results.push({ kind, killAfter, acked, survived, lost: Math.max(0, acked - survived) });
      if (kind === 'pglite') fs.rmSync(target, { recursive: true, force: true });
      else {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    }
  }
}

const summary = new Map<string, { rounds: number; acked: number; lost: number; maxLost: number }>();
for (const r of results) {
  const key = `${r.kind} kill after ${r.killAfter}`;
  const s = summary.get(key) ?? { rounds: 0, acked: 0, lost: 0, maxLost: 0 };
  s.rounds++;
  s.acked += r.acked;
  s.lost += r.lost;
  s.maxLost = Math.max(s.maxLost, r.lost);
  summary.set(key, s);
}
console.log('| database, SIGKILL after N acknowledged writes | rounds | acknowledged (total) | lost (total) | lost (worst round) |');
console.log('|---|---|---|---|---|');
for (const [key, s] of summary) console.log(`| ${key} | ${s.rounds} | ${s.acked} | ${s.lost} | ${s.maxLost} |`);
