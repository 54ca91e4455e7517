import { sql, type Kysely } from 'kysely';

/**
 * Face verification (P1.5, issue 6): challenges and checks (no image, no template), the encrypted
 * template of a verified member (each with its own data key), the public "verified" badge, and
 * the staff review cases of borderline checks (frames encrypted on disk while the case is open).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('face_checks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('challenge', 'text', (c) => c.notNull().check(sql`challenge IN ('turn_left', 'turn_right', 'smile')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('open', 'verified', 'review', 'refused')`))
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('face_checks_member').on('face_checks').columns(['member_id', 'created_at']).execute();

  await db.schema
    .createTable('face_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().unique().references('members.id').onDelete('cascade'))
    .addColumn('data_key', 'text', (c) => c.notNull())
    .addColumn('embedding', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('face_badges')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('check_id', 'uuid', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method IN ('automatic', 'review')`))
    .addColumn('verified_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('face_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('check_id', 'uuid', (c) => c.notNull().unique().references('face_checks.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('open', 'approved', 'rejected', 'withdrawn')`))
    .addColumn('data_key', 'text')
    .addColumn('embedding', 'text')
    .addColumn('scores', 'text', (c) => c.notNull())
    .addColumn('frames', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('face_reviews_open').on('face_reviews').columns(['status', 'created_at']).execute();
}
