import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jakartaToday } from '../../../common/age.js';
import type { ProfileUpdate } from '../../../common/social/profile.js';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { signUpMember } from '../../identity/login-security/test-members.js';
import { makeMinor } from '../graph/test-helpers.js';
import { attemptsFor, denseRing, ringDensity, SHAPE_BUDGET, rowFilters, runPage, walksFirst, type DiscoveryFilters, type PageQuery, type PageRow } from './candidates.js';
import { cellOfCity, cellsWithin } from './location.js';

/**
 * Discovery's walk reads `member_profiles` alone (migration 0022): the copies of `members.status`
 * and `members.adult_from` must follow every change, and the two shapes of the page query (a
 * budgeted walk newest first, a gather through the filters' indexes) must give the same page.
 */
let t: TestApp;
let viewer: string;
const others: string[] = [];

const PROFILE: ProfileUpdate = {
  bio: '',
  bioVisibility: 'everyone',
  interests: ['coffee'],
  tags: [],
  interestsVisibility: 'everyone',
  languages: ['id'],
  languagesVisibility: 'everyone',
  city: 'jakarta-selatan',
  cityVisibility: 'everyone',
  ageVisibility: 'everyone',
  hidden: false,
  genderInDiscovery: false,
};

const seen = async (who: string, filters: DiscoveryFilters = {}) => {
  const usernames: string[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await t.services.discovery.page(who, filters, offset);
    usernames.push(...page.members.map((m) => m.username));
    offset = page.nextOffset;
  }
  return usernames;
};
const usernameOf = async (id: string) => (await t.database.db.selectFrom('members').select('username').where('id', '=', id).executeTakeFirstOrThrow()).username;
const copies = async (id: string) => t.database.db.selectFrom('member_profiles').select(['member_active', 'adult_from']).where('member_id', '=', id).executeTakeFirstOrThrow();
const original = async (id: string) => t.database.db.selectFrom('members').select(['status', 'adult_from']).where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  t = await createTestApp();
  viewer = (await signUpMember(t, 401)).id;
  await t.services.profiles.update(viewer, { ...PROFILE, interests: ['coffee', 'hiking'] });
  const variations: Partial<ProfileUpdate>[] = [
    {},
    { interests: ['hiking'] },
    { city: 'surabaya', languages: ['id', 'jv'] },
    { interests: ['music'], city: 'depok', languages: ['jv'] },
    { ageVisibility: 'connections' },
    { interests: ['coffee', 'hiking'], city: 'bogor' },
    { languages: ['id', 'jv'] },
    { interestsVisibility: 'connections', interests: ['hiking'] },
  ];
  for (const [i, change] of variations.entries()) {
    const id = (await signUpMember(t, 402 + i)).id;
    await t.services.profiles.update(id, { ...PROFILE, ...change });
    others.push(id);
  }
  // Distinct activity times, a few years apart in age, so orderings and age filters have something to sort.
  for (const [i, id] of others.entries()) {
    await t.database.db.updateTable('member_profiles').set({ active_at: new Date(Date.now() - i * 60_000) }).where('member_id', '=', id).execute();
    await t.database.db.updateTable('members').set({ adult_from: `${1995 + i}-06-01` }).where('id', '=', id).execute();
  }
}, 180_000);
afterAll(() => t?.close());

