import { sql, type Kysely } from 'kysely';

/**
 * Staff roles (members with roles an operator granted, ADR 0012), restriction of processing by
 * data-map category (UU PDP right to restrict), and export upkeep: an encrypted export's wrapped
 * file key and the `expired` state the sweeper sets once the file is deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_roles')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('privacy_officer', 'moderator', 'face_reviewer', 'support')`))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .execute();
  await sql`CREATE UNIQUE INDEX staff_roles_active ON staff_roles (member_id, role) WHERE revoked_at IS NULL`.execute(db);

  await db.schema
    .createTable('processing_restrictions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category IN ('location', 'device', 'usage')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('processing_restrictions_member_category', ['member_id', 'category'])
    .execute();

  await db.schema.alterTable('data_exports').addColumn('file_key', 'text').execute();
  await sql`ALTER TABLE data_exports DROP CONSTRAINT IF EXISTS data_exports_status_check`.execute(db);
  await sql`ALTER TABLE data_exports ADD CONSTRAINT data_exports_status_check CHECK (status IN ('queued', 'ready', 'failed', 'expired'))`.execute(db);
  await db.schema.createIndex('data_exports_expiry').on('data_exports').columns(['status', 'expires_at']).execute();
}
