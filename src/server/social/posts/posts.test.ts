import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { block, connect } from '../graph/relations.js';
import { call, makeMinor, signedInMember, type SignedIn } from '../graph/test-helpers.js';
import { isOnline, notify } from './notifications.js';

/**
 * Updates over HTTP on the real app: audiences enforced on every read (P4.4), blocked and
 * minor↔adult pairs kept apart (P5.2), photos re-encoded without metadata and served only to the
 * audience (P4.6), the public-photo reminder required, cross-border posting recorded (P6.1), likes,
 * comments, notifications (live event, list, read state, preferences, email to offline members).
 */
let t: TestApp;
let a: SignedIn, b: SignedIn, c: SignedIn, d: SignedIn, m: SignedIn, e: SignedIn;
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
  [a, b, c, d, m, e] = (await Promise.all([1, 2, 3, 4, 5, 6].map((n) => signedInMember(t, 400 + n, n === 6 ? 'en' : 'id')))) as [
    SignedIn,
    SignedIn,
    SignedIn,
    SignedIn,
    SignedIn,
    SignedIn,
  ];
  await db().transaction().execute(async (trx) => {
    await connect(trx, a.id, b.id);
    await connect(trx, a.id, d.id);
    await connect(trx, a.id, e.id);
    await block(trx, d.id, a.id); // D blocks A: also ends their connection
  });
  await makeMinor(t, m.id);
}, 180_000);
afterAll(() => t.close());

let photo: Buffer;
async function photoWithGps(): Promise<Buffer> {
  photo ??= await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .withExif({ IFD0: { Make: 'KenalanCam', Model: 'Serial-12345' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '6/1 10/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 49/1 0/1' } })
    .jpeg()
    .toBuffer();
  return photo;
}

interface PostInput {
  text?: string;
  audience?: string;
  photos?: Buffer[];
  ack?: boolean;
  ip?: string;
  key?: string;
  language?: 'id' | 'en';
}

async function post(who: SignedIn, input: PostInput) {
  const form = new FormData();
  if (input.text !== undefined) form.append('text', input.text);
  if (input.audience !== undefined) form.append('audience', input.audience);
  if (input.ack) form.append('acknowledgedPhotoReminder', 'true');
  for (const [i, bytes] of (input.photos ?? []).entries()) form.append('photos', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), `p${i}.jpg`);
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({
    method: 'POST',
    url: '/api/posts',
    headers: {
      cookie: `${csrf.cookie}; ${who.cookie}`,
      'x-csrf-token': csrf['x-csrf-token']!,
      'accept-language': input.language ?? 'en',
      'x-forwarded-for': input.ip ?? '36.66.0.1',
      ...(input.key ? { 'idempotency-key': input.key } : {}),
    },
    payload: form,
  });
}

const feedIds = async (who: SignedIn) => ((await call(t, who, 'GET', '/api/feed')).json() as { posts: { id: string }[] }).posts.map((p) => p.id);
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => path.join(f.parentPath, f.name)) : [];

