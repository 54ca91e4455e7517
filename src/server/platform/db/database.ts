import fs from 'node:fs';
import path from 'node:path';
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

/** Embedded PGlite in `dir` (created if missing); `undefined` keeps it in memory (tests). */
export async function openPglite(dir?: string, loadDataDir?: Blob): Promise<DatabaseHandle> {
  if (dir) fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pglite = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { 20: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}
