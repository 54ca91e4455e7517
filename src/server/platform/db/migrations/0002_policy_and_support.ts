import { sql, type Kysely } from 'kysely';

/** Versioned Privacy Policy documents and public support tickets. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('policy_versions')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('effective_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('parity_report', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('policy_documents')
    .addColumn('version', 'text', (c) => c.notNull().references('policy_versions.version'))
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('id', 'en')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('source_text', 'text', (c) => c.notNull())
    .addColumn('sections', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_documents_pk', ['version', 'language'])
    .execute();

  await sql`CREATE SEQUENCE support_ticket_number_seq`.execute(db);
  await db.schema
    .createTable('support_tickets')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_bidx', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('support_tickets_email_bidx').on('support_tickets').column('email_bidx').execute();
}
