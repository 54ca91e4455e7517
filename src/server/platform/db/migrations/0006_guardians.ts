import { sql, type Kysely } from 'kysely';

/**
 * Guardians of members under 18 (policy 5): the guardian's contact (encrypted), the state of their
 * consent, and the invitation and withdrawal secrets as sha256 hashes only. One guardian per minor;
 * the row goes with the member's account.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('guardians')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().unique().references('members.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('id', 'en')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending', 'consented', 'refused', 'withdrawn')`))
    .addColumn('invite_hash', 'text', (c) => c.unique())
    .addColumn('invite_expires_at', 'timestamptz')
    .addColumn('withdraw_hash', 'text', (c) => c.unique())
    .addColumn('consented_at', 'timestamptz')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('guardians_consented_at', sql`(status IN ('consented', 'withdrawn')) = (consented_at IS NOT NULL)`)
    .addCheckConstraint('guardians_withdrawn_at', sql`(status = 'withdrawn') = (withdrawn_at IS NOT NULL)`)
    .execute();
}
