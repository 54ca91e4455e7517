import { sql, type Kysely } from 'kysely';

/**
 * Rows erasure keeps end when their declared period ends (P4.3, ADR 0016 amendment).
 * - `subject_erased_at` on the tables whose `keep` fields are not already ended by the table's own
 *   `created` period: erasure stamps the rows it keeps with the moment of erasure, and the
 *   retention job counts each kept field's `forDays` from it (partial indexes: only kept rows).
 * - The consent ledger stays append-only for everyone else; a row about an erased member (the
 *   member row gone or `deleted`) may be stamped once, with nothing else changed; a stamped row may
 *   only have values emptied, or be deleted. When is the job's to decide, from the data map.
 * - Rows kept before this migration: consent evidence gets the time of its member's erasure from
 *   the audit log (`privacy.erased`), or now when the log no longer has it; tombstones of erased
 *   senders and reports of erased reporters (their member id already NULL, the time lost) get now,
 *   so they end their period after this migration at the latest.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['consent_ledger', 'moderation_cases', 'chat_messages']) {
    await db.schema.alterTable(table).addColumn('subject_erased_at', 'timestamptz').execute();
    await sql`CREATE INDEX ${sql.id(`${table}_kept`)} ON ${sql.table(table)} (subject_erased_at) WHERE subject_erased_at IS NOT NULL`.execute(db);
  }
  await sql`
    CREATE OR REPLACE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Erasure stamps the evidence of an erased member, once, and changes nothing else.
      IF TG_OP = 'UPDATE' AND OLD.subject_erased_at IS NULL AND NEW.subject_erased_at IS NOT NULL
         AND OLD.subject_type = 'member'
         AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id::text = OLD.subject_id AND m.status <> 'deleted')
         AND to_jsonb(NEW) - 'subject_erased_at' = to_jsonb(OLD) - 'subject_erased_at' THEN
        RETURN NEW;
      END IF;
      -- The retention job may empty values of a stamped row (a shorter kept period)…
      IF TG_OP = 'UPDATE' AND OLD.subject_erased_at IS NOT NULL AND NEW.subject_erased_at = OLD.subject_erased_at
         AND NOT EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(NEW)) n WHERE n.value IS DISTINCT FROM to_jsonb(OLD) -> n.key AND n.value <> 'null'::jsonb) THEN
        RETURN NEW;
      END IF;
      -- …and delete it once its period is over.
      IF TG_OP = 'DELETE' AND OLD.subject_erased_at IS NOT NULL THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'consent_ledger is append-only (% refused)', TG_OP;
    END $$`.execute(db);
  await sql`
    UPDATE consent_ledger c SET subject_erased_at = COALESCE(
      (SELECT min(a.at) FROM audit_log a WHERE a.action = 'privacy.erased' AND a.subject_type = 'member' AND a.subject_id = c.subject_id),
      now())
    WHERE c.subject_type = 'member' AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id::text = c.subject_id)`.execute(db);
  await sql`UPDATE chat_messages SET subject_erased_at = now() WHERE sender_id IS NULL`.execute(db);
  await sql`UPDATE moderation_cases SET subject_erased_at = now() WHERE reporter_id IS NULL`.execute(db);
}
