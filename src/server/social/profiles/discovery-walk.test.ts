import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jakartaToday } from '../../../common/age.js';
import type { ProfileUpdate } from '../../../common/social/profile.js';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { signUpMember } from '../../identity/login-security/test-members.js';
import { makeMinor } from '../graph/test-helpers.js';
import { rowFilters, runPage, type DiscoveryFilters, type PageQuery, type PageRow } from './candidates.js';
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
