import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeMinor, signedInMember, type SignedIn } from '../src/server/social/graph/test-helpers.js';
import { createTestApp, csrfHeaders, type TestApp } from './support/app.js';

/**
 * The visibility walk (issue 4, "Bad input"; P4.4, P5.2). Member A has data behind every social
 * route: a profile with a connections-only bio and only-me tags, a connections-only photo, updates
 * for each audience (one with a photo, one with a comment), kenalan requests both ways with intros,
 * a connection and a chat. Every route under the social prefixes is then called with A's ids as
 *   (a) a stranger, (b) a member A blocked, (c) a member who blocked A, (d) adults once A is a minor,
 *   (e) a connection,
 * asserting the status where visibility forbids it (404/403) and that no response — success or
 * error — carries a marker the viewer may not see (or, for (b)–(d), A's id or username at all).
 * The routes come from the app's own OpenAPI document: a route under these prefixes that is not
 * classified below fails the test, so a new route cannot skip the walk.
 */
const PREFIXES = ['/api/members', '/api/requests', '/api/connections', '/api/chats', '/api/chat', '/api/posts', '/api/updates', '/api/feed', '/api/discover', '/api/blocks', '/api/reports', '/api/notifications'];

type Viewer = 'stranger' | 'blockedByA' | 'blockerOfA' | 'adultVsMinor' | 'connection';
const HIDDEN: Viewer[] = ['blockedByA', 'blockerOfA', 'adultVsMinor'];

interface Ctx {
  a: SignedIn;
  photoId: string;
  publicPost: string;
  connectionsPost: string;
  onlyMePost: string;
  postPhotoId: string;
  commentId: string;
  chatMessageId: string;
  conversationId: string;
  notificationId: string;
  requestOut: string;
  requestIn: string;
}

/** One call of a route with A's ids, and the statuses each viewer may get (omitted: the viewer is not walked, with the reason in `skip`). */
interface Case {
  url: (c: Ctx) => string;
  body?: (c: Ctx) => unknown;
  expect: Partial<Record<Viewer, number[]>>;
}
type Spec = { cases: Case[] } | { list: true } | { exempt: string };

const REFUSED = [403, 404];
const hidden = (statuses: number[] = [404]) => Object.fromEntries(HIDDEN.map((v) => [v, statuses])) as Partial<Record<Viewer, number[]>>;
const OK = [200];

