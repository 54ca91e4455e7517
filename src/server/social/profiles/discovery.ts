import { sql, type Kysely } from 'kysely';
import { jakartaToday } from '../../../common/age.js';
import type { DiscoveryCard, DiscoveryPage } from '../../../common/social/profile.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { ageGroup } from '../graph/relations.js';
import { attemptsFor, rowFilters, runPage, walksFirst, type DiscoveryFilters, type PageQuery, type PageRow } from './candidates.js';
import { bandBetween, cellsWithin, maxKmOfBand } from './location.js';
import { ageFrom, type ProfileSeams, type ProfileService } from './service.js';

export type { DiscoveryFilters } from './candidates.js';

export const DISCOVERY_PAGE_SIZE = 20;
/** Personalized ranking orders the most recently active matching members, this many at most. */
export const RANKING_POOL = 500;
export const DISCOVERY_MAX_OFFSET = RANKING_POOL - DISCOVERY_PAGE_SIZE;

/**
 * Discovery (issue 4 item 2). Who can appear: active members with a profile, not hidden (incognito),
 * not the viewer, not blocked either way, not already connected, and in the viewer's age group
 * (minors only see minors, adults only adults: P5.2). A filter only matches what the candidate
 * shows everyone (an age filter never matches a hidden age; a gender filter only members who opted
 * in), so filtering reveals nothing the profile does not. Ranking: shared interests, proximity of
 * cells and recent activity — or, for a member who objected to profiling, recent activity only —
 * plus, only with `personalized_recommendations` consent, interests learned from their connections.
 */
/** How many interests learned from the member's connections can lift a candidate (1 point each). */
export const LEARNED_INTERESTS = 5;

