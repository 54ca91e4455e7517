import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { DistanceBand } from '../../../common/social/profile.js';

/**
 * The SQL of one discovery page (discovery.ts decides what goes in). Candidates are read from
 * `member_profiles` alone: `member_active` and `adult_from` are copies of `members` kept in step by
 * triggers (migration 0022), so the walk never joins `members`; only the page's ~20 rows are joined
 * to it (username, nickname), with their first public photo, in the same statement.
 *
 * Two shapes of the same answer ("the `poolSize` most recently active listed members that pass every
 * filter and exclusion", then ordered by `score`), each with a budget:
 *
 * - `walk`: read listed members newest first through `member_profiles_listed` and keep those that
 *   pass. Cheap when many members match (no filter, an age range, a big city). If it fills the pool
 *   within its budget the answer is exact: any match beyond the budget is older than every row in it.
 * - `gather`: collect the listed members that pass the filters through the index that fits (the
 *   per-cell `member_profiles_near` for a distance, GIN for interests or a language, `adult_from`
 *   for ages), then sort. Cheap when few match; exact if fewer than its budget matched.
 *
 * Discovery tries the likelier shape first (attemptsFor) and, if it ran out of budget, the other one
 * — which is then cheap by construction: a walk that ran out means fewer than poolSize/budget of the
 * members match, a gather that ran out means at least `budget` do. Which goes first: walksFirst (for a
 * distance filter, from the ring's size in member_cell_counts, kept by a trigger — a dense city's
 * ring walks, a small town's gathers). At 100,000 members a page reads a few thousand rows at most, where
 * PostgreSQL's own choice between the two read up to all of them (bench/results/discovery.md).
 */
export const SHAPE_BUDGET = 5000;

/** Listed members showing their area: inside the distance ring, and everywhere (member_cell_counts). */
export interface RingDensity {
  inRing: number;
  listed: number;
}

export async function ringDensity(db: Kysely<Database>, cells: string[]): Promise<RingDensity> {
  const row = await db
    .selectFrom('member_cell_counts')
    .select([
      sql<string>`coalesce(sum(listed) FILTER (WHERE cell = ANY(${sql.val(cells)}::text[])), 0)`.as('in_ring'),
      sql<string>`coalesce(sum(listed), 0)`.as('listed'),
    ])
    .executeTakeFirstOrThrow();
  return { inRing: Number(row.in_ring), listed: Number(row.listed) };
}

type Attempt = ['walk' | 'gather', number | null];

/**
 * Whether a page should walk first. Without a distance filter, yes. With one and an interest or a
 * language, no: their GIN indexes, rechecked against the cells, gather few rows wherever the viewer
 * is. With a distance alone (or with an age or gender), the ring's size decides (denseRing).
 */
export async function walksFirst(db: Kysely<Database>, filters: DiscoveryFilters, cells: string[] | undefined, poolSize: number): Promise<boolean> {
  if (cells === undefined) return true;
  if ((filters.interests?.length ?? 0) > 0 || filters.language) return false;
  return denseRing(await ringDensity(db, cells), poolSize);
}

/** A walk reads about poolSize × listed / inRing rows to fill its pool, a gather about inRing. */
export function denseRing(ring: RingDensity, poolSize: number): boolean {
  return ring.inRing * ring.inRing > poolSize * ring.listed;
}

/**
 * The attempts for one page, in order; the last has no budget, so it always answers. A walk is
 * always given a budget: without a LIMIT PostgreSQL plans it for every listed member (a sequential
 * scan and a sort); with one it reads the activity index newest first.
 */
export function attemptsFor(walkFirst: boolean, distanceFilter: boolean): Attempt[] {
  // A distance page walks only when its ring is dense; an age or gender on top may thin the matches,
  // so it may read further before the unbudgeted gather (the walk stops as soon as the pool is full).
  if (walkFirst) {
    return [
      ['walk', distanceFilter ? 4 * SHAPE_BUDGET : SHAPE_BUDGET],
      ['gather', null],
    ];
  }
  return [
    ['gather', SHAPE_BUDGET],
    ['walk', 4 * SHAPE_BUDGET],
    ['gather', null],
  ];
}

