import { sql, type Kysely } from 'kysely';

/**
 * How many listed members show their area in each location cell (issue 4, discovery p99). Discovery
 * picks the shape of a distance page from it (social/profiles/candidates.ts): around a dense city
 * the ring holds so many matches that walking the most recently active members fills the page
 * sooner than gathering the ring, and around a small town the opposite. PostgreSQL's statistics
 * cannot tell the two apart (the cell list has ~200 values of ~2,600).
 *
 * A row counts exactly the rows of the partial index `member_profiles_near` (migration 0022): active,
 * not incognito, city shown to everyone, with a cell. Kept by a trigger on `member_profiles`, which
 * fires only when one of those columns changes (not on the frequent `active_at` touches). Counts only,
 * nobody's id: never shown to anyone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('member_cell_counts')
    .addColumn('cell', 'text', (c) => c.primaryKey())
    .addColumn('listed', 'integer', (c) => c.notNull().check(sql`listed >= 0`))
    .execute();

  // The old and the new cell are locked in text order, so two members crossing between the same two
  // cells in opposite directions at once cannot deadlock.
  await sql`
    CREATE FUNCTION member_cell_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      old_cell text;
      new_cell text;
      cell_delta record;
    BEGIN
      IF TG_OP <> 'INSERT' AND OLD.member_active AND NOT OLD.hidden AND OLD.city_visibility = 'everyone' THEN
        old_cell := OLD.location_cell;
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.member_active AND NOT NEW.hidden AND NEW.city_visibility = 'everyone' THEN
        new_cell := NEW.location_cell;
      END IF;
      IF old_cell IS NOT DISTINCT FROM new_cell THEN
        RETURN NULL;
      END IF;
      FOR cell_delta IN
        SELECT d.cell, d.delta FROM (VALUES (old_cell, -1), (new_cell, 1)) AS d(cell, delta) WHERE d.cell IS NOT NULL ORDER BY d.cell
      LOOP
        INSERT INTO member_cell_counts AS c (cell, listed) VALUES (cell_delta.cell, greatest(cell_delta.delta, 0))
        ON CONFLICT (cell) DO UPDATE SET listed = greatest(c.listed + cell_delta.delta, 0);
      END LOOP;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER member_cell_counts_keep
    AFTER INSERT OR DELETE OR UPDATE OF member_active, hidden, city_visibility, location_cell ON member_profiles
    FOR EACH ROW EXECUTE FUNCTION member_cell_counts_keep()`.execute(db);

  await sql`
    INSERT INTO member_cell_counts (cell, listed)
    SELECT location_cell, count(*) FROM member_profiles
    WHERE member_active AND NOT hidden AND city_visibility = 'everyone' AND location_cell IS NOT NULL
    GROUP BY location_cell`.execute(db);
}
