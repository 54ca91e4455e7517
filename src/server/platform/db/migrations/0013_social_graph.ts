import { sql, type Kysely } from 'kysely';

/**
 * The social graph every social module builds on: who is connected to whom, who blocked whom, and
 * the day each member turns 18 (P5.2: minors and adults are kept apart in every social path).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Filled at sign-up; members who signed up before this migration get it at the next start
  // (compose runs backfillAdultFrom), because the date of birth is encrypted and SQL cannot read it.
  await db.schema.alterTable('members').addColumn('adult_from', 'text').execute();

  // One row per direction, so "my connections" is one index range and erasure finds rows by either column.
  await db.schema
    .createTable('connections')
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('other_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('connections_pkey', ['member_id', 'other_id'])
    .addCheckConstraint('connections_not_self', sql`member_id <> other_id`)
    .execute();
  await db.schema.createIndex('connections_other').on('connections').column('other_id').execute();

  await db.schema
    .createTable('blocks')
    .addColumn('blocker_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('blocked_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pkey', ['blocker_id', 'blocked_id'])
    .addCheckConstraint('blocks_not_self', sql`blocker_id <> blocked_id`)
    .execute();
  await db.schema.createIndex('blocks_blocked').on('blocks').column('blocked_id').execute();
}
