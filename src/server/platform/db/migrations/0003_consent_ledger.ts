import { sql, type Kysely } from 'kysely';

/** The consent ledger: every acceptance of a policy version and every consent given or withdrawn. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consent_ledger')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull().check(sql`subject_type IN ('member', 'guardian', 'visitor')`))
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) =>
      c.notNull().check(sql`event IN ('policy_accepted', 'consent_granted', 'consent_withdrawn')`),
    )
    .addColumn('purpose', 'text')
    .addColumn('policy_version', 'text', (c) => c.notNull().references('policy_versions.version'))
    .addColumn('policy_sha256', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('id', 'en')`))
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('consent_ledger_purpose', sql`(event = 'policy_accepted') = (purpose IS NULL)`)
    .execute();
  await db.schema.createIndex('consent_ledger_subject').on('consent_ledger').columns(['subject_type', 'subject_id', 'at']).execute();
  // Evidence of consent is never rewritten: corrections are new entries.
  await sql`
    CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'consent_ledger is append-only (% refused)', TG_OP;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER consent_ledger_append_only BEFORE UPDATE OR DELETE ON consent_ledger
    FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only()`.execute(db);
}