describe('member_profiles keeps members.status and members.adult_from in step (migration 0022)', () => {
  it('copies both when the profile row is created, including for a member who is not active', async () => {
    const id = (await signUpMember(t, 420)).id;
    await t.database.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', id).execute();
    await t.services.profiles.update(id, PROFILE);
    const member = await original(id);
    expect(await copies(id)).toEqual({ member_active: false, adult_from: member.adult_from });
    expect(member.adult_from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await seen(viewer)).not.toContain(await usernameOf(id));
    await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
    expect((await copies(id)).member_active).toBe(true);
    expect(await seen(viewer)).toContain(await usernameOf(id));
  });

  it('drops a member who is suspended, pending deletion or deleted, and brings them back when active again', async () => {
    const id = others[0]!;
    const name = await usernameOf(id);
    expect(await seen(viewer)).toContain(name);
    for (const status of ['suspended', 'deletion_pending', 'deleted', 'locked'] as const) {
      await t.database.db.updateTable('members').set({ status }).where('id', '=', id).execute();
      expect((await copies(id)).member_active, status).toBe(false);
      expect(await seen(viewer), status).not.toContain(name);
      await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
      expect((await copies(id)).member_active).toBe(true);
      expect(await seen(viewer)).toContain(name);
    }
  });

  it('moves a minor who turns 18 from the minors’ side to the adults’ side (P5.2)', async () => {
    const id = others[1]!;
    const name = await usernameOf(id);
    const otherMinor = (await signUpMember(t, 421)).id;
    await t.services.profiles.update(otherMinor, PROFILE);
    await makeMinor(t, otherMinor);
    await makeMinor(t, id);
    expect((await copies(id)).adult_from).toBe((await original(id)).adult_from);
    expect(await seen(viewer)).not.toContain(name);
    expect(await seen(otherMinor)).toEqual([name]);
    // Turns 18 today (Jakarta): an adult from now on.
    await t.database.db.updateTable('members').set({ adult_from: jakartaToday() }).where('id', '=', id).execute();
    expect((await copies(id)).adult_from).toBe(jakartaToday());
    expect(await seen(viewer)).toContain(name);
    expect(await seen(otherMinor)).toEqual([]);
    // Unknown adult_from counts as a minor (the safe side).
    await t.database.db.updateTable('members').set({ adult_from: null }).where('id', '=', id).execute();
    expect((await copies(id)).adult_from).toBeNull();
    expect(await seen(viewer)).not.toContain(name);
    await t.database.db.updateTable('members').set({ adult_from: '1996-06-01' }).where('id', '=', id).execute();
    await t.database.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', otherMinor).execute();
  });
});

describe('the budgeted walk and the gather answer the same page', () => {
  const today = jakartaToday();
  const viewerCell = cellOfCity('jakarta-selatan')!.cell;
  const cases: [string, DiscoveryFilters, string[] | undefined][] = [
    ['no filter', {}, undefined],
    ['interests', { interests: ['coffee', 'hiking'] }, undefined],
    ['within 50 km', {}, cellsWithin(viewerCell, 50)],
    ['age 24 and over', { minAge: 24 }, undefined],
    ['language', { language: 'jv' }, undefined],
    ['interests within 50 km', { interests: ['coffee', 'hiking'] }, cellsWithin(viewerCell, 50)],
  ];
  const run = (shape: 'walk' | 'gather', q: PageQuery) => runPage(t.database.db, shape, q);
  const usernames = (rows: PageRow[]) => rows.map((r) => r.username);

  it.each(cases)('%s', async (_label, filters, cells) => {
    const all = (await run('gather', { viewerId: viewer, filters: rowFilters(filters, today, true, cells), poolSize: 100, score: sql<number>`0`, pageSize: 100, offset: 0, budget: null })).rows;
    expect(all.length).toBeGreaterThanOrEqual(3);
    // A pool one smaller than the matches, so the pool's limit decides who is in it.
    const pool = all.length - 1;
    for (const score of [sql<number>`0`, sql<number>`(SELECT count(*) FROM unnest(c.interests) AS i WHERE i = 'coffee')`]) {
      const q: PageQuery = { viewerId: viewer, filters: rowFilters(filters, today, true, cells), poolSize: pool, score, pageSize: 3, offset: 1, budget: null };
      const gathered = await run('gather', q);
      expect(gathered.complete).toBe(true);
      expect(gathered.rows).toHaveLength(Math.min(3, pool - 1));
      expect(gathered.rows[0]!.pooled).toBe(pool);
      expect(usernames((await run('walk', q)).rows)).toEqual(usernames(gathered.rows));
      // Budgets large enough: complete, and the same page.
      for (const shape of ['walk', 'gather'] as const) {
        const attempt = await run(shape, { ...q, budget: 1000 });
        expect(attempt.complete, shape).toBe(true);
        expect(usernames(attempt.rows), shape).toEqual(usernames(gathered.rows));
      }
      // Budgets too small: reported incomplete, so discovery asks the other shape.
      for (const shape of ['walk', 'gather'] as const) expect((await run(shape, { ...q, budget: 1 })).complete, shape).toBe(false);
    }
    // An empty page is still an answer: nothing matches, and the gather says so within its budget.
    const none = await run('gather', { viewerId: viewer, filters: [...rowFilters(filters, today, true, cells), sql<boolean>`false`], poolSize: pool, score: sql<number>`0`, pageSize: 3, offset: 0, budget: 1000 });
    expect(none).toEqual({ rows: [], complete: true });
  });
});