export interface DiscoveryFilters {
  minAge?: number;
  maxAge?: number;
  gender?: 'female' | 'male' | 'nonbinary';
  interests?: string[];
  within?: DistanceBand;
  language?: string;
}

/** Shifts a YYYY-MM-DD date by whole years (29 Feb → 28 Feb). */
function shiftYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = m === 2 && d === 29 ? 28 : d;
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Row filters on the candidate's profile row `p`: the viewer's age group (P5.2) and the chosen filters. */
export function rowFilters(filters: DiscoveryFilters, today: string, adult: boolean, cells: string[] | undefined): RawBuilder<boolean>[] {
  // Unknown adult_from counts as a minor (the safe side, as ageGroup). Both forms can use the adult_from index.
  const where: RawBuilder<boolean>[] = [adult ? sql<boolean>`p.adult_from <= ${today}` : sql<boolean>`(p.adult_from IS NULL OR p.adult_from > ${today})`];
  if (filters.minAge !== undefined || filters.maxAge !== undefined) {
    where.push(sql<boolean>`p.age_visibility = 'everyone'`);
    // age ≥ a ⇔ turned 18 at least (a − 18) years ago; age ≤ b ⇔ turned 18 less than (b − 17) years ago.
    if (filters.minAge !== undefined) where.push(sql<boolean>`p.adult_from <= ${shiftYears(today, 18 - filters.minAge)}`);
    if (filters.maxAge !== undefined) where.push(sql<boolean>`p.adult_from > ${shiftYears(today, 17 - filters.maxAge)}`);
  }
  // Gender lives only on members (never copied): checked for the candidates that opted in.
  if (filters.gender) where.push(sql<boolean>`p.gender_in_discovery AND EXISTS (SELECT 1 FROM members g WHERE g.id = p.member_id AND g.gender = ${filters.gender})`);
  if (filters.interests && filters.interests.length > 0) {
    where.push(sql<boolean>`p.interests_visibility = 'everyone' AND p.interests && ${sql.val(filters.interests)}::text[]`);
  }
  if (filters.language) where.push(sql<boolean>`p.languages_visibility = 'everyone' AND p.languages @> ARRAY[${filters.language}]::text[]`);
  // The same predicates as the partial index member_profiles_near, so each cell is an index range.
  if (cells) where.push(sql<boolean>`p.city_visibility = 'everyone' AND p.location_cell = ANY(${sql.val(cells)}::text[])`);
  return where;
}

export interface PageQuery {
  viewerId: string;
  /** Row filters on `p` (the candidate's profile row): age group, filters the member chose. */
  filters: RawBuilder<boolean>[];
  poolSize: number;
  /**
   * At most how many rows the shape reads: listed members for `walk`, matching members for `gather`
   * (null: no limit). A budgeted page that came back incomplete is asked again the other way.
   */
  budget: number | null;
  /** Ranking score over the pool row `c` (constant for the plain ordering). */
  score: RawBuilder<number>;
  pageSize: number;
  offset: number;
}

export interface PageRow {
  member_id: string;
  username: string;
  nickname: string;
  photo: string | null;
  adult_from: string | null;
  interests: string[];
  interests_visibility: string;
  city: string | null;
  city_visibility: string;
  age_visibility: string;
  location_cell: string | null;
  /** How many members the pool held (≤ poolSize). */
  pooled: number;
  /** For `gather`: how many listed members matched the filters (≤ budget). */
  matched: number | null;
}

/** What the statement returns: the page's rows, or one row of nulls but the counts for an empty page. */
type RawPageRow = { [K in keyof PageRow]: K extends 'pooled' | 'matched' ? PageRow[K] : PageRow[K] | null };

const POOL_COLUMNS = sql.raw('p.member_id, p.adult_from, p.interests, p.interests_visibility, p.city, p.city_visibility, p.age_visibility, p.location_cell, p.cell_lat, p.cell_lng, p.active_at');
/** Must imply the predicates of the partial indexes `member_profiles_listed` and `member_profiles_near`. */
const LISTED = sql<boolean>`p.member_active AND NOT p.hidden`;

