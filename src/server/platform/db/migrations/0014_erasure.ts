import { sql, type Kysely } from 'kysely';

/**
 * Erasure ("delete my account", issue 5 item 7): the `deletion_pending` member status (the grace
 * period), the `erasures` progress record that makes the erasure resumable after a crash, and the
 * request log outliving the member (`rights_requests.member_id` loses its cascading foreign key:
 * it is kept, pseudonymous, as proof that the request was answered — see the data map).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Add 'deletion_pending' to whatever statuses the members CHECK allows now (as 0007 did for 'locked').
  const checks = await sql<{ conname: string; def: string }>`
    SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid = 'members'::regclass AND contype = 'c'`.execute(db);
  const statusCheck = checks.rows.find((row) => /\bstatus\b/.test(row.def));
  const statuses = new Set(['pending_verification', 'pending_guardian', 'active', 'suspended', 'deleted', 'locked']);
  if (statusCheck) {
    for (const match of statusCheck.def.matchAll(/'([a-z_]+)'/g)) statuses.add(match[1]!);
    await sql`ALTER TABLE members DROP CONSTRAINT ${sql.id(statusCheck.conname)}`.execute(db);
  }
  statuses.add('deletion_pending');
  const list = sql.join([...statuses].map((s) => sql.lit(s)));
  await sql`ALTER TABLE members ADD CONSTRAINT members_status_check CHECK (status IN (${list}))`.execute(db);

  // The request log must outlive the member: drop the cascading FK of rights_requests.member_id.
  const fks = await sql<{ conname: string }>`
    SELECT c.conname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.conrelid = 'rights_requests'::regclass AND c.contype = 'f' AND a.attname = 'member_id'`.execute(db);
  for (const fk of fks.rows) await sql`ALTER TABLE rights_requests DROP CONSTRAINT ${sql.id(fk.conname)}`.execute(db);

  await db.schema
    .createTable('erasures')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // SET NULL: the last database step deletes the member row; the record stays (without the id) until the receipt is sent.
    .addColumn('member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('request_id', 'uuid', (c) => c.notNull().references('rights_requests.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('pending', 'cancelled', 'running', 'erased', 'done')`))
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('id', 'en')`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('scheduled_for', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('erased_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('steps_done', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('summary', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('receipt_email', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('erasures_member').on('erasures').column('member_id').execute();
  await db.schema.createIndex('erasures_due').on('erasures').columns(['state', 'scheduled_for']).execute();
}
