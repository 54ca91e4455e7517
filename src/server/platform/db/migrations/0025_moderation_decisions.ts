import { sql, type Kysely } from 'kysely';

/**
 * The moderators' side of member reports (src/server/ops/moderation/): a case is closed with a
 * decision — dismissed (no violation), warned, or suspended — by a moderator, with a staff note
 * (encrypted). `closed_at` (0023) and `status = 'closed'` are set in the same update.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('moderation_cases')
    .addColumn('decision', 'text')
    // The moderator's member id; the decision stays (without the name) if their account is erased.
    .addColumn('decided_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('staff_note', 'text')
    .execute();
  await sql`ALTER TABLE moderation_cases ADD CONSTRAINT moderation_cases_decision CHECK (decision IS NULL OR decision IN ('dismissed', 'warned', 'suspended'))`.execute(db);
  // A closed case always has its decision and closing time.
  await sql`ALTER TABLE moderation_cases ADD CONSTRAINT moderation_cases_closed CHECK (status <> 'closed' OR (decision IS NOT NULL AND closed_at IS NOT NULL))`.execute(db);
  await db.schema.createIndex('moderation_cases_decided_by').on('moderation_cases').column('decided_by').execute();
}
