import { sql, type Kysely } from 'kysely';

/**
 * Updates (posts) with an audience (P4.4), their photos (P4.6), likes and comments; the member's own
 * cross-border activity (P6.1); notifications and the member's email preferences for them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience IN ('public', 'connections', 'only_me')`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('posted_from_country', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('posts_member_created').on('posts').columns(['member_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('posts_public_created').on('posts').columns(['created_at', 'id']).where(sql.ref('audience'), '=', 'public').execute();
  await db.schema.createIndex('posts_idempotency').on('posts').columns(['member_id', 'idempotency_key']).unique().where(sql.ref('idempotency_key'), 'is not', null).execute();

  await db.schema
    .createTable('post_photos')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('storage_path', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('post_photos_post').on('post_photos').columns(['post_id', 'position']).execute();
  await db.schema.createIndex('post_photos_member').on('post_photos').column('member_id').execute();

  await db.schema
    .createTable('post_likes')
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_likes_pkey', ['post_id', 'member_id'])
    .execute();
  await db.schema.createIndex('post_likes_member').on('post_likes').column('member_id').execute();

  await db.schema
    .createTable('post_comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('post_comments_post').on('post_comments').columns(['post_id', 'created_at']).execute();
  await db.schema.createIndex('post_comments_member').on('post_comments').column('member_id').execute();

  await db.schema
    .createTable('cross_border_activity')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('object_id', 'uuid')
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cross_border_activity_member').on('cross_border_activity').columns(['member_id', 'created_at']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'uuid', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('object_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('read_at', 'timestamptz')
    .addColumn('emailed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('notifications_member_created').on('notifications').columns(['member_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('notifications_actor').on('notifications').column('actor_id').execute();

  await db.schema
    .createTable('notification_preferences')
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('email', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_preferences_pkey', ['member_id', 'kind'])
    .execute();
}
