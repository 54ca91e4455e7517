import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { MEMBER_CONSENT_PURPOSES } from '../../../common/consents.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';

let t: TestApp;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
let ip = 0;
const nextIp = () => `192.0.2.${(ip++ % 250) + 1}`;

beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 60_000);
afterAll(() => t.close());

async function activeMember(n: number): Promise<{ id: string; session: string }> {
  const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const fields = {
    username: `putri_${n}`,
    nickname: 'Putri',
    gender: 'female',
    email: `putri.${n}${AT}contoh.id`,
    phone: `0813${String(40_000_000 + n)}`,
    nik: `317405520390${String(n).padStart(4, '0')}`,
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: 'id',
    acceptPolicy: 'true',
  };
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const created = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json() as { id: string };
  await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
    payload: { identifier: fields.username, password: PASSWORD },
  });
  expect(login.statusCode, login.body).toBe(201);
  return { id, session: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)!.value}` };
}

const list = (session: string) => t.app.inject({ method: 'GET', url: '/api/me/consents', headers: { cookie: session } });

async function change(session: string, purpose: string, granted: unknown, language = 'en') {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({
    method: 'PUT',
    url: `/api/me/consents/${purpose}`,
    headers: { ...csrf, cookie: `${csrf.cookie}; ${session}`, 'accept-language': language },
    payload: { granted },
  });
}

const entries = (memberId: string) =>
  t.database.db
    .selectFrom('consent_ledger')
    .select(['purpose', 'event', 'policy_version'])
    .where('subject_type', '=', 'member')
    .where('subject_id', '=', memberId)
    .where('purpose', 'is not', null)
    .orderBy('at')
    .orderBy('id')
    .execute();

describe('a member manages their own consents (P0.1, P1.10)', () => {
  it('starts with every purpose off and records each change in the ledger with the policy version', async () => {
    const m = await activeMember(8001);
    const initial = await list(m.session);
    expect(initial.statusCode).toBe(200);
    expect(initial.json().consents).toEqual(MEMBER_CONSENT_PURPOSES.map((purpose) => ({ purpose, granted: false, at: null, policyVersion: null })));

    const granted = await change(m.session, 'marketing_email', true);
    expect(granted.statusCode, granted.body).toBe(200);
    const marketing = granted.json().consents.find((c: { purpose: string }) => c.purpose === 'marketing_email');
    expect(marketing).toMatchObject({ granted: true, policyVersion: expect.any(String) });
    expect(await t.services.consent.hasConsent({ type: 'member', id: m.id }, 'marketing_email')).toBe(true);

    // Withdrawal takes effect at once.
    await change(m.session, 'marketing_email', false);
    expect(await t.services.consent.hasConsent({ type: 'member', id: m.id }, 'marketing_email')).toBe(false);
    // Saying the same again appends nothing.
    await change(m.session, 'marketing_email', false);
    const rows = await entries(m.id);
    expect(rows.map((r) => [r.purpose, r.event])).toEqual([
      ['marketing_email', 'consent_granted'],
      ['marketing_email', 'consent_withdrawn'],
    ]);
    expect(rows.every((r) => r.policy_version === marketing.policyVersion)).toBe(true);
  });

  it("changes only the signed-in member's own consents", async () => {
    const a = await activeMember(8002);
    const b = await activeMember(8003);
    await change(a.session, 'research', true);
    expect(await t.services.consent.hasConsent({ type: 'member', id: b.id }, 'research')).toBe(false);
    expect(await entries(b.id)).toEqual([]);
  });

  it('refuses bad requests clearly: not signed in, unknown purpose, wrong value, no CSRF token', async () => {
    const m = await activeMember(8004);
    expect((await list('')).statusCode).toBe(401);
    expect((await change('', 'research', true)).statusCode).toBe(401);

    const unknown = await change(m.session, 'sell_my_data', true, 'id');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found' });
    // Cookie purposes are chosen on the cookie page, not here.
    expect((await change(m.session, 'analytics_cookies', true)).statusCode).toBe(404);

    const wrong = await change(m.session, 'research', 'yes');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'validation_failed' });

    const noCsrf = await t.app.inject({ method: 'PUT', url: '/api/me/consents/research', headers: { cookie: m.session }, payload: { granted: true } });
    expect(noCsrf.statusCode).toBe(403);
    expect(await entries(m.id)).toEqual([]);
  });
});