export function pageSql(shape: 'walk' | 'gather', q: PageQuery): RawBuilder<RawPageRow> {
  const filters = q.filters.length > 0 ? sql.join(q.filters, sql` AND `) : sql`true`;
  // Blocked either way and already connected: checked per candidate that passed the filters (a
  // nested-loop anti join on the primary keys of `blocks` and `connections`).
  const exclusions = sql<boolean>`p.member_id <> ${q.viewerId}
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${q.viewerId} AND b.blocked_id = p.member_id) OR (b.blocked_id = ${q.viewerId} AND b.blocker_id = p.member_id))
    AND NOT EXISTS (SELECT 1 FROM connections k WHERE k.member_id = ${q.viewerId} AND k.other_id = p.member_id)`;
  const limit = sql`${q.budget === null ? sql`` : sql`LIMIT ${q.budget}`}`;
  // A gather that reached its budget is answered again by a walk: skip its exclusions and sort.
  const gate = q.budget === null ? sql`` : sql`AND (SELECT matched FROM seen) < ${q.budget}`;
  const head =
    shape === 'walk'
      ? sql`WITH seen AS (SELECT NULL::int AS matched),
        pool AS (
          SELECT ${POOL_COLUMNS}
          FROM (SELECT * FROM member_profiles p WHERE ${LISTED} ORDER BY p.active_at DESC, p.member_id ${limit}) p
          WHERE ${filters} AND ${exclusions}
          ORDER BY p.active_at DESC, p.member_id LIMIT ${q.poolSize})`
      : // MATERIALIZED keeps PostgreSQL from turning this back into a walk of the whole activity index.
        sql`WITH matching AS MATERIALIZED (SELECT * FROM member_profiles p WHERE ${LISTED} AND ${filters} ${limit}),
        seen AS (SELECT count(*)::int AS matched FROM matching),
        pool AS (
          SELECT ${POOL_COLUMNS} FROM matching p
          WHERE ${exclusions} ${gate}
          ORDER BY p.active_at DESC, p.member_id LIMIT ${q.poolSize})`;
  // One row even for an empty page (`meta` LEFT JOIN page), so the counts always come back.
  return sql<RawPageRow>`
    ${head},
    page AS (
      SELECT c.*, ${q.score} AS score FROM pool c
      ORDER BY score DESC, c.active_at DESC, c.member_id LIMIT ${q.pageSize} OFFSET ${q.offset}
    ),
    meta AS (SELECT seen.matched, (SELECT count(*) FROM pool)::int AS pooled FROM seen)
    SELECT page.member_id, m.username, m.nickname, page.adult_from, page.interests, page.interests_visibility, page.city,
           page.city_visibility, page.age_visibility, page.location_cell, meta.pooled, meta.matched,
           (SELECT ph.id FROM member_photos ph WHERE ph.member_id = page.member_id AND ph.visibility = 'everyone'
            ORDER BY ph.position, ph.created_at LIMIT 1) AS photo
    FROM meta LEFT JOIN page ON true LEFT JOIN members m ON m.id = page.member_id
    ORDER BY page.score DESC, page.active_at DESC, page.member_id`;
}

/**
 * One attempt at a page. Complete when its pool is exact: a walk that filled the pool within its
 * budget, or a gather that collected every match (fewer than its budget); an attempt without a
 * budget always is.
 */
export async function runPage(db: Kysely<Database>, shape: 'walk' | 'gather', q: PageQuery): Promise<{ rows: PageRow[]; complete: boolean }> {
  const raw = (await pageSql(shape, q).execute(db)).rows;
  const meta = raw[0]!;
  const rows = raw.filter((r): r is PageRow => r.member_id !== null);
  const complete = q.budget === null || (shape === 'walk' ? meta.pooled === q.poolSize : meta.matched! < q.budget);
  return { rows, complete };
}
