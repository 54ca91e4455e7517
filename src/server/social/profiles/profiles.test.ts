import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { csrfHeaders } from '../../../../test/support/app.js';
import { setRestrictions } from '../../privacy/rights/restrictions.js';
import { block, connect } from '../graph/relations.js';
import { call, makeMinor, signedInMember, type SignedIn } from '../graph/test-helpers.js';
import { LOCATION_RESOLUTION } from './location.js';

let t: TestApp;
let owner: SignedIn;
let friend: SignedIn;
let stranger: SignedIn;

const EVERYTHING_HIDDEN = {
  bio: 'Suka kopi dan naik gunung di akhir pekan.',
  bioVisibility: 'only_me',
  interests: ['coffee', 'hiking'],
  tags: ['kopi susu', 'sunrise'],
  interestsVisibility: 'only_me',
  languages: ['id', 'jv'],
  languagesVisibility: 'only_me',
  city: 'yogyakarta',
  cityVisibility: 'only_me',
  ageVisibility: 'only_me',
  hidden: false,
  genderInDiscovery: false,
} as const;

/** Where each profile field appears in a view (GET /api/members/:username or the preview). */
const FIELDS = {
  bio: { visibility: 'bioVisibility', keys: ['bio'] },
  interests: { visibility: 'interestsVisibility', keys: ['interests', 'tags'] },
  languages: { visibility: 'languagesVisibility', keys: ['languages'] },
  city: { visibility: 'cityVisibility', keys: ['city'] },
  age: { visibility: 'ageVisibility', keys: ['age'] },
} as const;

/** Keys that must never reach another member, whatever the settings. */
const NEVER = ['gender', 'nik', 'nikLast4', 'email', 'phone', 'dateOfBirth', 'location', 'latitude', 'longitude', 'lat', 'lng', 'cell', 'locationCell', 'bioVisibility', 'hidden', 'plainRanking'];

async function jpeg(width = 400, height = 400, colour = { r: 90, g: 140, b: 200 }) {
  return sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toBuffer();
}

async function upload(who: SignedIn, bytes: Buffer, visibility = 'everyone') {
  const data = new FormData();
  data.append('visibility', visibility);
  data.append('photo', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'p.jpg');
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method: 'POST', url: '/api/me/profile/photos', headers: { ...csrf, cookie: `${csrf.cookie}; ${who.cookie}` }, payload: data });
}

const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)])) : [];

beforeAll(async () => {
  t = await createTestApp();
  owner = await signedInMember(t, 101);
  friend = await signedInMember(t, 102);
  stranger = await signedInMember(t, 103);
  await t.database.db.transaction().execute((trx) => connect(trx, owner.id, friend.id));
}, 120_000);
afterAll(() => t?.close());

