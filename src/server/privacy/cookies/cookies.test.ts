import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { COOKIE_CHOICE_COOKIE, DECLARED_STORAGE, declaredCookie } from '../../../common/cookies.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';

let t: TestApp;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
let ip = 0;
const nextIp = () => `198.51.100.${(ip++ % 250) + 1}`;

beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 60_000);
afterAll(() => t.close());

type Choice = { preferences: boolean; analytics: boolean; marketing: boolean };
const REJECT: Choice = { preferences: false, analytics: false, marketing: false };
const ACCEPT: Choice = { preferences: true, analytics: true, marketing: true };

/** Joins cookie headers the way a browser sends them: one `cookie` header, `; `-separated. */
function cookieHeader(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join('; ');
}

async function put(choice: Choice, cookies: string[] = [], extra: Record<string, string> = {}) {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({
    method: 'PUT',
    url: '/api/cookie-consent',
    headers: { ...csrf, ...extra, cookie: cookieHeader(csrf.cookie, ...cookies), 'x-forwarded-for': nextIp() },
    payload: choice,
  });
}

const get = (cookies: string[] = [], extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: '/api/cookie-consent', headers: { ...extra, cookie: cookieHeader(...cookies) } });

function choiceCookie(response: Awaited<ReturnType<typeof put>>) {
  const cookie = response.cookies.find((c) => c.name === COOKIE_CHOICE_COOKIE);
  expect(cookie, 'choice cookie set').toBeDefined();
  return cookie!;
}

const ledger = (subjectType: string, subjectId: string) =>
  t.database.db
    .selectFrom('consent_ledger')
    .select(['purpose', 'event'])
    .where('subject_type', '=', subjectType as 'visitor')
    .where('subject_id', '=', subjectId)
    .orderBy('at')
    .orderBy('id')
    .execute();

const visitorOf = (value: string) => decodeURIComponent(value).split('.')[0]!;

describe('cookie choice (P2.1)', () => {
  it('has no choice until one is made', async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ choice: null, gpc: false });
    expect(response.cookies.map((c) => c.name)).not.toContain(COOKIE_CHOICE_COOKIE);
  });

  it('records a refusal in the ledger and remembers it in a signed, httpOnly __Host- cookie', async () => {
    const response = await put(REJECT);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ choice: REJECT, gpc: false });
    const cookie = choiceCookie(response);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, path: '/', sameSite: 'Lax' });
    expect(cookie.maxAge).toBe(180 * 24 * 3600);
    const visitor = visitorOf(cookie.value);
    expect(await ledger('visitor', visitor)).toEqual([
      { purpose: 'preference_cookies', event: 'consent_withdrawn' },
      { purpose: 'analytics_cookies', event: 'consent_withdrawn' },
      { purpose: 'marketing_cookies', event: 'consent_withdrawn' },
    ]);

    const again = await get([`${COOKIE_CHOICE_COOKIE}=${cookie.value}`]);
    expect(again.json()).toEqual({ choice: REJECT, gpc: false });
  });

  it('appends only what changed when the visitor changes their mind, keeping the same visitor id', async () => {
    const first = choiceCookie(await put(REJECT));
    const second = await put({ ...REJECT, preferences: true }, [`${COOKIE_CHOICE_COOKIE}=${first.value}`]);
    expect(second.json()).toEqual({ choice: { ...REJECT, preferences: true }, gpc: false });
    const visitor = visitorOf(first.value);
    expect(visitorOf(choiceCookie(second).value)).toBe(visitor);
    const entries = await ledger('visitor', visitor);
    expect(entries).toHaveLength(4);
    expect(entries[3]).toEqual({ purpose: 'preference_cookies', event: 'consent_granted' });
  });

  it('honours Sec-GPC: 1 as an opt-out of analytics and marketing', async () => {
    const response = await put(ACCEPT, [], { 'sec-gpc': '1' });
    expect(response.json()).toEqual({ choice: { preferences: true, analytics: false, marketing: false }, gpc: true });
    const cookie = choiceCookie(response);
    const events = await ledger('visitor', visitorOf(cookie.value));
    expect(events).toContainEqual({ purpose: 'analytics_cookies', event: 'consent_withdrawn' });
    expect(events).not.toContainEqual({ purpose: 'analytics_cookies', event: 'consent_granted' });
    // A browser that turns GPC on later is honoured on read too, whatever was stored.
    const accepted = choiceCookie(await put(ACCEPT));
    const read = await get([`${COOKIE_CHOICE_COOKIE}=${accepted.value}`], { 'sec-gpc': '1' });
    expect(read.json()).toEqual({ choice: { preferences: true, analytics: false, marketing: false }, gpc: true });
  });

  it('refuses a tampered choice cookie with a localized error and clears it', async () => {
    const cookie = choiceCookie(await put(REJECT));
    const [visitor, rest] = [visitorOf(cookie.value), decodeURIComponent(cookie.value).slice(37)];
    // Flip the choice digits but keep the old signature.
    const forged = encodeURIComponent(`${visitor}.111${rest.slice(3)}`);
    for (const [value, language, text] of [
      [forged, 'en', 'could not be read'],
      ['not-even-signed', 'id', 'tidak dapat dibaca'],
    ] as const) {
      const response = await get([`${COOKIE_CHOICE_COOKIE}=${value}`], { 'accept-language': language });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'cookie_invalid' });
      expect(response.json().detail).toContain(text);
      const cleared = response.cookies.find((c) => c.name === COOKIE_CHOICE_COOKIE);
      expect(cleared?.value).toBe('');
    }
    // A new choice over a tampered cookie starts a new visitor record.
    const fresh = await put(REJECT, [`${COOKIE_CHOICE_COOKIE}=${forged}`]);
    expect(fresh.statusCode).toBe(200);
    expect(visitorOf(choiceCookie(fresh).value)).not.toBe(visitor);
  });

  it('refuses a malformed choice', async () => {
    const response = await put({ preferences: 'yes' } as unknown as Choice);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
  });

  it("joins a browser's choice to the account at sign-in, and the account's choice follows the member", async () => {
    const member = await activeMember(7001);
    const chosen = choiceCookie(await put({ ...REJECT, preferences: true }));
    const signedIn = await signIn(member.username);
    const session = `${SESSION_COOKIE}=${signedIn}`;
    const choiceOnThisBrowser = `${COOKIE_CHOICE_COOKIE}=${chosen.value}`;

    const joined = await get([choiceOnThisBrowser, session]);
    expect(joined.json()).toEqual({ choice: { ...REJECT, preferences: true }, gpc: false });
    expect((await ledger('member', member.id)).filter((e) => e.purpose !== null)).toEqual([
      { purpose: 'preference_cookies', event: 'consent_granted' },
      { purpose: 'analytics_cookies', event: 'consent_withdrawn' },
      { purpose: 'marketing_cookies', event: 'consent_withdrawn' },
    ]);
    // On another browser with no choice yet, the member's own choice applies.
    expect((await get([session])).json()).toEqual({ choice: { ...REJECT, preferences: true }, gpc: false });
    // A change while signed in is the member's too.
    await put(ACCEPT, [choiceOnThisBrowser, session]);
    expect((await get([session])).json()).toEqual({ choice: ACCEPT, gpc: false });
  });
});