describe('member_cell_counts counts the listed members who show their area, per cell (migration 0027)', () => {
  const counted = async () =>
    Object.fromEntries((await t.database.db.selectFrom('member_cell_counts').select(['cell', 'listed']).where('listed', '>', 0).execute()).map((r) => [r.cell, r.listed]));
  // The same predicate as the partial index member_profiles_near, counted from scratch.
  const recounted = async () =>
    Object.fromEntries(
      (
        await sql<{ cell: string; listed: number }>`
          SELECT location_cell AS cell, count(*)::int AS listed FROM member_profiles
          WHERE member_active AND NOT hidden AND city_visibility = 'everyone' AND location_cell IS NOT NULL GROUP BY location_cell`.execute(t.database.db)
      ).rows.map((r) => [r.cell, r.listed]),
    );

  it('follows profiles created, moved, hidden, made private, suspended and erased', async () => {
    expect(await counted()).toEqual(await recounted());
    const id = (await signUpMember(t, 430)).id;
    const jakarta = cellOfCity('jakarta-selatan')!.cell;
    const surabaya = cellOfCity('surabaya')!.cell;
    const before = (await counted())[jakarta] ?? 0;
    const steps: [string, () => Promise<unknown>, number, number][] = [
      ['profile opened in Jakarta', () => t.services.profiles.update(id, PROFILE), before + 1, 0],
      ['moved to Surabaya', () => t.services.profiles.update(id, { ...PROFILE, city: 'surabaya' }), before, 1],
      ['incognito', () => t.services.profiles.update(id, { ...PROFILE, city: 'surabaya', hidden: true }), before, 0],
      ['visible again', () => t.services.profiles.update(id, { ...PROFILE, city: 'surabaya' }), before, 1],
      ['city shown to connections only', () => t.services.profiles.update(id, { ...PROFILE, city: 'surabaya', cityVisibility: 'connections' }), before, 0],
      ['city public again', () => t.services.profiles.update(id, { ...PROFILE, city: 'surabaya' }), before, 1],
      ['suspended', () => t.database.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', id).execute(), before, 0],
      ['active again', () => t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute(), before, 1],
      ['only active_at touched', () => t.database.db.updateTable('member_profiles').set({ active_at: new Date() }).where('member_id', '=', id).execute(), before, 1],
      ['profile row deleted (erasure)', () => t.database.db.deleteFrom('member_profiles').where('member_id', '=', id).execute(), before, 0],
    ];
    const surabayaBase = ((await counted())[surabaya] ?? 0);
    for (const [label, step, inJakarta, addedInSurabaya] of steps) {
      await step();
      const now = await counted();
      expect(now[jakarta] ?? 0, label).toBe(inJakarta);
      expect((now[surabaya] ?? 0) - surabayaBase, label).toBe(addedInSurabaya);
      expect(now, label).toEqual(await recounted());
    }
  });

  it('measures a ring, and a dense ring walks first while a sparse one gathers first', async () => {
    const cells = cellsWithin(cellOfCity('jakarta-selatan')!.cell, 50);
    const ring = await ringDensity(t.database.db, cells);
    const recount = await recounted();
    expect(ring).toEqual({
      inRing: cells.reduce((sum, c) => sum + (recount[c] ?? 0), 0),
      listed: Object.values(recount).reduce((a, b) => a + b, 0),
    });
    expect(ring.inRing).toBeGreaterThan(0);
    // 28,000 of 68,000 members around Jakarta: a walk reads ~1,200 rows, a gather would read 28,000.
    expect(denseRing({ inRing: 28_000, listed: 68_000 }, 500)).toBe(true);
    // 300 around a small town: a walk would read ~110,000 rows.
    expect(denseRing({ inRing: 300, listed: 68_000 }, 500)).toBe(false);
    expect(denseRing({ inRing: 0, listed: 0 }, 500)).toBe(false);
    // This test's few members: gather within the ring; no distance: walk; an interest or language: gather.
    expect(await walksFirst(t.database.db, {}, cells, 500)).toBe(false);
    expect(await walksFirst(t.database.db, {}, undefined, 500)).toBe(true);
    expect(await walksFirst(t.database.db, {}, cells, 1)).toBe(ring.inRing * ring.inRing > ring.listed);
    expect(await walksFirst(t.database.db, { language: 'jv' }, cells, 1)).toBe(false);
    expect(await walksFirst(t.database.db, { interests: ['coffee'] }, cells, 1)).toBe(false);
    // Every order ends with an attempt that always answers; a dense ring's walk may read further.
    expect(attemptsFor(true, false)).toEqual([['walk', SHAPE_BUDGET], ['gather', null]]);
    expect(attemptsFor(true, true)).toEqual([['walk', 4 * SHAPE_BUDGET], ['gather', null]]);
    expect(attemptsFor(false, true)).toEqual([['gather', SHAPE_BUDGET], ['walk', 4 * SHAPE_BUDGET], ['gather', null]]);
  });
});
