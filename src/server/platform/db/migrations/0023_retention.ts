import { sql, type Kysely } from 'kysely';

/**
 * The retention job (privacy/retention, ADR 0016, P4.3).
 * - `closed_at` on support tickets and moderation cases: their retention counts from closing, and
 *   a NULL means still open (nothing closes them yet; the staff tools that will must set it).
 * - The audit chain's start: the job cuts the log's oldest rows (kept five years) as a prefix, so
 *   the chain verifies from `start_seq`, whose row links to `start_prev_hash`, instead of from the
 *   genesis; the append-only trigger lets only rows before `start_seq` be deleted.
 * - Indexes on the clocks the job sweeps by, where no index served already.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('support_tickets').addColumn('closed_at', 'timestamptz').execute();
  await db.schema.alterTable('moderation_cases').addColumn('closed_at', 'timestamptz').execute();
  await db.schema.alterTable('audit_head').addColumn('start_seq', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('audit_head').addColumn('start_prev_hash', 'text', (c) => c.notNull().defaultTo('0'.repeat(64))).execute();
  // The log stays append-only, except for rows the head has already cut off from the chain.
  await sql`
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.seq < (SELECT start_seq FROM audit_head WHERE id = 1) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
    END $$`.execute(db);
  await sql`CREATE INDEX notifications_created_at ON notifications (created_at)`.execute(db);
  await sql`CREATE INDEX sessions_expiry ON sessions ((COALESCE(revoked_at, expires_at)))`.execute(db);
}