describe('profile views per visibility level (P3.3)', () => {
  it('serializes each field only to the levels its visibility allows, for every field and every level', async () => {
    const levels = [
      { name: 'stranger', read: () => call(t, stranger, 'GET', `/api/members/${owner.username}`) },
      { name: 'connection', read: () => call(t, friend, 'GET', `/api/members/${owner.username}`) },
      { name: 'self', read: () => call(t, owner, 'GET', `/api/members/${owner.username}`) },
      { name: 'preview-stranger', read: () => call(t, owner, 'GET', '/api/me/profile/preview?as=stranger') },
      { name: 'preview-connection', read: () => call(t, owner, 'GET', '/api/me/profile/preview?as=connection') },
    ] as const;
    const expected: Record<string, Record<(typeof levels)[number]['name'], boolean>> = {
      everyone: { stranger: true, connection: true, self: true, 'preview-stranger': true, 'preview-connection': true },
      connections: { stranger: false, connection: true, self: true, 'preview-stranger': false, 'preview-connection': true },
      only_me: { stranger: false, connection: false, self: true, 'preview-stranger': false, 'preview-connection': false },
    };
    let checks = 0;
    for (const [field, { visibility, keys }] of Object.entries(FIELDS)) {
      for (const level of ['everyone', 'connections', 'only_me'] as const) {
        const saved = await call(t, owner, 'PUT', '/api/me/profile', { ...EVERYTHING_HIDDEN, [visibility]: level });
        expect(saved.statusCode, saved.body).toBe(200);
        for (const viewer of levels) {
          const response = await viewer.read();
          expect(response.statusCode, response.body).toBe(200);
          const body = response.json() as Record<string, unknown>;
          for (const key of keys) {
            expect(key in body, `${field}=${level}: ${key} for ${viewer.name}`).toBe(expected[level]![viewer.name]);
          }
          // Every other field stayed "only me": present only for the member themself.
          for (const [other, o] of Object.entries(FIELDS)) if (other !== field) for (const key of o.keys) expect(key in body, `${other} leaked to ${viewer.name}`).toBe(viewer.name === 'self');
          for (const key of NEVER) expect(key in body, `${key} in ${viewer.name}`).toBe(false);
          expect(body.nickname).toBe('Dewi');
          checks++;
        }
      }
    }
    expect(checks).toBe(5 * 3 * 5);
    // The values themselves, when visible.
    await call(t, owner, 'PUT', '/api/me/profile', { ...EVERYTHING_HIDDEN, bioVisibility: 'everyone', interestsVisibility: 'everyone', languagesVisibility: 'everyone', cityVisibility: 'everyone', ageVisibility: 'everyone' });
    const seen = (await call(t, stranger, 'GET', `/api/members/${owner.username}`)).json();
    expect(seen).toMatchObject({ bio: EVERYTHING_HIDDEN.bio, interests: ['coffee', 'hiking'], tags: ['kopi susu', 'sunrise'], languages: ['id', 'jv'], city: 'yogyakarta', viewer: 'stranger' });
    expect(seen.age).toBeGreaterThanOrEqual(36);
  });

  it('drops any field the allow-list might let through: the response schema has no property for it', async () => {
    const original = t.services.profiles.viewMember;
    t.services.profiles.viewMember = async (...args) => ({ ...(await original(...args)), gender: 'female', nik: '3174055203903101', email: 'x', location: { lat: -6.2, lng: 106.8 } }) as never;
    try {
      const body = (await call(t, stranger, 'GET', `/api/members/${owner.username}`)).json() as Record<string, unknown>;
      expect(body.username).toBe(owner.username);
      for (const key of ['gender', 'nik', 'email', 'location']) expect(key in body).toBe(false);
    } finally {
      t.services.profiles.viewMember = original;
    }
  });

  it('stores the bio and free tags encrypted', async () => {
    const row = await t.database.db.selectFrom('member_profiles').select(['bio', 'tags']).where('member_id', '=', owner.id).executeTakeFirstOrThrow();
    expect(row.bio).toMatch(/^enc:v1:/);
    expect(row.tags).toMatch(/^enc:v1:/);
  });

  it('answers 404 for blocked either way, minors↔adults, inactive and unknown members, on the profile and its photos', async () => {
    const a = await signedInMember(t, 111);
    const b = await signedInMember(t, 112);
    const photoId = (await call(t, a, 'GET', '/api/me/profile')).json().photos[0].id as string;
    await t.database.db.updateTable('member_photos').set({ visibility: 'everyone' }).where('id', '=', photoId).execute();
    expect((await call(t, b, 'GET', `/api/members/${a.username}`)).statusCode).toBe(200);
    expect((await call(t, b, 'GET', `/api/members/${a.username}/photos/${photoId}`)).statusCode).toBe(200);

    await t.database.db.transaction().execute((trx) => block(trx, a.id, b.id));
    for (const [viewer, target] of [[b, a], [a, b]] as const) {
      const r = await call(t, viewer, 'GET', `/api/members/${target.username}`);
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toBe('not_found');
    }
    expect((await call(t, b, 'GET', `/api/members/${a.username}/photos/${photoId}`)).statusCode).toBe(404);
    await t.database.db.deleteFrom('blocks').execute();

    await makeMinor(t, a.id);
    expect((await call(t, b, 'GET', `/api/members/${a.username}`)).statusCode).toBe(404);
    expect((await call(t, b, 'GET', `/api/members/${a.username}/photos/${photoId}`)).statusCode).toBe(404);
    await t.database.db.updateTable('members').set({ adult_from: '2008-03-12' }).where('id', '=', a.id).execute();
    expect((await call(t, b, 'GET', `/api/members/${a.username}`)).statusCode).toBe(200);

    await t.database.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', a.id).execute();
    expect((await call(t, b, 'GET', `/api/members/${a.username}`)).statusCode).toBe(404);
    expect((await call(t, b, 'GET', '/api/members/nobody_here')).statusCode).toBe(404);
    expect((await call(t, null, 'GET', `/api/members/${b.username}`)).statusCode).toBe(401);
  });

  it('validates with localized messages, in Indonesian and in English', async () => {
    const bad = { ...EVERYTHING_HIDDEN, bio: 'WA aku 0812 3456 7890 ya', interests: ['coffee', 'astrology'], tags: ['ok', 'http://x.y'], languages: ['xx'], city: 'atlantis' };
    const id = await call(t, owner, 'PUT', '/api/me/profile', bad, { language: 'id' });
    expect(id.statusCode).toBe(400);
    const fields = Object.fromEntries((id.json().errors as { field: string; code: string; message: string }[]).map((e) => [e.field, e]));
    expect(Object.keys(fields).sort()).toEqual(['bio', 'city', 'interests', 'languages', 'tags']);
    expect(fields.bio!.code).toBe('bioContact');
    expect(fields.bio!.message).toContain('nomor ponsel');
    expect(fields.city!.message).toBe('Pilih kota dari daftar.');
    const en = await call(t, owner, 'PUT', '/api/me/profile', bad, { language: 'en' });
    expect((en.json().errors as { field: string; message: string }[]).find((e) => e.field === 'interests')!.message).toBe('Choose interests from the list.');
    const extra = await call(t, owner, 'PUT', '/api/me/profile', { ...EVERYTHING_HIDDEN, bioVisibility: 'friends' });
    expect(extra.statusCode).toBe(400);
  });
});