/** Every social route, classified. `list`: the viewer's own list, walked with GET and checked for leaks. */
const ROUTES: Record<string, Spec> = {
  'GET /api/members/{username}': { cases: [{ url: (c) => `/api/members/${c.a.username}`, expect: { stranger: OK, connection: OK, ...hidden() } }] },
  'GET /api/members/{username}/photos/{id}': {
    cases: [{ url: (c) => `/api/members/${c.a.username}/photos/${c.photoId}`, expect: { stranger: [404], connection: OK, ...hidden() } }],
  },
  'GET /api/members/{username}/posts': { cases: [{ url: (c) => `/api/members/${c.a.username}/posts`, expect: { stranger: OK, connection: OK, ...hidden() } }] },
  'POST /api/posts': { list: true },
  'GET /api/feed': { list: true },
  'GET /api/discover': { list: true },
  'GET /api/posts/{id}': {
    cases: [
      { url: (c) => `/api/posts/${c.publicPost}`, expect: { stranger: OK, connection: OK, ...hidden() } },
      { url: (c) => `/api/posts/${c.connectionsPost}`, expect: { stranger: [404], connection: OK, ...hidden() } },
      { url: (c) => `/api/posts/${c.onlyMePost}`, expect: { stranger: [404], connection: [404], ...hidden() } },
    ],
  },
  'DELETE /api/posts/{id}': { cases: [{ url: (c) => `/api/posts/${c.publicPost}`, expect: { stranger: REFUSED, connection: REFUSED, ...hidden(REFUSED) } }] },
  'POST /api/posts/{id}/like': {
    cases: [
      { url: (c) => `/api/posts/${c.publicPost}/like`, expect: { stranger: [200, 201, 204], ...hidden() } },
      { url: (c) => `/api/posts/${c.onlyMePost}/like`, expect: { stranger: [404], connection: [404], ...hidden() } },
    ],
  },
  'GET /api/posts/{id}/comments': {
    cases: [
      { url: (c) => `/api/posts/${c.connectionsPost}/comments`, expect: { stranger: [404], connection: OK, ...hidden() } },
      { url: (c) => `/api/posts/${c.onlyMePost}/comments`, expect: { stranger: [404], connection: [404], ...hidden() } },
    ],
  },
  'POST /api/posts/{id}/comments': {
    cases: [
      { url: (c) => `/api/posts/${c.connectionsPost}/comments`, body: () => ({ text: 'Halo' }), expect: { stranger: [404], ...hidden() } },
      { url: (c) => `/api/posts/${c.onlyMePost}/comments`, body: () => ({ text: 'Halo' }), expect: { stranger: [404], connection: [404], ...hidden() } },
    ],
  },
  // The connection wrote the comment (deleting it is theirs to do): walked for everyone else.
  'DELETE /api/posts/{id}/comments/{commentId}': {
    cases: [{ url: (c) => `/api/posts/${c.connectionsPost}/comments/${c.commentId}`, expect: { stranger: REFUSED, ...hidden(REFUSED) } }],
  },
  'GET /api/posts/{id}/photos/{photoId}': {
    cases: [{ url: (c) => `/api/posts/${c.connectionsPost}/photos/${c.postPhotoId}`, expect: { stranger: [404], connection: OK, ...hidden() } }],
  },
  'GET /api/chats': { list: true },
  'GET /api/chats/unread': { list: true },
  'GET /api/chats/{memberId}/messages': { cases: [{ url: (c) => `/api/chats/${c.a.id}/messages`, expect: { stranger: REFUSED, connection: OK, ...hidden(REFUSED) } }] },
  'POST /api/chats/{memberId}/messages': {
    cases: [{ url: (c) => `/api/chats/${c.a.id}/messages`, body: () => ({ clientKey: crypto.randomUUID(), body: 'Halo' }), expect: { stranger: REFUSED, ...hidden(REFUSED) } }],
  },
  'POST /api/chats/{memberId}/photos': { cases: [{ url: (c) => `/api/chats/${c.a.id}/photos`, body: () => ({}), expect: { stranger: [...REFUSED, 415], ...hidden([...REFUSED, 415]) } }] },
  'POST /api/chats/{memberId}/read': { cases: [{ url: (c) => `/api/chats/${c.a.id}/read`, expect: { stranger: REFUSED, ...hidden(REFUSED) } }] },
  'DELETE /api/chats/{memberId}/messages/{messageId}': {
    cases: [{ url: (c) => `/api/chats/${c.a.id}/messages/${c.chatMessageId}?scope=me`, expect: { stranger: REFUSED, ...hidden(REFUSED) } }],
  },
  // History with an erased partner: A's conversation is nobody else's (the connection, its other member, may read it).
  'GET /api/chats/former/{conversationId}/messages': {
    cases: [{ url: (c) => `/api/chats/former/${c.conversationId}/messages`, expect: { stranger: REFUSED, connection: [200, 404], ...hidden(REFUSED) } }],
  },
  'GET /api/chats/{memberId}/messages/{messageId}/photo': {
    cases: [{ url: (c) => `/api/chats/${c.a.id}/messages/${c.chatMessageId}/photo`, expect: { stranger: REFUSED, ...hidden(REFUSED) } }],
  },
  'POST /api/requests': { cases: [{ url: () => '/api/requests', body: (c) => ({ to: c.a.username, intro: 'Halo' }), expect: { stranger: [201], connection: [409], ...hidden() } }] },
  'GET /api/requests/incoming': { list: true },
  'GET /api/requests/outgoing': { list: true },
  ...Object.fromEntries(
    (['accept', 'decline', 'withdraw'] as const).map((action) => [
      `POST /api/requests/{id}/${action}`,
      {
        cases: [
          { url: (c: Ctx) => `/api/requests/${c.requestIn}/${action}`, expect: { stranger: [404], connection: [404], ...hidden() } },
          { url: (c: Ctx) => `/api/requests/${c.requestOut}/${action}`, expect: { stranger: [404], connection: [404], ...hidden() } },
        ],
      },
    ]),
  ),
  'GET /api/connections': { list: true },
  // The connection would really remove it: walked for everyone else.
  'DELETE /api/connections/{memberId}': { cases: [{ url: (c) => `/api/connections/${c.a.id}`, expect: { stranger: [404], blockedByA: [404], blockerOfA: [404] } }] },
  'GET /api/blocks': { list: true },
  // The member who blocked A would really unblock: walked for everyone else.
  'DELETE /api/blocks/{memberId}': { cases: [{ url: (c) => `/api/blocks/${c.a.id}`, expect: { stranger: [404], blockedByA: [404], connection: [404], adultVsMinor: [404] } }] },
  'GET /api/notifications': { list: true },
  'GET /api/notifications/unread-count': { list: true },
  'POST /api/notifications/read-all': { list: true },
  'POST /api/notifications/{id}/read': { cases: [{ url: (c) => `/api/notifications/${c.notificationId}/read`, expect: { stranger: [404], connection: [404], ...hidden() } }] },
  'POST /api/blocks': { exempt: 'blocking any existing member is always allowed (it only protects the blocker); tested in graph.test.ts' },
  'POST /api/reports': { exempt: 'any existing member can be reported, also across a block or age groups (a minor must be able to report an adult); tested in graph.test.ts' },
};
let t: TestApp;
let ctx: Ctx;
let viewers: Record<Viewer, SignedIn>;
const r = crypto.randomBytes(4).toString('hex');
const MARK = {
  publicPost: `pubpost${r}`,
  connBio: `connbio${r}`,
  connPost: `connpost${r}`,
  comment: `comment${r}`,
  chat: `chatmsg${r}`,
  onlyTag: `onlytag${r}`,
  onlyPost: `onlypost${r}`,
  introOut: `introout${r}`,
  introIn: `introin${r}`,
};
/** What each viewer may read of A's markers. */
const MAY_SEE: Record<Viewer, string[]> = {
  stranger: [MARK.publicPost],
  connection: [MARK.publicPost, MARK.connBio, MARK.connPost, MARK.comment, MARK.chat],
  blockedByA: [],
  blockerOfA: [],
  adultVsMinor: [],
};

