import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DemoSeedRefused, seedDemo } from '../scripts/seed-demo.js';
import { PASSWORD, signIn, signUpMember } from '../src/server/identity/login-security/test-members.js';
import { verifyPassword } from '../src/server/identity/password/hash.js';
import { createTestApp, type TestApp } from './support/app.js';

/**
 * `npm run seed:demo`: a small community is seeded through the keyring like real members (demo
 * usernames, reserved email domain, fake NIK serials, generated avatars without faces, profiles,
 * connections, conversations, updates), a demo member can sign in and see a feed, and the seed
 * refuses to run once the database holds a real member.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 120_000);
afterAll(() => t.close());
const db = () => t.database.db;

describe('seed:demo', () => {
  it('seeds a small, clearly fake community, encrypted like real members', async () => {
    const result = await seedDemo({ db: db(), keyring: t.services.keyring, dataDir: t.dataDir, count: 40, seed: 7 });
    expect(result.members).toBe(40);
    expect(result.connections).toBeGreaterThan(0);
    expect(result.posts).toBeGreaterThan(0);
    const members = await db().selectFrom('members').selectAll().execute();
    expect(members).toHaveLength(40);
    for (const m of members) {
      expect(m.username.startsWith('demo_')).toBe(true);
      expect(m.status).toBe('active');
      expect(m.email.startsWith('enc:')).toBe(true);
      expect(t.services.keyring.decrypt(m.email, 'members.email').endsWith(`\u0040${DEMO_EMAIL_DOMAIN}`)).toBe(true);
      const nik = t.services.keyring.decrypt(m.nik, 'members.nik');
      expect(nik).toMatch(/^\d{12}99\d{2}$/);
      expect(m.nik_last4.startsWith('99')).toBe(true);
    }
    expect(await verifyPassword(members[0]!.password_hash, DEMO_PASSWORD)).toBe(true);

    // Generated avatars under each member's folder, readable images, no metadata.
    const photos = await db().selectFrom('member_photos').select(['member_id', 'storage_path']).execute();
    expect(photos).toHaveLength(40);
    const meta = await sharp(path.join(t.dataDir, photos[0]!.storage_path)).metadata();
    expect(meta.width).toBe(400);
    expect(meta.exif).toBeUndefined();
    expect(photos[0]!.storage_path.startsWith(`media/members/${photos[0]!.member_id}/`)).toBe(true);
    expect(fs.existsSync(path.join(t.dataDir, photos[0]!.storage_path.replace('.jpg', '-96.jpg')))).toBe(true);

    const posts = await db().selectFrom('posts').select('body').execute();
    expect(posts.length).toBe(result.posts);
    expect(posts.every((p) => p.body.startsWith('enc:'))).toBe(true);
    if (result.profiles) {
      const profiles = await db().selectFrom('member_profiles').select(['synthetic', 'location_cell']).execute();
      expect(profiles).toHaveLength(40);
      expect(profiles.every((p) => p.synthetic && p.location_cell)).toBe(true);
    }
    if (result.chat) expect(result.messages).toBeGreaterThan(0);
  });

  it('lets a demo member sign in and read a feed', async () => {
    const someone = await db().selectFrom('members').select('username').orderBy('username').executeTakeFirstOrThrow();
    const response = await signIn(t, someone.username, DEMO_PASSWORD, { ip: '198.51.100.90' });
    expect(response.statusCode, response.body).toBe(201);
    const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const feed = await t.app.inject({ method: 'GET', url: '/api/feed', headers: { cookie } });
    expect(feed.statusCode, feed.body).toBe(200);
  });

  it('adds more demo members on a second run, and refuses once a real member exists', async () => {
    await seedDemo({ db: db(), keyring: t.services.keyring, dataDir: t.dataDir, count: 5, seed: 8 });
    expect(await db().selectFrom('members').select('id').execute()).toHaveLength(45);
    const real = await signUpMember(t, 950);
    expect(real.username).toBe('dewi_950');
    await expect(seedDemo({ db: db(), keyring: t.services.keyring, dataDir: t.dataDir, count: 5 })).rejects.toBeInstanceOf(DemoSeedRefused);
    expect(await db().selectFrom('members').select('id').execute()).toHaveLength(46);
    expect(PASSWORD).not.toBe(DEMO_PASSWORD);
  });
});
