import { sql, type Kysely } from 'kysely';
import { jakartaToday } from '../../../common/age.js';
import type { DiscoveryCard, DiscoveryPage, DistanceBand } from '../../../common/social/profile.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { ageGroup, isAdultToday } from '../graph/relations.js';
import { bandBetween, cellsWithin, maxKmOfBand } from './location.js';
import { ageFrom, type ProfileSeams, type ProfileService } from './service.js';

export interface DiscoveryFilters {
  minAge?: number;
  maxAge?: number;
  gender?: 'female' | 'male' | 'nonbinary';
  interests?: string[];
  within?: DistanceBand;
  language?: string;
}

export const DISCOVERY_PAGE_SIZE = 20;
/** Personalized ranking orders the most recently active matching members, this many at most. */
export const RANKING_POOL = 500;
export const DISCOVERY_MAX_OFFSET = RANKING_POOL - DISCOVERY_PAGE_SIZE;

/** Shifts a YYYY-MM-DD date by whole years (29 Feb → 28 Feb). */
function shiftYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = m === 2 && d === 29 ? 28 : d;
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

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
      const viewer = await profiles.ensure(db, viewerId);
      await profiles.touch(viewerId, viewer.active_at);
      const me = await db.selectFrom('members').select(['adult_from']).where('id', '=', viewerId).executeTakeFirstOrThrow();
      const adult = ageGroup(me.adult_from, today) === 'adult';
      const plain = viewer.plain_ranking;
      const mine = [...viewer.interests];

      let query = db
        .selectFrom('member_profiles as p')
        .innerJoin('members', 'members.id', 'p.member_id')
        .select([
          'p.member_id',
          'members.username',
          'members.nickname',
          'members.adult_from',
          'p.interests',
          'p.interests_visibility',
          'p.city',
          'p.city_visibility',
          'p.age_visibility',
          'p.location_cell',
          'p.cell_lat',
          'p.cell_lng',
          'p.active_at',
        ])
        .where('members.status', '=', 'active')
        .where('p.hidden', '=', false)
        .where('p.member_id', '<>', viewerId)
        .where(adult ? isAdultToday(today) : sql<boolean>`NOT ${isAdultToday(today)}`)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('blocks').select('blocks.blocker_id').where((eb) => eb.or([eb.and([eb('blocks.blocker_id', '=', viewerId), eb('blocks.blocked_id', '=', eb.ref('p.member_id'))]), eb.and([eb('blocks.blocked_id', '=', viewerId), eb('blocks.blocker_id', '=', eb.ref('p.member_id'))])])))),
        )
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('connections').select('connections.other_id').where('connections.member_id', '=', viewerId).whereRef('connections.other_id', '=', 'p.member_id'))));

      if (filters.minAge !== undefined || filters.maxAge !== undefined) {
        query = query.where('p.age_visibility', '=', 'everyone');
        // age ≥ a ⇔ turned 18 at least (a − 18) years ago; age ≤ b ⇔ turned 18 less than (b − 17) years ago.
        if (filters.minAge !== undefined) query = query.where('members.adult_from', '<=', shiftYears(today, 18 - filters.minAge));
        if (filters.maxAge !== undefined) query = query.where('members.adult_from', '>', shiftYears(today, 17 - filters.maxAge));
      }
      if (filters.gender) query = query.where('p.gender_in_discovery', '=', true).where('members.gender', '=', filters.gender);
      if (filters.interests && filters.interests.length > 0) {
        query = query.where('p.interests_visibility', '=', 'everyone').where(sql<boolean>`p.interests && ${sql.val(filters.interests)}::text[]`);
      }
      if (filters.language) query = query.where('p.languages_visibility', '=', 'everyone').where(sql<boolean>`${filters.language} = ANY(p.languages)`);
      if (filters.within && filters.within !== 'gt50') {
        const km = maxKmOfBand(filters.within)!;
        if (!viewer.location_cell) return { members: [], nextOffset: null, ordering: plain ? 'plain' : 'personalized' };
        query = query.where('p.city_visibility', '=', 'everyone').where('p.location_cell', 'in', cellsWithin(viewer.location_cell, km));
      }

      let rows;
      if (plain) {
        // Objection to profiling: most recently active first, nothing else (walks the active_at index).
        rows = await query.orderBy('p.active_at', 'desc').orderBy('p.member_id').limit(DISCOVERY_PAGE_SIZE + 1).offset(offset).execute();
      } else {
        // Ranking runs over a pool: the RANKING_POOL most recently active members who pass every
        // exclusion and filter (an index walk on active_at that stops early), so a page costs the
        // same with 100,000 members as with 5,000. Score: 3 per shared public interest, up to 4 for
        // proximity of cell centres (none beyond 50 km), up to 2 for activity in the last week.
        const shared = sql<number>`(CASE WHEN c.interests_visibility = 'everyone' THEN (SELECT count(*) FROM unnest(c.interests) AS i WHERE i = ANY(${sql.val(mine)}::text[])) ELSE 0 END)`;
        const proximity =
          viewer.cell_lat !== null && viewer.cell_lng !== null
            ? sql<number>`(CASE WHEN c.city_visibility = 'everyone' AND c.cell_lat IS NOT NULL THEN greatest(0, 4 - 111.2 * sqrt(power(c.cell_lat - ${viewer.cell_lat}, 2) + power((c.cell_lng - ${viewer.cell_lng}) * ${Math.cos((viewer.cell_lat * Math.PI) / 180)}, 2)) / 12.5) ELSE 0 END)`
            : sql<number>`0`;
        const activity = sql<number>`greatest(0, 2 - extract(epoch FROM (${now}::timestamptz - c.active_at)) / 302400)`;
        // Behavioural signal, asked afresh on every page so a withdrawal counts from the next request.
        const learned = mayUseBehaviour && (await mayUseBehaviour(viewerId)) ? await learnedInterests(viewerId, mine) : [];
        const fromConnections =
          learned.length > 0
            ? sql<number>`(CASE WHEN c.interests_visibility = 'everyone' THEN (SELECT count(*) FROM unnest(c.interests) AS i WHERE i = ANY(${sql.val(learned)}::text[])) ELSE 0 END)`
            : sql<number>`0`;
        const pool = query.orderBy('p.active_at', 'desc').orderBy('p.member_id').limit(RANKING_POOL).as('c');
        rows = await db
          .selectFrom(pool)
          .selectAll()
          .orderBy(sql`(3 * ${shared} + ${proximity} + ${activity} + ${fromConnections})`, 'desc')
          .orderBy('c.active_at', 'desc')
          .orderBy('c.member_id')
          .limit(DISCOVERY_PAGE_SIZE + 1)
          .offset(offset)
          .execute();
      }
      const page = rows.slice(0, DISCOVERY_PAGE_SIZE);
      const ids = page.map((r) => r.member_id);
      const photos =
        ids.length === 0
          ? []
          : await db.selectFrom('member_photos').select(['id', 'member_id']).where('member_id', 'in', ids).where('visibility', '=', 'everyone').orderBy('position').orderBy('created_at').execute();
      const firstPhoto = new Map<string, string>();
      for (const p of photos) if (!firstPhoto.has(p.member_id)) firstPhoto.set(p.member_id, p.id);
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
        const photo = firstPhoto.get(r.member_id);
        if (photo) card.photo = photo;
        return card;
      });
      return { members, nextOffset: rows.length > DISCOVERY_PAGE_SIZE ? offset + DISCOVERY_PAGE_SIZE : null, ordering: plain ? 'plain' : 'personalized' };
    },
  };
}

export type Discovery = ReturnType<typeof makeDiscovery>;
