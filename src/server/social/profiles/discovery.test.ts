import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { block, connect } from '../graph/relations.js';
import { call, makeMinor, signedInMember, type SignedIn } from '../graph/test-helpers.js';

let t: TestApp;
let viewer: SignedIn;
const people: Record<string, SignedIn> = {};

const PUBLIC = {
  bio: '',
  bioVisibility: 'everyone',
  interests: [] as string[],
  tags: [] as string[],
  interestsVisibility: 'everyone',
  languages: ['id'],
  languagesVisibility: 'everyone',
  city: 'jakarta-selatan',
  cityVisibility: 'everyone',
  ageVisibility: 'everyone',
  hidden: false,
  genderInDiscovery: false,
};

async function profile(who: SignedIn, changes: Partial<typeof PUBLIC>) {
  const r = await call(t, who, 'PUT', '/api/me/profile', { ...PUBLIC, ...changes });
  expect(r.statusCode, r.body).toBe(200);
}

async function discover(who: SignedIn, query = '') {
  const r = await call(t, who, 'GET', `/api/discover${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { members: { username: string; nickname: string; age?: number; city?: string; distanceBand?: string; sharedInterests: string[]; photo?: string; verified: boolean }[]; nextOffset: number | null; ordering: string };
}
const names = (page: { members: { username: string }[] }) => page.members.map((m) => m.username);

beforeAll(async () => {
  t = await createTestApp();
  viewer = await signedInMember(t, 201);
  await profile(viewer, { interests: ['coffee', 'hiking', 'music'] });
  const specs: [string, number, Partial<typeof PUBLIC>][] = [
    ['near3', 202, { interests: ['coffee', 'hiking', 'music'] }],
    ['near1', 203, { interests: ['coffee'] }],
    ['far', 204, { interests: ['coffee', 'hiking', 'music'], city: 'surabaya' }],
    ['hiddenAge', 205, { ageVisibility: 'connections', interests: ['coffee'] }],
    ['incognito', 206, { hidden: true }],
    ['blocker', 207, {}],
    ['blocked', 208, {}],
    ['friend', 209, {}],
    ['minor', 210, {}],
    ['inactive', 211, {}],
    ['javanese', 212, { languages: ['jv'], genderInDiscovery: true }],
    ['privateInterests', 213, { interests: ['coffee', 'hiking', 'music'], interestsVisibility: 'connections' }],
  ];
  for (const [name, n, changes] of specs) {
    people[name] = await signedInMember(t, n);
    await profile(people[name]!, changes);
  }
  const db = t.database.db;
  await db.transaction().execute(async (trx) => {
    await block(trx, people.blocker!.id, viewer.id);
    await block(trx, viewer.id, people.blocked!.id);
    await connect(trx, viewer.id, people.friend!.id);
  });
  await makeMinor(t, people.minor!.id);
  await db.updateTable('members').set({ status: 'suspended' }).where('id', '=', people.inactive!.id).execute();
  // near1 turned 18 five years ago: 22 or 23 today.
  const fiveYearsAgo = `${new Date().getUTCFullYear() - 5}-01-15`;
  await db.updateTable('members').set({ adult_from: fiveYearsAgo }).where('id', '=', people.near1!.id).execute();
  await db.updateTable('members').set({ gender: 'male' }).where('id', 'in', [people.javanese!.id, people.near3!.id]).execute();
  // Everyone's photo visible to everyone, so cards carry one.
  await db.updateTable('member_photos').set({ visibility: 'everyone' }).execute();
}, 180_000);
afterAll(() => t?.close());

describe('discovery (issue 4 item 2, P5.2)', () => {
  it('excludes self, blocked either way, connections, incognito, inactive and the other age group', async () => {
    const page = await discover(viewer);
    const seen = names(page);
    for (const name of ['near3', 'near1', 'far', 'hiddenAge', 'javanese', 'privateInterests']) expect(seen, name).toContain(people[name]!.username);
    for (const name of ['incognito', 'blocker', 'blocked', 'friend', 'minor', 'inactive']) expect(seen, name).not.toContain(people[name]!.username);
    expect(seen).not.toContain(viewer.username);
    // The minor sees no adult at all.
    expect(names(await discover(people.minor!))).toEqual([]);
  });

  it('ranks by shared public interests, then proximity, and shows cards with only public fields', async () => {
    const page = await discover(viewer);
    expect(page.ordering).toBe('personalized');
    const order = names(page);
    expect(order[0]).toBe(people.near3!.username);
    expect(order.indexOf(people.near3!.username)).toBeLessThan(order.indexOf(people.far!.username));
    expect(order.indexOf(people.far!.username)).toBeLessThan(order.indexOf(people.near1!.username));
    // Interests shown to connections only give no ranking boost and are not on the card.
    expect(order.indexOf(people.privateInterests!.username)).toBeGreaterThan(order.indexOf(people.near1!.username));
    const card = (name: string) => page.members.find((m) => m.username === people[name]!.username)!;
    expect(card('near3')).toMatchObject({ nickname: 'Dewi', city: 'jakarta-selatan', distanceBand: 'lt2', sharedInterests: ['coffee', 'hiking', 'music'], verified: false });
    expect(card('near3').age).toBeGreaterThanOrEqual(36);
    expect(card('near3').photo).toMatch(/^[0-9a-f-]{36}$/);
    expect(card('far').distanceBand).toBe('gt50');
    expect(card('privateInterests').sharedInterests).toEqual([]);
    expect('age' in card('hiddenAge')).toBe(false);
    for (const m of page.members) for (const key of ['gender', 'bio', 'languages', 'tags', 'location', 'cell']) expect(key in m).toBe(false);
  });

  it('filters only on what candidates show everyone: age, gender (opt-in), interests, language, distance', async () => {
    const young = names(await discover(viewer, '?minAge=18&maxAge=25'));
    expect(young).toEqual([people.near1!.username]);
    const older = names(await discover(viewer, '?minAge=30'));
    expect(older).not.toContain(people.near1!.username);
    expect(older).not.toContain(people.hiddenAge!.username);
    expect(older).toContain(people.near3!.username);
    // near3 is male but did not opt in to gender filters.
    expect(names(await discover(viewer, '?gender=male'))).toEqual([people.javanese!.username]);
    expect(names(await discover(viewer, '?gender=female'))).toEqual([]);
    const hikers = names(await discover(viewer, '?interests=hiking'));
    expect(hikers.sort()).toEqual([people.near3!.username, people.far!.username].sort());
    expect(names(await discover(viewer, '?language=jv'))).toEqual([people.javanese!.username]);
    const near = names(await discover(viewer, '?within=lt2'));
    expect(near).toContain(people.near3!.username);
    expect(near).not.toContain(people.far!.username);
    expect(names(await discover(viewer, '?within=25to50'))).not.toContain(people.far!.username);
    const bad = await call(t, viewer, 'GET', '/api/discover?interests=astrology');
    expect(bad.statusCode).toBe(400);
  });

  it('gives a plain ordering to a member who objects to profiling, recorded as a completed objection', async () => {
    const on = await call(t, viewer, 'PUT', '/api/me/profile/ranking', { plain: true });
    expect(on.json()).toEqual({ plainRanking: true });
    const requests = await t.database.db.selectFrom('rights_requests').selectAll().where('member_id', '=', viewer.id).where('kind', '=', 'objection').execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.completed_at).not.toBeNull();
    // Most recently active first, whatever the interests: make near1 (one shared interest) the most recent.
    await t.database.db.updateTable('member_profiles').set({ active_at: new Date(Date.now() + 60_000) }).where('member_id', '=', people.near1!.id).execute();
    const page = await discover(viewer);
    expect(page.ordering).toBe('plain');
    expect(names(page)[0]).toBe(people.near1!.username);
    expect((await call(t, viewer, 'GET', '/api/me/profile')).json().plainRanking).toBe(true);
    await call(t, viewer, 'PUT', '/api/me/profile/ranking', { plain: false });
    expect((await discover(viewer)).ordering).toBe('personalized');
  });

  it('pages with an offset', async () => {
    const extra: SignedIn[] = [];
    for (let i = 0; i < 21; i++) {
      const m = await signedInMember(t, 230 + i);
      await profile(m, {});
      extra.push(m);
    }
    const first = await discover(viewer);
    expect(first.members).toHaveLength(20);
    expect(first.nextOffset).toBe(20);
    const second = await discover(viewer, '?offset=20');
    expect(second.nextOffset).toBeNull();
    const all = [...names(first), ...names(second)];
    expect(new Set(all).size).toBe(all.length);
    for (const m of extra) expect(all).toContain(m.username);
  }, 120_000);
});

describe('personalized recommendations (consent, P1.10)', () => {
  it('learns from the member’s connections only while they consent, and stops at the next request after withdrawal', async () => {
    const me = await signedInMember(t, 260);
    const pal = await signedInMember(t, 261);
    const fan = await signedInMember(t, 262);
    const other = await signedInMember(t, 263);
    await profile(me, { interests: ['coffee'] });
    await profile(pal, { interests: ['movies'] });
    await profile(fan, { interests: ['movies'] });
    await profile(other, {});
    const db = t.database.db;
    await db.transaction().execute((trx) => connect(trx, me.id, pal.id));
    // Same city, no interest shared with `me`; `other` was active a second later, so it leads on declared data alone.
    const now = Date.now();
    await db.updateTable('member_profiles').set({ active_at: new Date(now - 1000) }).where('member_id', '=', fan.id).execute();
    await db.updateTable('member_profiles').set({ active_at: new Date(now) }).where('member_id', '=', other.id).execute();
    const fanLeads = async () => {
      const seen: string[] = [];
      let offset: number | null = 0;
      while (offset !== null) {
        const page = await discover(me, `?offset=${offset}`);
        seen.push(...names(page));
        offset = page.nextOffset;
      }
      expect(seen).toContain(fan.username);
      expect(seen).toContain(other.username);
      return seen.indexOf(fan.username) < seen.indexOf(other.username);
    };
    const consent = async (granted: boolean) => expect((await call(t, me, 'PUT', '/api/me/consents/personalized_recommendations', { granted })).statusCode).toBe(200);

    expect(await fanLeads()).toBe(false);
    await consent(true);
    // `pal` likes movies: with consent, a movie fan is lifted above an equally near, more recent member.
    expect(await fanLeads()).toBe(true);
    await consent(false);
    expect(await fanLeads()).toBe(false);
  }, 120_000);
});
