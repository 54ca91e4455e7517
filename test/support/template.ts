
export type TestDatabaseKind = 'pglite' | 'postgres';

export function testDatabaseKind(): TestDatabaseKind {
  const kind = process.env.KENALAN_TEST_DB ?? 'pglite';
  if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`KENALAN_TEST_DB must be pglite or postgres, got ${kind}`);
  return kind;
}

/** Admin connection for creating per-file databases on the test PostgreSQL server. */
export const POSTGRES_ADMIN_URL = process.env.KENALAN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function postgresUrl(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Where the global setup leaves the PGlite template (a data-directory dump) for this run. */