async function post(who: SignedIn, text: string, audience: string, photo?: Buffer) {
  const form = new FormData();
  form.append('text', text);
  form.append('audience', audience);
  if (photo) form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
  const csrf = await csrfHeaders(t.app);
  const response = await t.app.inject({ method: 'POST', url: '/api/posts', headers: { ...csrf, cookie: `${csrf.cookie}; ${who.cookie}` }, payload: form });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; photos: { id: string }[] };
}

async function ok(response: { statusCode: number; body: string }, status = 200) {
  expect(response.statusCode, response.body).toBe(status);
  return JSON.parse(response.body || 'null');
}

beforeAll(async () => {
  // Every walk calls each route from one client address: well past the API-wide 300 a minute, which is not what this test is about.
  t = await createTestApp({ workers: false, env: { RATE_LIMIT_PER_MINUTE: '5000' } });
  const [a, stranger, blockedByA, blockerOfA, connection, q, rr] = await Promise.all([201, 202, 203, 204, 205, 206, 207].map((n) => signedInMember(t, n)));
  viewers = { stranger: stranger!, blockedByA: blockedByA!, blockerOfA: blockerOfA!, adultVsMinor: stranger!, connection: connection! };
  const A = a!;

  await ok(
    await call(t, A, 'PUT', '/api/me/profile', {
      bio: `Suka kopi. ${MARK.connBio}`,
      bioVisibility: 'connections',
      interests: [],
      tags: [MARK.onlyTag],
      interestsVisibility: 'only_me',
      languages: [],
      languagesVisibility: 'everyone',
      city: null,
      cityVisibility: 'everyone',
      ageVisibility: 'only_me',
      hidden: false,
      genderInDiscovery: false,
    }),
  );
  const photoId = (await t.database.db.selectFrom('member_photos').select('id').where('member_id', '=', A.id).executeTakeFirstOrThrow()).id;
  await t.database.db.updateTable('member_photos').set({ visibility: 'connections' }).where('id', '=', photoId).execute();

  // Connection (A asks, they accept), then the requests that stay pending, then blocks both ways.
  const toConnection = await ok(await call(t, A, 'POST', '/api/requests', { to: connection!.username }), 201);
  await ok(await call(t, connection!, 'POST', `/api/requests/${toConnection.id}/accept`));
  const requestOut = (await ok(await call(t, A, 'POST', '/api/requests', { to: rr!.username, intro: `Halo ${MARK.introOut}` }), 201)).id;
  const requestIn = (await ok(await call(t, q!, 'POST', '/api/requests', { to: A.username, intro: `Hai ${MARK.introIn}` }), 201)).id;
  await ok(await call(t, A, 'POST', '/api/blocks', { member: blockedByA!.id }), 201);
  await ok(await call(t, blockerOfA!, 'POST', '/api/blocks', { member: A.id }), 201);

  const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 10, g: 120, b: 60 } } }).jpeg().toBuffer();
  const publicPost = (await post(A, `Pagi! ${MARK.publicPost}`, 'public')).id;
  const connPost = await post(A, `Untuk teman ${MARK.connPost}`, 'connections', photo);
  const onlyMePost = (await post(A, `Catatan ${MARK.onlyPost}`, 'only_me')).id;
  const commentId = (await ok(await call(t, connection!, 'POST', `/api/posts/${connPost.id}/comments`, { text: `Mantap ${MARK.comment}` }), 201)).id;
  const chat = await ok(await call(t, A, 'POST', `/api/chats/${connection!.id}/messages`, { clientKey: 'walk-chat-0001', body: `Halo ${MARK.chat}` }), 201);

  ctx = {
    a: A,
    photoId,
    publicPost,
    connectionsPost: connPost.id,
    onlyMePost,
    postPhotoId: connPost.photos[0]!.id,
    commentId,
    chatMessageId: chat.message.id,
    notificationId: (await t.database.db.selectFrom('notifications').select('id').where('member_id', '=', A.id).executeTakeFirstOrThrow()).id,
    conversationId: (await t.database.db.selectFrom('chat_members').select('conversation_id').where('member_id', '=', A.id).where('other_id', '=', connection!.id).executeTakeFirstOrThrow()).conversation_id,
    requestOut,
    requestIn,
  };
}, 180_000);
afterAll(() => t.close());