export function makeDiscovery({
  db,
  keyring,
  profiles,
  clock = () => new Date(),
  verifiedMembers,
  mayUseBehaviour,
}: {
  db: Kysely<Database>;
  keyring: Keyring;
  profiles: ProfileService;
  clock?: () => Date;
  /**
   * Whether ranking may learn from what the member does (their connections' interests), beyond what
   * they declared: only with `personalized_recommendations` consent and no restriction of `usage`.
   */
  mayUseBehaviour?: (memberId: string) => Promise<boolean>;
} & Pick<ProfileSeams, 'verifiedMembers'>) {
  /** The public interests most common among the member's connections that the member has not declared. */
  async function learnedInterests(viewerId: string, declared: string[]): Promise<string[]> {
    const rows = await db
      .selectFrom('connections as k')
      .innerJoin('member_profiles as q', 'q.member_id', 'k.other_id')
      .select(sql<string>`unnest(q.interests)`.as('interest'))
      .where('k.member_id', '=', viewerId)
      .where('q.interests_visibility', '=', 'everyone')
      .execute();
    const counts = new Map<string, number>();
    for (const { interest } of rows) if (!declared.includes(interest)) counts.set(interest, (counts.get(interest) ?? 0) + 1);
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, LEARNED_INTERESTS)
      .map(([interest]) => interest);
  }

  return {
    async page(viewerId: string, filters: DiscoveryFilters, offset: number): Promise<DiscoveryPage> {
      if (offset > DISCOVERY_MAX_OFFSET) throw new AppError('validation_failed', 400, 'offset too large', { fields: [{ field: 'offset', code: 'invalid' }] });
      const now = clock();
      const today = jakartaToday(now);
      // The consent question does not depend on the profile row: both are asked at once (over two
      // pooled connections on PostgreSQL). Asked on every page, so a withdrawal counts from the next request.
      const [viewer, behaviour] = await Promise.all([profiles.ensure(db, viewerId), mayUseBehaviour ? mayUseBehaviour(viewerId) : Promise.resolve(false)]);
      // The profile row carries a copy of members.adult_from (migration 0022): no separate query.
      const adult = ageGroup(viewer.adult_from, today) === 'adult';
      const plain = viewer.plain_ranking;
      const ordering = plain ? ('plain' as const) : ('personalized' as const);
      const mine = [...viewer.interests];

      let cells: string[] | undefined;
      if (filters.within && filters.within !== 'gt50') {
        if (!viewer.location_cell) {
          await profiles.touch(viewerId, viewer.active_at);
          return { members: [], nextOffset: null, ordering };
        }
        cells = cellsWithin(viewer.location_cell, maxKmOfBand(filters.within)!);
      }

      let query: PageQuery;
      if (plain) {
        // Objection to profiling: most recently active first, nothing else.
        query = { viewerId, filters: rowFilters(filters, today, adult, cells), poolSize: offset + DISCOVERY_PAGE_SIZE + 1, score: sql<number>`0`, pageSize: DISCOVERY_PAGE_SIZE + 1, offset, budget: null };
      } else {
        // Ranking runs over a pool: the RANKING_POOL most recently active members who pass every
        // exclusion and filter, so a page costs about the same with 100,000 members as with 5,000.
        // Score: 3 per shared public interest, up to 4 for proximity of cell centres (none beyond
        // 50 km), up to 2 for activity in the last week.
        const shared = sql<number>`(CASE WHEN c.interests_visibility = 'everyone' THEN (SELECT count(*) FROM unnest(c.interests) AS i WHERE i = ANY(${sql.val(mine)}::text[])) ELSE 0 END)`;
        const proximity =
          viewer.cell_lat !== null && viewer.cell_lng !== null
            ? sql<number>`(CASE WHEN c.city_visibility = 'everyone' AND c.cell_lat IS NOT NULL THEN greatest(0, 4 - 111.2 * sqrt(power(c.cell_lat - ${viewer.cell_lat}, 2) + power((c.cell_lng - ${viewer.cell_lng}) * ${Math.cos((viewer.cell_lat * Math.PI) / 180)}, 2)) / 12.5) ELSE 0 END)`
            : sql<number>`0`;
        const activity = sql<number>`greatest(0, 2 - extract(epoch FROM (${now}::timestamptz - c.active_at)) / 302400)`;
        // Behavioural signal, only with consent and no restriction of `usage`.
        const learned = behaviour ? await learnedInterests(viewerId, mine) : [];
        const fromConnections =
          learned.length > 0
            ? sql<number>`(CASE WHEN c.interests_visibility = 'everyone' THEN (SELECT count(*) FROM unnest(c.interests) AS i WHERE i = ANY(${sql.val(learned)}::text[])) ELSE 0 END)`
            : sql<number>`0`;
        query = {
          viewerId,
          filters: rowFilters(filters, today, adult, cells),
          poolSize: RANKING_POOL,
          score: sql<number>`(3 * ${shared} + ${proximity} + ${activity} + ${fromConnections})`,
          pageSize: DISCOVERY_PAGE_SIZE + 1,
          offset,
          budget: null,
        };
      }
      // The likelier query shape first, with a budget, then the other (candidates.ts). Recording the
      // viewer's activity does not change their own page, so it runs alongside the first attempt
      // (over a second pooled connection on PostgreSQL).
      let rows: PageRow[] = [];
      const attempts = attemptsFor(await walksFirst(db, filters, cells, query.poolSize), cells !== undefined);
      for (const [i, [shape, budget]] of attempts.entries()) {
        const attempt = i === 0 ? (await Promise.all([runPage(db, shape, { ...query, budget }), profiles.touch(viewerId, viewer.active_at)]))[0] : await runPage(db, shape, { ...query, budget });
        rows = attempt.rows;
        if (attempt.complete) break;
      }

      const page = rows.slice(0, DISCOVERY_PAGE_SIZE);
      const ids = page.map((r) => r.member_id);
      const verified = verifiedMembers && ids.length > 0 ? await verifiedMembers(db, ids) : new Set<string>();
      const mineSet = new Set(mine);
      const members = page.map((r): DiscoveryCard => {
        const card: DiscoveryCard = {
          username: r.username,
          nickname: keyring.decrypt(r.nickname, 'members.nickname'),
          sharedInterests: r.interests_visibility === 'everyone' ? r.interests.filter((i) => mineSet.has(i)) : [],
          verified: verified.has(r.member_id),
        };
        if (r.age_visibility === 'everyone') {
          const age = ageFrom(r.adult_from, today);
          if (age !== undefined) card.age = age;
        }
        if (r.city_visibility === 'everyone') {
          if (r.city) card.city = r.city;
          if (r.location_cell && viewer.location_cell) card.distanceBand = bandBetween(viewer.location_cell, r.location_cell);
        }
        if (r.photo) card.photo = r.photo;
        return card;
      });
      return { members, nextOffset: rows.length > DISCOVERY_PAGE_SIZE ? offset + DISCOVERY_PAGE_SIZE : null, ordering };
    },
  };
}

export type Discovery = ReturnType<typeof makeDiscovery>;
