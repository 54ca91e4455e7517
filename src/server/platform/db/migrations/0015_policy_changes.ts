import { sql, type Kysely } from 'kysely';

/**
 * Policy changes (P7.1, P7.2): what each published version changed (material or not, reduces
 * rights or not, affected consent purposes, the list of changes in both languages), the change
 * notices emailed to members (one row per member and version, so a retried job sends nobody twice),
 * and every member's decision on a material version (accepted / declined) with the version that
 * governs them afterwards.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('policy_changes')
    .addColumn('version', 'text', (c) => c.primaryKey().references('policy_versions.version'))
    .addColumn('previous_version', 'text', (c) => c.references('policy_versions.version'))
    .addColumn('material', 'boolean', (c) => c.notNull())
    .addColumn('reduces_rights', 'boolean', (c) => c.notNull())
    .addColumn('kinds', 'jsonb', (c) => c.notNull())
    .addColumn('affected_purposes', 'jsonb', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('policy_changes_reduces_rights_material', sql`NOT reduces_rights OR material`)
    .execute();

  await db.schema
    .createTable('policy_notices')
    .addColumn('version', 'text', (c) => c.notNull().references('policy_versions.version'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addPrimaryKeyConstraint('policy_notices_pkey', ['version', 'member_id'])
    .execute();
  await db.schema.createIndex('policy_notices_member').on('policy_notices').column('member_id').execute();

  await db.schema
    .createTable('policy_decisions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('version', 'text', (c) => c.notNull().references('policy_versions.version'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision IN ('accepted', 'declined')`))
    .addColumn('governing_version', 'text', (c) => c.notNull().references('policy_versions.version'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('policy_decisions_member').on('policy_decisions').columns(['member_id', 'at']).execute();
}