/** The text of a response with the echoed request path removed (problem+json `instance` repeats what the caller sent). */
function readable(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && 'instance' in parsed) delete parsed.instance;
    return JSON.stringify(parsed);
  } catch {
    return body.slice(0, 2000); // images and other bytes: checked as text too
  }
}

/**
 * Leaks found by this walk in another module and reported, not yet fixed: recorded instead of failing
 * the walk, and checked by the `it.fails` test below, which starts failing (remove the entry) once
 * the module is fixed. Keep this list empty whenever possible.
 */

function assertNoLeak(viewer: Viewer, label: string, body: string, options: { ownKnowledge?: boolean } = {}) {
  const text = readable(body);
  for (const marker of Object.values(MARK)) {
    if (!MAY_SEE[viewer].includes(marker)) expect.soft(text, `${label} as ${viewer} leaks ${marker}`).not.toContain(marker);
  }
  if (HIDDEN.includes(viewer) && !options.ownKnowledge) {
    expect.soft(text, `${label} as ${viewer} names A`).not.toContain(ctx.a.id);
    expect.soft(text, `${label} as ${viewer} names A`).not.toContain(`"${ctx.a.username}"`);
  }
}

function socialRoutes(): string[] {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const found: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) continue;
    for (const method of Object.keys(methods)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) found.push(`${method.toUpperCase()} ${path}`);
  }
  return found.sort();
}

async function walk(viewer: Viewer) {
  const who = viewers[viewer];
  let calls = 0;
  for (const [route, spec] of Object.entries(ROUTES)) {
    if ('exempt' in spec) continue;
    const method = route.split(' ')[0] as 'GET' | 'POST' | 'PUT' | 'DELETE';
    if ('list' in spec) {
      if (method !== 'GET') continue;
      const response = await call(t, who, 'GET', route.split(' ')[1]!);
      expect.soft(response.statusCode, `${route} as ${viewer}`).toBe(200);
      // The member who blocked A sees A on their own block list: that is their own act.
      assertNoLeak(viewer, route, response.body, { ownKnowledge: viewer === 'blockerOfA' && route === 'GET /api/blocks' });
      calls++;
      continue;
    }
    for (const c of spec.cases) {
      const allowed = c.expect[viewer];
      if (!allowed) continue;
      const url = c.url(ctx);
      const response = await call(t, who, method, url, c.body?.(ctx));
      expect.soft(allowed, `${method} ${url} as ${viewer}: ${response.statusCode} ${response.body.slice(0, 300)}`).toContain(response.statusCode);
      assertNoLeak(viewer, `${method} ${url}`, response.body);
      calls++;
    }
  }
  return calls;
}

describe('visibility walk over every social route', () => {
  it('classifies every route under the social prefixes (a new route must be added here)', () => {
    const routes = socialRoutes();
    const unclassified = routes.filter((r) => !(r in ROUTES));
    expect(unclassified, 'social routes missing from the visibility walk').toEqual([]);
    const stale = Object.keys(ROUTES).filter((r) => !routes.includes(r));
    expect(stale, 'routes in the walk that the app no longer has').toEqual([]);
  });

  it('(e) a connection sees what A shares with connections, never what is only A’s', async () => {
    expect(await walk('connection')).toBeGreaterThan(15);
  });

  it('(a) a stranger sees only what A made public', async () => {
    expect(await walk('stranger')).toBeGreaterThan(20);
  });

  it('(b) a member A blocked and (c) a member who blocked A get 404 everywhere and never see A', async () => {
    expect(await walk('blockedByA')).toBeGreaterThan(20);
    expect(await walk('blockerOfA')).toBeGreaterThan(20);
  });

  it('(d) once A is a minor, adults — even a former connection — get 404 everywhere and never see A (P5.2)', async () => {
    await makeMinor(t, ctx.a.id);
    expect(await walk('adultVsMinor')).toBeGreaterThan(20);
    viewers.adultVsMinor = viewers.connection;
    expect(await walk('adultVsMinor')).toBeGreaterThan(20);
  });
});
