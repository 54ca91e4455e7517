import { sql, type Kysely } from 'kysely';

/**
 * Login security (ADR 0009): the shared brute-force counters, the member's known devices and
 * networks (HMACs only), and on each session the device it came from and its approximate place.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // rate-limiter-flexible's RateLimiterPostgres table, exactly as it would create it (we pass
  // `tableCreated: true`): key → points within a window ending at `expire` (epoch ms).
  await db.schema
    .createTable('login_rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('login_rate_limits_expire').on('login_rate_limits').column('expire').execute();

  await db.schema
    .createTable('member_devices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('device_hash', 'text', (c) => c.notNull())
    .addColumn('device_label', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_devices_member_hash_key').on('member_devices').columns(['member_id', 'device_hash']).unique().execute();

  await db.schema
    .createTable('member_networks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('prefix_hash', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_networks_member_prefix_key').on('member_networks').columns(['member_id', 'prefix_hash']).unique().execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('device_id', 'uuid', (c) => c.references('member_devices.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('place', 'text').execute();
  await sql`CREATE INDEX sessions_member_created ON sessions (member_id, created_at DESC)`.execute(db);
}
