import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import pino from 'pino';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/server/platform/db/database.js';
import { migrateToLatest } from '../../src/server/platform/db/migrate.js';
import { createJobQueue } from '../../src/server/platform/jobs/queue.js';
import { POSTGRES_ADMIN_URL, postgresUrl, testDatabaseKind } from './template.js';

/** Migrations and pg-boss's schema, installed once into the template every test file copies. */
async function prepare(handle: DatabaseHandle): Promise<void> {
  await migrateToLatest(handle.db);
  const jobs = createJobQueue(handle.db, { pollSeconds: 1, logger: pino({ level: 'silent' }) });
  await jobs.start();
  await jobs.stop();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = testDatabaseKind();
  const run = crypto.randomBytes(4).toString('hex');
  if (kind === 'pglite') {
    const handle = await openPglite();
    await prepare(handle);
    const dump = await handle.pglite!.dumpDataDir('none');
    await handle.close();
    const file = path.join(os.tmpdir(), `kenalan-test-template-${run}.tar`);
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplate', file);
    return async () => fs.rmSync(file, { force: true });
  }

  const template = `kenalan_tpl_${run}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const handle = await openPostgres(postgresUrl(template), 2);
  await prepare(handle);
  await handle.close();
  project.provide('postgresTemplate', template);
  return async () => {
    // Drop this run's template and any per-file databases a crashed worker left behind.
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`kenalan_t%${run}%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}
