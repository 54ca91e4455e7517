import { CompiledQuery, type Kysely } from 'kysely';
import { RateLimiterPostgres } from 'rate-limiter-flexible';

type PostgresLimiterOptions = ConstructorParameters<typeof RateLimiterPostgres>[0];

/** The table rate-limiter-flexible keeps its counters in; created by migration 0009 (ADR 0009). */
export const RATE_LIMIT_TABLE = 'login_rate_limits';

type StoreQuery = string | { text: string; values?: unknown[]; name?: string };

/**
 * A node-postgres-shaped client for RateLimiterPostgres whose every statement runs through our
 * Kysely instance: on PostgreSQL through the pool, on PGlite through the dialect's mutex (PGlite
 * is one session; talking to it directly would interleave with a running transaction).
 *
 * rate-limiter-flexible reads `rows` and `rowCount` only. `expire` is int8, which both drivers
 * return as a string here (see database.ts); it is turned into a number for the library's
 * arithmetic. Named statements are not prepared (Kysely sends them as they are).
 */
export function kyselyStoreClient(db: Kysely<any>) {
  return {
    async query(query: StoreQuery, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const text = typeof query === 'string' ? query : query.text;
      const parameters = (typeof query === 'string' ? values : query.values) ?? [];
      const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
      const rows = (result.rows as Record<string, unknown>[]).map((row) =>
        'expire' in row ? { ...row, expire: row.expire === null || row.expire === undefined ? null : Number(row.expire) } : row,
      );
      // SELECT / RETURNING: the rows; DELETE: the rows it removed (PGlite reports 0 affected for a SELECT).
      const rowCount = rows.length > 0 ? rows.length : Number(result.numAffectedRows ?? 0);
      return { rows, rowCount };
    },
  };
}

/**
 * A RateLimiterPostgres on our table through Kysely. `clearExpired` makes this limiter delete rows
 * that expired over an hour ago, every 5 minutes (one limiter per process is enough: the table is shared).
 */
export function postgresLimiter(
  db: Kysely<any>,
  options: Omit<PostgresLimiterOptions, 'storeClient' | 'storeType' | 'tableName' | 'tableCreated'> & { keyPrefix: string; clearExpired?: boolean },
): RateLimiterPostgres {
  const { clearExpired = false, ...rest } = options;
  return new RateLimiterPostgres({
    ...rest,
    storeClient: kyselyStoreClient(db),
    storeType: 'client',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    clearExpiredByTimeout: clearExpired,
  });
}
