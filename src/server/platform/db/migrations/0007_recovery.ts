import { sql, type Kysely } from 'kysely';

/**
 * Account recovery: password resets, pending email/phone changes, confirmations of anonymous
 * "my account is compromised" reports, and the `locked` member status.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Add 'locked' to whatever statuses the members CHECK allows now (another migration may have
  // added its own), re-creating the constraint under its usual name.
  const checks = await sql<{ conname: string; def: string }>`
    SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid = 'members'::regclass AND contype = 'c'`.execute(db);
  const statusCheck = checks.rows.find((row) => /\bstatus\b/.test(row.def));
  const statuses = new Set(['pending_verification', 'pending_guardian', 'active', 'suspended', 'deleted']);
  if (statusCheck) {
    for (const match of statusCheck.def.matchAll(/'([a-z_]+)'/g)) statuses.add(match[1]!);
    await sql`ALTER TABLE members DROP CONSTRAINT ${sql.id(statusCheck.conname)}`.execute(db);
  }
  statuses.add('locked');
  const list = sql.join([...statuses].map((s) => sql.lit(s)));
  await sql`ALTER TABLE members ADD CONSTRAINT members_status_check CHECK (status IN (${list}))`.execute(db);

  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('email', 'sms')`))
    .addColumn('secret_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_resets_member').on('password_resets').columns(['member_id', 'created_at']).execute();
  await db.schema.createIndex('password_resets_secret').on('password_resets').columns(['channel', 'secret_hash']).execute();

  await db.schema
    .createTable('contact_changes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('email', 'phone')`))
    .addColumn('new_value', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text')
    .addColumn('secret_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_changes_member').on('contact_changes').columns(['member_id', 'kind', 'created_at']).execute();
  await db.schema.createIndex('contact_changes_secret').on('contact_changes').columns(['kind', 'secret_hash']).execute();

  await db.schema
    .createTable('compromise_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('compromise_reports_member').on('compromise_reports').columns(['member_id', 'created_at']).execute();
  await db.schema.createIndex('compromise_reports_secret').on('compromise_reports').column('secret_hash').execute();
}
