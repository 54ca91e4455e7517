import type { Kysely } from 'kysely';

/**
 * Marketing newsletters (P2.2): the text in both languages, one delivery row per member it
 * was sent to (the token behind its unsubscribe link and, only with tracking consent, its pixel and
 * tracked links), and the clicks recorded under that consent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('newsletters')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_en', 'text', (c) => c.notNull())
    .addColumn('body_id', 'text', (c) => c.notNull())
    .addColumn('body_en', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('newsletter_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('newsletter_id', 'uuid', (c) => c.notNull().references('newsletters.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('tracked', 'boolean', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz')
    .addColumn('unsubscribed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('newsletter_deliveries_once').on('newsletter_deliveries').columns(['newsletter_id', 'member_id']).unique().execute();
  await db.schema.createIndex('newsletter_deliveries_member').on('newsletter_deliveries').column('member_id').execute();

  await db.schema
    .createTable('newsletter_clicks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('newsletter_deliveries.id').onDelete('cascade'))
    .addColumn('link_index', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('newsletter_clicks_delivery').on('newsletter_clicks').column('delivery_id').execute();
}
