import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-driver.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** The embedded engine, when there is one (dump/restore in tests, file checks). */
  pglite?: PGlite;
  /** The PostgreSQL connection string, for a dedicated LISTEN connection (social/realtime/hub.ts). */
  url?: string;
  close(): Promise<void>;
}

// int8 as string on both drivers: no precision loss, and the same type whichever database runs.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export async function openPostgres(url: string, poolSize = 10): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client dropped by the server (restart, failover, admin) must not crash the process:
  // the pool discards it and opens a fresh one on next use.
  pool.on('error', (err) => console.error(`PostgreSQL connection lost (${err.message}); the pool will reconnect`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', url, close: () => db.destroy() };
}

/**
 * PostgreSQL's default 128 MB of shared buffers (and 64 MB for index builds) live inside the embedded
 * engine's WASM memory, in the server's process, and WASM memory is never given back: 16 MB each
 * keeps a working embedded server ≈ 165 MB smaller (bench/results/face.md run 7). Pages beyond them
 * are read again from the data directory's files, which the OS caches.
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB'];

/** Runs initdb for a new data directory in a child process, whose memory is then returned (pglite-init.ts). */
async function initializeDataDir(dir: string): Promise<void> {
  // The same extension as this file: .js when compiled; .ts from source (tests, benchmarks), run through tsx.
  const extension = path.extname(fileURLToPath(import.meta.url));
  const script = fileURLToPath(new URL(`./pglite-init${extension}`, import.meta.url));
  await new Promise<void>((resolve, reject) => {
    const child = fork(script, [dir], { stdio: 'inherit', execArgv: extension === '.ts' ? ['--import', 'tsx'] : [] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`PGlite initdb for ${dir} exited with ${code}`))));
  });
}

/** Embedded PGlite in `dir` (created if missing); `undefined` keeps it in memory (tests). */
export async function openPglite(dir?: string, loadDataDir?: Blob): Promise<DatabaseHandle> {
  if (dir) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (!loadDataDir && !fs.existsSync(path.join(dir, 'PG_VERSION'))) await initializeDataDir(dir);
  }
  const pglite = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: PGLITE_START_PARAMS,
    parsers: { 20: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}
