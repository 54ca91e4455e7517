import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/server/platform/db/database.js';
import { POSTGRES_ADMIN_URL, postgresUrl, testDatabaseKind } from './template.js';

/**
 * An isolated, migrated database for one test file (or one test): a copy of the template the
 * global setup built. PGlite: a fresh in-memory instance loaded from the template dump.
 * PostgreSQL: CREATE DATABASE … TEMPLATE, dropped again on close.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDatabaseKind() === 'pglite') {
    const dump = fs.readFileSync(inject('pgliteTemplate'));
    return openPglite(undefined, new Blob([dump]));
  }
  const template = inject('postgresTemplate');
  const name = `kenalan_t_${crypto.randomBytes(4).toString('hex')}_${template.slice('kenalan_tpl_'.length)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const handle = await openPostgres(postgresUrl(name), 5);
  return {
    ...handle,
    async close() {
      await handle.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