describe('the server sets no cookie that is not declared, and none but necessary ones without consent', () => {
  it('every Set-Cookie across public pages, the API and sign-in is a declared necessary cookie', async () => {
    const member = await activeMember(7002);
    const seen = new Set<string>();
    const record = (response: { cookies: { name: string }[] }) => response.cookies.forEach((c) => seen.add(c.name));
    for (const url of ['/', '/signup', '/privacy', '/privacy?lang=en', '/api/policy', '/api/csrf', '/api/cookie-consent', '/healthz', '/api/openapi.json', '/nope']) {
      record(await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } }));
    }
    const csrf = await csrfHeaders(t.app);
    record(
      await t.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { ...csrf, 'x-forwarded-for': nextIp() },
        payload: { identifier: member.username, password: PASSWORD },
      }),
    );
    record(await put(REJECT));
    expect(seen.size).toBeGreaterThan(0);
    for (const name of seen) {
      expect(declaredCookie(name), `cookie ${name} is declared in src/common/cookies.ts`).toBeDefined();
      expect(declaredCookie(name)!.category, `cookie ${name} is necessary`).toBe('necessary');
    }
  });

  it('declares every item once, with both languages', () => {
    const names = DECLARED_STORAGE.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of DECLARED_STORAGE) {
      for (const text of [d.purpose, d.lifetime]) {
        expect(text.id.length).toBeGreaterThan(3);
        expect(text.en.length).toBeGreaterThan(3);
      }
    }
  });
});

async function activeMember(n: number) {
  const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const fields = {
    username: `dewi_${n}`,
    nickname: 'Dewi',
    gender: 'female',
    email: `dewi.${n}${AT}contoh.id`,
    phone: `0813${String(30_000_000 + n)}`,
    nik: `317405520390${String(n).padStart(4, '0')}`, // woman born 1990-03-12 (day + 40)
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: 'id',
    acceptPolicy: 'true',
  };
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(response.statusCode, response.body).toBe(201);
  const { id } = response.json() as { id: string };
  await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  return { id, ...fields };
}

async function signIn(username: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
    payload: { identifier: username, password: PASSWORD },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
}
