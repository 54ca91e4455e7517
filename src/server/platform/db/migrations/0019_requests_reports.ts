import { sql, type Kysely } from 'kysely';

/**
 * Kenalan requests (introduction with a short encrypted message, one pending per pair) and the
 * moderation queue that member reports go to (social graph module, src/server/social/graph/).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kenalan_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // Either member's erasure removes the request: it is about the two of them and nobody else.
    .addColumn('from_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('to_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('intro', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addCheckConstraint('kenalan_requests_status', sql`status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired', 'cancelled')`)
    .addCheckConstraint('kenalan_requests_not_self', sql`from_id <> to_id`)
    .execute();
  // One pending request per pair, whichever direction.
  await sql`CREATE UNIQUE INDEX kenalan_requests_one_pending ON kenalan_requests (LEAST(from_id, to_id), GREATEST(from_id, to_id)) WHERE status = 'pending'`.execute(db);
  await sql`CREATE UNIQUE INDEX kenalan_requests_idempotency ON kenalan_requests (from_id, idempotency_key) WHERE idempotency_key IS NOT NULL`.execute(db);
  await db.schema.createIndex('kenalan_requests_from').on('kenalan_requests').columns(['from_id', 'created_at']).execute();
  await db.schema.createIndex('kenalan_requests_to').on('kenalan_requests').columns(['to_id', 'status', 'created_at']).execute();
  // Retention: ended requests are deleted 30 days after they ended (privacy/retention, by the data map).
  await sql`CREATE INDEX kenalan_requests_ended ON kenalan_requests (decided_at) WHERE status <> 'pending'`.execute(db);
  await sql`CREATE INDEX kenalan_requests_lapsed ON kenalan_requests (expires_at) WHERE status = 'pending'`.execute(db);

  await db.schema
    .createTable('moderation_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // The report stays for staff when the reporter leaves (shown as "former member").
    .addColumn('reporter_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    // Nothing is left to moderate once the reported account is erased; decisions stay in the audit log (ids only).
    .addColumn('reported_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('evidence_message_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('reporter_blocked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint(
      'moderation_cases_category',
      sql`category IN ('spam', 'scam', 'harassment', 'hate', 'sexual_content', 'minor_safety', 'impersonation', 'other')`,
    )
    .addCheckConstraint('moderation_cases_status', sql`status IN ('open', 'in_review', 'closed')`)
    .execute();
  await db.schema.createIndex('moderation_cases_queue').on('moderation_cases').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('moderation_cases_reporter').on('moderation_cases').columns(['reporter_id', 'created_at']).execute();
  await db.schema.createIndex('moderation_cases_reported').on('moderation_cases').column('reported_id').execute();
}
