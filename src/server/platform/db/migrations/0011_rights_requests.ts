import { sql, type Kysely } from 'kysely';

/**
 * Data-subject rights requests (UU PDP: answered within 3 × 24 hours) and the data exports that
 * answer access/portability requests.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rights_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('access', 'erasure', 'correction', 'restriction', 'objection')`))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('rights_requests_member').on('rights_requests').columns(['member_id', 'received_at']).execute();
  await db.schema.createIndex('rights_requests_open').on('rights_requests').columns(['completed_at', 'due_at']).execute();

  await db.schema
    .createTable('data_exports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('request_id', 'uuid', (c) => c.notNull().references('rights_requests.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('queued', 'ready', 'failed')`))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text')
    .addColumn('bytes', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ready_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('downloaded_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('data_exports_member').on('data_exports').columns(['member_id', 'created_at']).execute();
}
