import { sql, type Kysely } from 'kysely';

/**
 * Profiles and privacy-safe discovery (issue 4, items 1–2; ADR 0014).
 *
 * One `member_profiles` row per member who has opened their profile: the fields they chose to fill,
 * each with its own visibility (everyone / connections / only me), the incognito and "plain ordering"
 * (objection to profiling) settings, and location as an H3 cell: the precise point (only with the
 * browser's permission) is stored encrypted and never leaves the server; only the cell (resolution 6)
 * and that cell's centroid are in clear, for queries. `member_photos` gains a position and a visibility.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const visibility = (column: string) => sql`${sql.ref(column)} IN ('everyone', 'connections', 'only_me')`;
  await db.schema
    .createTable('member_profiles')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('bio', 'text')
    .addColumn('bio_visibility', 'text', (c) => c.notNull().defaultTo('connections').check(visibility('bio_visibility')))
    .addColumn('interests', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('tags', 'text')
    .addColumn('interests_visibility', 'text', (c) => c.notNull().defaultTo('connections').check(visibility('interests_visibility')))
    .addColumn('languages', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('languages_visibility', 'text', (c) => c.notNull().defaultTo('connections').check(visibility('languages_visibility')))
    .addColumn('city', 'text')
    .addColumn('city_visibility', 'text', (c) => c.notNull().defaultTo('connections').check(visibility('city_visibility')))
    .addColumn('age_visibility', 'text', (c) => c.notNull().defaultTo('connections').check(visibility('age_visibility')))
    .addColumn('hidden', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('plain_ranking', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('gender_in_discovery', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('location_precise', 'text')
    .addColumn('location_source', 'text', (c) => c.check(sql`location_source IN ('precise', 'city')`))
    .addColumn('location_cell', 'text')
    .addColumn('cell_lat', 'double precision')
    .addColumn('cell_lng', 'double precision')
    .addColumn('synthetic', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('active_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('member_profiles_bio_length', sql`bio IS NULL OR length(bio) < 4000`)
    .execute();
  // Discovery: candidates near the viewer's cell; the plain ordering (objection) by recent activity.
  await db.schema.createIndex('member_profiles_cell').on('member_profiles').columns(['location_cell']).where(sql.ref('hidden'), '=', false).execute();
  await sql`CREATE INDEX member_profiles_interests ON member_profiles USING gin (interests) WHERE NOT hidden`.execute(db);
  await db.schema.createIndex('member_profiles_active').on('member_profiles').columns(['active_at desc', 'member_id']).where(sql.ref('hidden'), '=', false).execute();

  await db.schema.alterTable('member_photos').addColumn('position', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .alterTable('member_photos')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('connections').check(sql`visibility IN ('everyone', 'connections', 'only_me')`))
    .execute();
}