describe('photos (P4.6)', () => {
  it('adds up to six re-encoded photos without metadata, refuses the seventh and oversized files before storing anything', async () => {
    const who = await signedInMember(t, 121);
    const dir = path.join(t.dataDir, 'media', 'members', who.id);
    const withGps = await sharp(await jpeg(640, 480))
      .withExif({ IFD0: { Make: 'KenalanCam', Model: 'Spy 1' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '6/1 12/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 49/1 0/1' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    for (let i = 0; i < 5; i++) {
      const r = await upload(who, i === 0 ? withGps : await jpeg(400, 400, { r: 10 * i, g: 100, b: 50 }));
      expect(r.statusCode, r.body).toBe(201);
    }
    const profile = (await call(t, who, 'GET', '/api/me/profile')).json();
    expect(profile.photos).toHaveLength(6);
    const stored = await t.database.db.selectFrom('member_photos').select(['storage_path']).where('member_id', '=', who.id).orderBy('position').execute();
    const first = fs.readFileSync(path.join(t.dataDir, stored[1]!.storage_path));
    const meta = await sharp(first).metadata();
    expect(meta.exif).toBeUndefined();
    expect(first.includes(Buffer.from('KenalanCam'))).toBe(false);
    expect(stored[1]!.storage_path).toMatch(new RegExp(`^media/members/${who.id}/profile/`));

    const before = filesUnder(dir).length;
    const seventh = await upload(who, await jpeg());
    expect(seventh.statusCode).toBe(400);
    expect(seventh.json().errors[0].code).toBe('tooManyPhotos');
    const huge = Buffer.alloc(11 * 1024 * 1024, 0xff);
    huge[0] = 0xff; huge[1] = 0xd8; huge[2] = 0xff;
    const tooBig = await upload(who, huge);
    expect(tooBig.statusCode).toBe(413);
    expect(filesUnder(dir).length).toBe(before);

    // Remove one (its files go), then reorder and change visibility.
    const photos = profile.photos as { id: string }[];
    const removed = await call(t, who, 'DELETE', `/api/me/profile/photos/${photos[2]!.id}`);
    expect(removed.statusCode).toBe(200);
    expect(filesUnder(dir).length).toBe(before - 3);
    expect(filesUnder(dir).some((f) => f.includes(photos[2]!.id))).toBe(false);
    const order = (removed.json().photos as { id: string }[]).map((p) => p.id).reverse();
    const reordered = await call(t, who, 'PUT', '/api/me/profile/photos', { ids: order });
    expect(reordered.statusCode).toBe(200);
    expect((reordered.json().photos as { id: string }[]).map((p) => p.id)).toEqual(order);
    expect((await call(t, who, 'PUT', '/api/me/profile/photos', { ids: order.slice(1) })).statusCode).toBe(400);
  });

  it('serves a photo only through the authorized route, honouring its visibility', async () => {
    const photos = (await call(t, owner, 'GET', '/api/me/profile')).json().photos as { id: string }[];
    const id = photos[0]!.id;
    const url = `/api/members/${owner.username}/photos/${id}`;
    for (const [visibility, strangerStatus, friendStatus] of [['everyone', 200, 200], ['connections', 404, 200], ['only_me', 404, 404]] as const) {
      expect((await call(t, owner, 'PUT', `/api/me/profile/photos/${id}`, { visibility })).statusCode).toBe(200);
      expect((await call(t, stranger, 'GET', url)).statusCode, `${visibility} stranger`).toBe(strangerStatus);
      const f = await call(t, friend, 'GET', url);
      expect(f.statusCode, `${visibility} friend`).toBe(friendStatus);
      if (friendStatus === 200) {
        expect(f.headers['content-type']).toBe('image/jpeg');
        expect((await sharp(f.rawPayload).metadata()).width).toBe(320);
      }
      const views = (await call(t, stranger, 'GET', `/api/members/${owner.username}`)).json().photos as { id: string }[];
      expect(views.some((p) => p.id === id)).toBe(strangerStatus === 200);
      expect((await call(t, owner, 'GET', `${url}?size=full`)).statusCode).toBe(200);
    }
    const staticTry = await t.app.inject({ method: 'GET', url: `/media/members/${owner.id}/${id}.jpg` });
    expect(staticTry.headers['content-type'] ?? '').not.toContain('image/jpeg');
  });
});

describe('location (ADR 0014)', () => {
  it('stores the precise point encrypted, keeps only a resolution-6 cell in clear, and never sends coordinates', async () => {
    const who = await signedInMember(t, 131);
    const lat = -6.2088;
    const lng = 106.8456;
    const r = await call(t, who, 'PUT', '/api/me/profile/location', { latitude: lat, longitude: lng });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ source: 'precise', restricted: false });
    const row = await t.database.db.selectFrom('member_profiles').selectAll().where('member_id', '=', who.id).executeTakeFirstOrThrow();
    expect(row.location_precise).toMatch(/^enc:v1:/);
    expect(row.location_cell).toBe(latLngToCell(lat, lng, LOCATION_RESOLUTION));
    expect(JSON.stringify(row)).not.toContain('6.2088');
    const yourData = await call(t, who, 'GET', '/api/me/data');
    expect(yourData.statusCode).toBe(200);
    expect(yourData.body).not.toContain('6.2088');
    for (const response of [await call(t, who, 'GET', '/api/me/profile'), await call(t, who, 'GET', `/api/members/${who.username}`), await call(t, who, 'GET', '/api/me/profile/preview?as=connection')]) {
      expect(response.body).not.toContain('6.2088');
      expect(response.body).not.toContain('106.8456');
      expect(response.body).not.toContain(row.location_cell!);
    }
    const cleared = await call(t, who, 'DELETE', '/api/me/profile/location');
    expect(cleared.json().source).toBe(null);
    expect((await t.database.db.selectFrom('member_profiles').select('location_precise').where('member_id', '=', who.id).executeTakeFirstOrThrow()).location_precise).toBeNull();
  });

  it('uses the city cell without a precise location, and stores no point for a member who restricted location processing', async () => {
    const who = await signedInMember(t, 132);
    await call(t, who, 'PUT', '/api/me/profile', { ...EVERYTHING_HIDDEN, city: 'makassar' });
    let row = await t.database.db.selectFrom('member_profiles').selectAll().where('member_id', '=', who.id).executeTakeFirstOrThrow();
    expect(row.location_source).toBe('city');
    expect(row.location_cell).toBe(latLngToCell(-5.1477, 119.4327, LOCATION_RESOLUTION));
    await setRestrictions(t.database.db, who.id, ['location'], new Date());
    const r = await call(t, who, 'PUT', '/api/me/profile/location', { latitude: -5.13, longitude: 119.41 });
    expect(r.json()).toEqual({ source: 'city', restricted: true });
    row = await t.database.db.selectFrom('member_profiles').selectAll().where('member_id', '=', who.id).executeTakeFirstOrThrow();
    expect(row.location_precise).toBeNull();
    expect(row.location_source).toBe('city');
    expect((await call(t, who, 'GET', '/api/me/profile')).json().location).toEqual({ source: 'city', restricted: true });
  });
});