describe('audiences (P4.4) and who may see what', () => {
  let connectionsPost: string, publicPost: string, privatePost: string;

  it('stores the text encrypted and answers the author with the update', async () => {
    const created = await post(a, { text: 'Sore ini jalan-jalan ke Kota Tua.', audience: 'connections' });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json();
    expect(view).toMatchObject({ text: 'Sore ini jalan-jalan ke Kota Tua.', audience: 'connections', mine: true, likeCount: 0, author: { id: a.id, username: a.username } });
    connectionsPost = view.id;
    const row = await db().selectFrom('posts').select(['body', 'posted_from_country']).where('id', '=', connectionsPost).executeTakeFirstOrThrow();
    expect(row.body.startsWith('enc:')).toBe(true);
    expect(row.body).not.toContain('Kota Tua');
    expect(row.posted_from_country).toBeNull();
    publicPost = (await post(a, { text: 'Halo semua!', audience: 'public' })).json().id;
    privatePost = (await post(a, { text: 'Catatan pribadi', audience: 'only_me' })).json().id;
  });

  it('shows a connections-only update to a connection and to nobody else', async () => {
    expect((await call(t, b, 'GET', `/api/posts/${connectionsPost}`)).statusCode).toBe(200);
    for (const who of [c, d, m]) {
      const r = await call(t, who, 'GET', `/api/posts/${connectionsPost}`);
      expect(r.statusCode).toBe(404);
      expect(r.body).not.toContain('Kota Tua');
    }
    expect(await feedIds(b)).toEqual(expect.arrayContaining([connectionsPost, publicPost]));
    expect(await feedIds(b)).not.toContain(privatePost);
    expect(await feedIds(c)).toContain(publicPost);
    expect(await feedIds(c)).not.toContain(connectionsPost);
  });

  it('keeps only-me updates to the author, and blocked members and minors away from everything', async () => {
    expect((await call(t, b, 'GET', `/api/posts/${privatePost}`)).statusCode).toBe(404);
    expect((await call(t, a, 'GET', `/api/posts/${privatePost}`)).statusCode).toBe(200);
    expect(await feedIds(a)).toEqual(expect.arrayContaining([connectionsPost, publicPost, privatePost]));
    // D blocked A; M is a minor and A an adult: not even the public update.
    for (const who of [d, m]) {
      expect((await call(t, who, 'GET', `/api/posts/${publicPost}`)).statusCode).toBe(404);
      expect(await feedIds(who)).not.toContain(publicPost);
      expect((await call(t, who, 'GET', `/api/members/${a.username}/posts`)).statusCode).toBe(404);
      expect((await call(t, who, 'POST', `/api/posts/${publicPost}/like`)).statusCode).toBe(404);
      expect((await call(t, who, 'POST', `/api/posts/${publicPost}/comments`, { text: 'hai' })).statusCode).toBe(404);
    }
    // A cannot see the blocker's updates either.
    const byD = (await post(d, { text: 'Dari D', audience: 'public' })).json().id as string;
    expect((await call(t, a, 'GET', `/api/posts/${byD}`)).statusCode).toBe(404);
    expect(await feedIds(a)).not.toContain(byD);
  });

  it("lists a member's updates as the viewer may see them", async () => {
    const asB = (await call(t, b, 'GET', `/api/members/${a.username}/posts`)).json() as { posts: { id: string }[] };
    expect(asB.posts.map((p) => p.id).sort()).toEqual([connectionsPost, publicPost].sort());
    const asC = (await call(t, c, 'GET', `/api/members/${a.username}/posts`)).json() as { posts: { id: string }[] };
    expect(asC.posts.map((p) => p.id)).toEqual([publicPost]);
  });

  it('pages the feed by keyset without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) await post(c, { text: `Nomor ${i}`, audience: 'public' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(t, c, 'GET', `/api/feed?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { posts: { id: string }[]; next: string | null };
      seen.push(...body.posts.map((p) => p.id));
      cursor = body.next;
    } while (cursor);
    const all = (await call(t, c, 'GET', '/api/feed?limit=50')).json().posts.map((p: { id: string }) => p.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await call(t, c, 'GET', '/api/feed?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
  });

  it('refuses bad input with localized messages', async () => {
    const long = await post(a, { text: 'x'.repeat(2001), audience: 'public', language: 'id' });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ field: 'text', message: 'Teks pembaruan paling banyak 2000 karakter.' });
    const badAudience = await post(a, { text: 'hai', audience: 'everyone' });
    expect(badAudience.statusCode).toBe(400);
    expect((await post(a, { audience: 'public' })).statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/feed' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers a retry with the same Idempotency-Key with the same update', async () => {
    const first = await post(a, { text: 'Sekali saja', audience: 'connections', key: 'post-retry-0001' });
    const again = await post(a, { text: 'Sekali saja', audience: 'connections', key: 'post-retry-0001' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const rows = await db().selectFrom('posts').select('id').where('member_id', '=', a.id).where('idempotency_key', '=', 'post-retry-0001').execute();
    expect(rows).toHaveLength(1);
  });
});

describe('photos (P4.6)', () => {
  it('requires the reminder to be acknowledged for public photos, with a localized message', async () => {
    const before = filesUnder(path.join(t.dataDir, 'media', 'members', a.id, 'posts')).length;
    const id = await post(a, { text: 'Foto', audience: 'public', photos: [await photoWithGps()], language: 'id' });
    expect(id.statusCode).toBe(400);
    expect(id.json().detail).toContain('informasi pribadi');
    const en = await post(a, { text: 'Photo', audience: 'public', photos: [await photoWithGps()], language: 'en' });
    expect(en.json().detail).toContain('personal information');
    expect(filesUnder(path.join(t.dataDir, 'media', 'members', a.id, 'posts'))).toHaveLength(before);
    // Connections-only photos do not need it (the reminder is about public sharing).
    expect((await post(a, { text: 'Foto', audience: 'connections', photos: [await photoWithGps()] })).statusCode).toBe(201);
  });

  it('re-encodes without metadata, stores under the member folder, serves only to the audience, deletes the files', async () => {
    const created = await post(a, { text: 'Pantai', audience: 'connections', photos: [await photoWithGps(), await photoWithGps()], ack: true });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json() as { id: string; photos: { id: string; url: string }[] };
    expect(view.photos).toHaveLength(2);
    const rows = await db().selectFrom('post_photos').select(['storage_path', 'member_id']).where('post_id', '=', view.id).orderBy('position').execute();
    for (const row of rows) {
      expect(row.storage_path.startsWith(`media/members/${a.id}/posts/`)).toBe(true);
      const meta = await sharp(path.join(t.dataDir, row.storage_path)).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(fs.readFileSync(path.join(t.dataDir, row.storage_path)).includes('KenalanCam')).toBe(false);
    }
    const asB = await call(t, b, 'GET', view.photos[0]!.url);
    expect(asB.statusCode).toBe(200);
    expect(asB.headers['content-type']).toBe('image/jpeg');
    expect(asB.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    for (const who of [c, d, m]) expect((await call(t, who, 'GET', view.photos[0]!.url)).statusCode).toBe(404);

    expect((await call(t, b, 'DELETE', `/api/posts/${view.id}`)).statusCode).toBe(404);
    expect((await call(t, a, 'DELETE', `/api/posts/${view.id}`)).statusCode).toBe(204);
    for (const row of rows) expect(fs.existsSync(path.join(t.dataDir, row.storage_path))).toBe(false);
    expect(await db().selectFrom('post_photos').select('id').where('post_id', '=', view.id).execute()).toHaveLength(0);
    expect((await call(t, a, 'GET', `/api/posts/${view.id}`)).statusCode).toBe(404);
  });

  it('refuses more than four photos, files over 10 MiB and non-images before storing anything', async () => {
    const dir = path.join(t.dataDir, 'media', 'members', c.id, 'posts');
    const five = await post(c, { text: 'banyak', audience: 'connections', photos: Array(5).fill(await photoWithGps()) });
    expect(five.statusCode).toBeGreaterThanOrEqual(400);
    expect(five.statusCode).toBeLessThan(500);
    const huge = await post(c, { text: 'besar', audience: 'connections', photos: [Buffer.alloc(10 * 1024 * 1024 + 10, 1)] });
    expect(huge.statusCode).toBe(413);
    const notImage = await post(c, { text: 'bukan', audience: 'connections', photos: [Buffer.from('%PDF-1.4 not a photo')] });
    expect(notImage.statusCode).toBe(400);
    expect(filesUnder(dir)).toHaveLength(0);
    expect(await db().selectFrom('posts').select('id').where('member_id', '=', c.id).where('body', 'like', '%').execute()).toHaveLength(5);
  });
});

describe('cross-border posting (P6.1)', () => {
  it('records the country (never the IP) when posting from outside Indonesia, shown only to the member', async () => {
    const abroad = await post(a, { text: 'Salam dari luar negeri', audience: 'connections', ip: '8.8.8.8' });
    expect(abroad.statusCode, abroad.body).toBe(201);
    expect(abroad.json().postedFromCountry).toBe('US');
    const id = abroad.json().id as string;
    const record = await db().selectFrom('cross_border_activity').selectAll().where('member_id', '=', a.id).execute();
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ activity: 'post_created', object_id: id, country: 'US' });
    expect(JSON.stringify(record)).not.toContain('8.8.8.8');
    expect((await db().selectFrom('posts').select('posted_from_country').where('id', '=', id).executeTakeFirstOrThrow()).posted_from_country).toBe('US');
    // The connection sees the update, not where it came from.
    const asB = (await call(t, b, 'GET', `/api/posts/${id}`)).json();
    expect(asB).not.toHaveProperty('postedFromCountry');
    expect((await call(t, a, 'GET', `/api/posts/${id}`)).json().postedFromCountry).toBe('US');
    const mine = (await call(t, a, 'GET', '/api/me/cross-border-activity')).json();
    expect(mine.activity).toEqual([expect.objectContaining({ country: 'US', objectId: id })]);
    expect((await call(t, b, 'GET', '/api/me/cross-border-activity')).json().activity).toEqual([]);
    // "Your data" lists it through the data map.
    const yourData = await call(t, a, 'GET', '/api/me/data');
    expect(yourData.statusCode).toBe(200);
    expect(yourData.body).toContain('Country you were active from outside Indonesia');
    expect(yourData.body).toContain('"US"');
    // From Indonesia nothing is recorded.
    await post(a, { text: 'Sudah pulang', audience: 'connections', ip: '202.67.40.1' });
    expect(await db().selectFrom('cross_border_activity').select('id').where('member_id', '=', a.id).execute()).toHaveLength(1);
  });
});

describe('likes, comments and notifications', () => {
  let postId: string;

  it('toggles a like, notifies the author once, and pushes the notification live', async () => {
    postId = (await post(a, { text: 'Suka kopi?', audience: 'connections' })).json().id;
    const liked = await call(t, b, 'POST', `/api/posts/${postId}/like`);
    expect(liked.json()).toEqual({ liked: true, likeCount: 1 });
    expect((await call(t, b, 'GET', `/api/posts/${postId}`)).json().likedByMe).toBe(true);
    expect((await call(t, b, 'POST', `/api/posts/${postId}/like`)).json()).toEqual({ liked: false, likeCount: 0 });
    expect((await call(t, b, 'POST', `/api/posts/${postId}/like`)).json()).toEqual({ liked: true, likeCount: 1 });
    const rows = await db().selectFrom('notifications').selectAll().where('member_id', '=', a.id).where('kind', '=', 'post_liked').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: b.id, object_id: postId, read_at: null });
    const list = (await call(t, a, 'GET', '/api/notifications')).json();
    expect(list.notifications[0]).toMatchObject({ kind: 'post_liked', objectId: postId, read: false, actor: { username: b.username, nickname: 'Dewi' } });
    expect((await call(t, a, 'GET', '/api/notifications/unread-count')).json().unread).toBe(1);
  });

  it('comments (encrypted, ≤ 500), lets the author and the post owner delete, and no one else', async () => {
    const made = await call(t, b, 'POST', `/api/posts/${postId}/comments`, { text: 'Suka banget, apalagi kopi Toraja.' });
    expect(made.statusCode, made.body).toBe(201);
    const commentId = made.json().id as string;
    const raw = await db().selectFrom('post_comments').select('body').where('id', '=', commentId).executeTakeFirstOrThrow();
    expect(raw.body.startsWith('enc:')).toBe(true);
    expect((await call(t, b, 'POST', `/api/posts/${postId}/comments`, { text: 'y'.repeat(501) }, { language: 'id' })).json().errors[0].message).toBe(
      'Komentar paling banyak 500 karakter.',
    );
    expect((await call(t, c, 'POST', `/api/posts/${postId}/comments`, { text: 'hai' })).statusCode).toBe(404);
    const listed = (await call(t, a, 'GET', `/api/posts/${postId}/comments`)).json();
    expect(listed.comments).toEqual([expect.objectContaining({ id: commentId, text: 'Suka banget, apalagi kopi Toraja.', canDelete: true })]);
    expect((await call(t, a, 'GET', `/api/posts/${postId}`)).json().commentCount).toBe(1);
    const n = await db().selectFrom('notifications').select(['kind', 'actor_id']).where('member_id', '=', a.id).where('kind', '=', 'post_commented').execute();
    expect(n).toEqual([{ kind: 'post_commented', actor_id: b.id }]);

    const second = (await call(t, e, 'POST', `/api/posts/${postId}/comments`, { text: 'Aku juga!' })).json().id as string;
    expect((await call(t, b, 'DELETE', `/api/posts/${postId}/comments/${second}`)).statusCode).toBe(404);
    expect((await call(t, e, 'DELETE', `/api/posts/${postId}/comments/${second}`)).statusCode).toBe(204);
    expect((await call(t, a, 'DELETE', `/api/posts/${postId}/comments/${commentId}`)).statusCode).toBe(204);
    expect(await db().selectFrom('post_comments').select('id').where('post_id', '=', postId).execute()).toHaveLength(0);
    const audited = await db().selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'posts.comment_removed').execute();
    expect(audited).toEqual([{ action: 'posts.comment_removed', details: { postId, commentId, by: 'post_owner' } }]);
  });

  it('marks read one and all', async () => {
    const list = (await call(t, a, 'GET', '/api/notifications')).json().notifications as { id: string }[];
    expect((await call(t, a, 'POST', `/api/notifications/${list[0]!.id}/read`)).statusCode).toBe(204);
    expect((await call(t, b, 'POST', `/api/notifications/${list[0]!.id}/read`)).statusCode).toBe(404);
    expect((await call(t, a, 'POST', '/api/notifications/read-all')).json().marked).toBeGreaterThan(0);
    expect((await call(t, a, 'GET', '/api/notifications/unread-count')).json().unread).toBe(0);
  });

  it('makes no notification between members blocked either way, nor to oneself', async () => {
    const results = await db().transaction().execute(async (trx) => [
      await notify(trx, { memberId: a.id, kind: 'request_received', actorId: d.id }),
      await notify(trx, { memberId: d.id, kind: 'request_received', actorId: a.id }),
      await notify(trx, { memberId: a.id, kind: 'post_liked', actorId: a.id }),
    ]);
    expect(results).toEqual([null, null, null]);
  });

  it("pushes the notification live to the member's socket, only once the transaction commits", async () => {
    const received: { type: string; kind?: string; objectId?: string }[] = [];
    const socket = { memberId: a.id, send: (data: string) => void received.push(JSON.parse(data) as { type: string }) };
    t.services.realtime.add(socket);
    try {
      const objectId = '00000000-0000-4000-8000-000000000001';
      // A rolled-back transaction publishes nothing.
      await db()
        .transaction()
        .execute(async (trx) => {
          await notify(trx, { memberId: a.id, kind: 'request_accepted', actorId: c.id, objectId: '00000000-0000-4000-8000-000000000002' });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await db().transaction().execute((trx) => notify(trx, { memberId: a.id, kind: 'request_accepted', actorId: c.id, objectId }));
      for (let i = 0; i < 100 && !received.some((e) => e.type === 'notification'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(received.filter((e) => e.type === 'notification')).toEqual([expect.objectContaining({ type: 'notification', kind: 'request_accepted', objectId })]);
      // A member with a socket here is online: no email job even for a kind they get by email.
      expect(await isOnline(db(), a.id)).toBe(true);
    } finally {
      t.services.realtime.remove(socket);
    }
  });

  it('keeps email preferences, and emails an offline member in their language only for kinds they allow', async () => {
    expect((await call(t, e, 'GET', '/api/me/notification-preferences')).json().email).toEqual({
      request_received: true,
      request_accepted: true,
      message: true,
      post_liked: false,
      post_commented: false,
      moderation_warning: false,
      report_handled: false,
    });
    const put = await call(t, e, 'PUT', '/api/me/notification-preferences', { email: { post_commented: true, request_received: false } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().email).toMatchObject({ post_commented: true, request_received: false });

    const ePost = (await post(e, { text: 'Ada yang mau ke Bromo?', audience: 'public' })).json().id as string;
    // E is online (a session seen just now): the notification is made, no email job.
    await call(t, a, 'POST', `/api/posts/${ePost}/comments`, { text: 'Aku mau!' });
    const jobsFor = async (notificationId: string) =>
      Number(
        (
          await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'notifications.send-email' AND data->>'notificationId' = ${notificationId}`.execute(db())
        ).rows[0]!.n,
      );
    const online = await db().selectFrom('notifications').select('id').where('member_id', '=', e.id).where('kind', '=', 'post_commented').executeTakeFirstOrThrow();
    expect(await jobsFor(online.id)).toBe(0);

    // E goes away (no session seen for an hour): the next comment is emailed, in English.
    await db().updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 3600_000) }).where('member_id', '=', e.id).execute();
    await call(t, b, 'POST', `/api/posts/${ePost}/comments`, { text: 'Ikut!' });
    const offline = await db().selectFrom('notifications').select('id').where('member_id', '=', e.id).where('actor_id', '=', b.id).executeTakeFirstOrThrow();
    expect(await jobsFor(offline.id)).toBe(1);
    // A like is not emailed (E left post_liked off).
    await call(t, b, 'POST', `/api/posts/${ePost}/like`);
    const like = await db().selectFrom('notifications').select('id').where('member_id', '=', e.id).where('kind', '=', 'post_liked').executeTakeFirstOrThrow();
    expect(await jobsFor(like.id)).toBe(0);

    let mail: string | undefined;
    for (let i = 0; i < 200 && !mail; i++) {
      const rows = await db().selectFrom('dev_mailbox').select(['to_address', 'raw']).execute();
      const mine = rows.map((r) => ({ to: t.services.keyring.decrypt(r.to_address, 'dev_mailbox.to_address'), raw: t.services.keyring.decrypt(r.raw, 'dev_mailbox.raw') }));
      mail = mine.find((x) => x.to.startsWith('dewi.406') && x.raw.includes('commented'))?.raw;
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mail, 'notification email').toBeDefined();
    expect(mail).toContain('Content-Language: en');
    expect(mail).toMatch(/Subject: @dewi_402 commented on your update/);
    expect(mail).not.toContain('Ikut!');
    expect((await db().selectFrom('notifications').select('emailed_at').where('id', '=', offline.id).executeTakeFirstOrThrow()).emailed_at).not.toBeNull();
  });

  it('hides notifications from a member blocked afterwards, and the audit chain holds', async () => {
    const before = (await call(t, a, 'GET', '/api/notifications')).json().notifications.length as number;
    await db().transaction().execute((trx) => block(trx, a.id, b.id));
    const after = (await call(t, a, 'GET', '/api/notifications')).json().notifications as { actor: { username: string } | null }[];
    expect(after.length).toBeLessThan(before);
    expect(after.some((n) => n.actor?.username === b.username)).toBe(false);
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });
});
