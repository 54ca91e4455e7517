import { sql, type Kysely } from 'kysely';

/**
 * Discovery at 100,000 members (issue 4, bench/results/discovery.md). The candidate walk needed a
 * join to `members` for every row it looked at (status, and `adult_from` for P5.2); both are now
 * copied onto `member_profiles` (`member_active`, `adult_from`) and kept in step by triggers, so no
 * writer of `members` (accounts, guardians, recovery, rights, erasure, tests) has to remember them:
 *
 * - a profile row gets both from its member when it is inserted;
 * - an update of `members.status` or `members.adult_from` is copied to the member's profile row.
 *
 * The copies are only read by discovery's walk; `canInteract` and every other check still read
 * `members`. Indexes: see below and social/profiles/candidates.ts, which reads them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('member_profiles')
    .addColumn('member_active', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('adult_from', 'text')
    .execute();
  await sql`
    UPDATE member_profiles p SET member_active = (m.status = 'active'), adult_from = m.adult_from
    FROM members m WHERE m.id = p.member_id`.execute(db);

  await sql`
    CREATE FUNCTION member_profiles_copy_member() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT m.status = 'active', m.adult_from INTO NEW.member_active, NEW.adult_from FROM members m WHERE m.id = NEW.member_id;
      NEW.member_active := coalesce(NEW.member_active, false);
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER member_profiles_copy_member BEFORE INSERT ON member_profiles
    FOR EACH ROW EXECUTE FUNCTION member_profiles_copy_member()`.execute(db);

  await sql`
    CREATE FUNCTION members_to_member_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE member_profiles SET member_active = (NEW.status = 'active'), adult_from = NEW.adult_from
      WHERE member_id = NEW.id AND (member_active IS DISTINCT FROM (NEW.status = 'active') OR adult_from IS DISTINCT FROM NEW.adult_from);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER members_to_member_profiles AFTER UPDATE OF status, adult_from ON members
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.adult_from IS DISTINCT FROM NEW.adult_from)
    EXECUTE FUNCTION members_to_member_profiles()`.execute(db);

  // Partial indexes over listed members (active, not incognito) replace those of 0018. The walk reads
  // `member_profiles_listed` newest first; the gather reads whichever fits its filters, each
  // restricted to what a filter can match at all (only fields shown to everyone).
  await db.schema.dropIndex('member_profiles_active').execute();
  await db.schema.dropIndex('member_profiles_cell').execute();
  await db.schema.dropIndex('member_profiles_interests').execute();
  const listed = sql`member_active AND NOT hidden`;
  await sql`CREATE INDEX member_profiles_listed ON member_profiles (active_at DESC, member_id) WHERE ${listed}`.execute(db);
  await sql`CREATE INDEX member_profiles_near ON member_profiles (location_cell, active_at DESC, member_id) WHERE ${listed} AND city_visibility = 'everyone'`.execute(db);
  await sql`CREATE INDEX member_profiles_interests_public ON member_profiles USING gin (interests) WHERE ${listed} AND interests_visibility = 'everyone'`.execute(db);
  await sql`CREATE INDEX member_profiles_languages_public ON member_profiles USING gin (languages) WHERE ${listed} AND languages_visibility = 'everyone'`.execute(db);
  await sql`CREATE INDEX member_profiles_adult_from ON member_profiles (adult_from) WHERE ${listed}`.execute(db);
}
