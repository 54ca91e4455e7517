import { sql, type Kysely } from 'kysely';

/**
 * A visitor's cookie choices in the consent ledger were never deleted: erasure ends a member's
 * evidence, but a visitor has no account to erase (P4.3, ADR 0016 session-11 amendment). The
 * retention job now deletes them once the data map's `withoutAccount` period has passed; the ledger's
 * trigger allows deleting a visitor's row only once the choice it records has lapsed (180 days, the
 * choice cookie's life, COOKIE_CHOICE_DAYS when this was written) — the exact period is the job's,
 * from the data map, and is longer. Everything else about the trigger is as 0024 left it.
 */
export async function up(db: Kysely<any>): Promise<void> {
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
      -- A visitor's cookie choice, once it is no longer in force.
      IF TG_OP = 'DELETE' AND OLD.subject_type = 'visitor' AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'consent_ledger is append-only (% refused)', TG_OP;
    END $$`.execute(db);
  await sql`CREATE INDEX consent_ledger_visitor_at ON consent_ledger (at) WHERE subject_type = 'visitor'`.execute(db);
}
