import { sql, type Kysely } from 'kysely';

/** Members (sign-up), their profile photos' metadata, and phone/email verification secrets. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('members')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_norm', 'text', (c) => c.notNull())
    .addColumn('nickname', 'text', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull().check(sql`gender IN ('female', 'male', 'nonbinary', 'unspecified')`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_bidx', 'text', (c) => c.notNull())
    .addColumn('email_verified_at', 'timestamptz')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('phone_bidx', 'text', (c) => c.notNull())
    .addColumn('phone_verified_at', 'timestamptz')
    .addColumn('nik', 'text', (c) => c.notNull())
    .addColumn('nik_bidx', 'text', (c) => c.notNull())
    .addColumn('nik_last4', 'text', (c) => c.notNull())
    .addColumn('date_of_birth', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('id', 'en')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('pending_verification', 'pending_guardian', 'active', 'suspended', 'deleted')`),
    )
    .addColumn('idempotency_key', 'text')
    .addColumn('sms_requested_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('members_username_norm_key').on('members').column('username_norm').unique().execute();
  await db.schema.createIndex('members_email_bidx_key').on('members').column('email_bidx').unique().execute();
  await db.schema.createIndex('members_phone_bidx_key').on('members').column('phone_bidx').unique().execute();
  await db.schema.createIndex('members_nik_bidx_key').on('members').column('nik_bidx').unique().execute();
  await db.schema.createIndex('members_idempotency_key_key').on('members').column('idempotency_key').unique().execute();

  await db.schema
    .createTable('member_photos')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('storage_path', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_photos_member').on('member_photos').column('member_id').execute();

  await db.schema
    .createTable('verification_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('phone', 'email')`))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('verification_codes_member').on('verification_codes').columns(['member_id', 'channel', 'created_at']).execute();
  await db.schema.createIndex('verification_codes_secret').on('verification_codes').columns(['channel', 'secret_hash']).execute();
}
