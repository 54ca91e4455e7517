import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { auditStaffRead, grantStaffRole, revokeStaffRole, staffRolesOf } from './guard.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 60_000);
afterAll(() => t.close());

const db = () => t.database.db;
let ipCounter = 0;
const nextIp = () => `100.64.7.${(ipCounter++ % 250) + 1}`;

async function session(username: string): Promise<string> {
  const login = await signIn(t, username, PASSWORD, { ip: nextIp() });
  expect(login.statusCode, login.body).toBe(201);
  return `${SESSION_COOKIE}=${sessionCookieOf(login)!.value}`;
}
const requestLog = (cookie: string, query = '') => t.app.inject({ method: 'GET', url: `/api/staff/rights-requests${query}`, headers: { cookie, 'accept-language': 'en' } });
const auditActions = async (memberId: string) =>
  (await db().selectFrom('audit_log').select(['action', 'actor_type', 'actor_id', 'purpose', 'details']).where('subject_id', '=', memberId).orderBy('seq').execute());

describe('staff roles (ADR 0012, P4.1 least privilege)', () => {
  it('grants and revokes roles by username, audited, one active grant per role', async () => {
    const m = await signUpMember(t, 4101);
    const first = await grantStaffRole(db(), m.username.toUpperCase(), 'privacy_officer');
    expect(first.alreadyHeld).toBe(false);
    expect((await grantStaffRole(db(), m.username, 'privacy_officer')).alreadyHeld).toBe(true);
    await grantStaffRole(db(), m.username, 'moderator');
    expect(await staffRolesOf(db(), m.id)).toEqual(['moderator', 'privacy_officer']);
    expect(await revokeStaffRole(db(), m.username, 'moderator')).toMatchObject({ revoked: true });
    expect(await revokeStaffRole(db(), m.username, 'moderator')).toMatchObject({ revoked: false });
    expect(await staffRolesOf(db(), m.id)).toEqual(['privacy_officer']);
    const rows = await db().selectFrom('staff_roles').selectAll().where('member_id', '=', m.id).orderBy('granted_at').execute();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.role === 'moderator')).toMatchObject({ granted_by: 'operator:cli', revoked_by: 'operator:cli' });
    const audit = await auditActions(m.id);
    expect(audit.filter((a) => a.action === 'staff.role_granted').map((a) => a.details)).toEqual([
      { role: 'privacy_officer', grantId: first.grantId, by: 'operator:cli' },
      expect.objectContaining({ role: 'moderator' }),
    ]);
    expect(audit.filter((a) => a.action === 'staff.role_revoked')).toHaveLength(1);
    await expect(grantStaffRole(db(), 'nobody_here_7101', 'support')).rejects.toThrow(/No member/);
  });

  it('requireStaff: refuses members without the role (staff_only), old sign-ins and sign-ins without the second factor they have (reauth_required)', async () => {
    const plain = await signUpMember(t, 4102);
    const plainSession = await session(plain.username);
    const refused = await requestLog(plainSession);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'staff_only' });
    expect((await t.app.inject({ method: 'GET', url: '/api/staff/rights-requests' })).statusCode).toBe(401);

    // A moderator is not a privacy officer.
    await grantStaffRole(db(), plain.username, 'moderator');
    expect((await requestLog(plainSession)).json()).toMatchObject({ code: 'staff_only' });

    const officer = await signUpMember(t, 4103);
    await grantStaffRole(db(), officer.username, 'privacy_officer');
    const fresh = await session(officer.username);
    expect((await requestLog(fresh)).statusCode).toBe(200);

    // A sign-in older than 10 minutes must be renewed.
    const old = await session(officer.username);
    const oldId = (await db().selectFrom('sessions').select(['id', 'created_at']).where('member_id', '=', officer.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow()).id;
    await db().updateTable('sessions').set({ created_at: new Date(Date.now() - 11 * 60 * 1000) }).where('id', '=', oldId).execute();
    const stale = await requestLog(old);
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ code: 'reauth_required' });

    // Revoked: refused at once.
    await revokeStaffRole(db(), officer.username, 'privacy_officer');
    expect((await requestLog(fresh)).json()).toMatchObject({ code: 'staff_only' });

    const refusals = (await auditActions(officer.id)).filter((a) => a.action === 'staff.access_refused').map((a) => a.details);
    expect(refusals).toEqual([
      { role: 'privacy_officer', reason: 'reauth_required' },
      { role: 'privacy_officer', reason: 'staff_only' },
    ]);
  });

  it('requireStaff: a member with an authenticator app must have used it (or a recovery code) for this sign-in', async () => {
    const m = await signUpMember(t, 4104);
    await grantStaffRole(db(), m.username, 'privacy_officer');
    const csrf = await csrfHeaders(t.app);
    const cookie = `${csrf.cookie}; ${await session(m.username)}`;
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { ...csrf, cookie, 'x-forwarded-for': nextIp() }, payload });
    const setup = await post('/api/mfa/totp', {});
    expect(setup.statusCode, setup.body).toBe(200);
    const { secret } = setup.json() as { secret: string };
    const code = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), digits: 6, period: 30 }).generate();
    const confirm = await post('/api/mfa/totp/confirm', { code });
    expect(confirm.statusCode, confirm.body).toBe(200);
    const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };

    // The session that turned TOTP on was signed in with the password only.
    expect((await requestLog(cookie)).json()).toMatchObject({ code: 'reauth_required' });

    // Sign in again: the challenge is answered with a recovery code (time-independent).
    const csrf2 = await csrfHeaders(t.app);
    const ip = nextIp();
    const login = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { ...csrf2, 'x-forwarded-for': ip }, payload: { identifier: m.username, password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(202);
    const challengeCookie = login.cookies.find((c) => c.name !== SESSION_COOKIE && c.name.includes('challenge'))!;
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/sessions/challenge',
      headers: { ...csrf2, cookie: `${csrf2.cookie}; ${challengeCookie.name}=${challengeCookie.value}`, 'x-forwarded-for': ip },
      payload: { challengeId: (login.json() as { challenge: { id: string } }).challenge.id, method: 'recovery_code', code: recoveryCodes[0] },
    });
    expect(answer.statusCode, answer.body).toBe(201);
    const strong = `${SESSION_COOKIE}=${sessionCookieOf(answer)!.value}`;
    expect((await requestLog(strong)).statusCode).toBe(200);
  });

  it('auditStaffRead puts the read on the member\'s "your data" access log with time, role and purpose', async () => {
    const staff = await signUpMember(t, 4105);
    const member = await signUpMember(t, 4106);
    await auditStaffRead(db(), { staffId: staff.id, role: 'moderator', memberId: member.id, purpose: 'security', what: 'reported_post' });
    await db().transaction().execute((trx) => auditStaffRead(trx, { staffId: staff.id, role: 'support', memberId: member.id, purpose: 'support', what: 'profile' }));
    const page = await t.app.inject({ method: 'GET', url: '/api/me/data', headers: { cookie: await session(member.username), 'accept-language': 'en' } });
    expect(page.statusCode, page.body).toBe(200);
    const accesses = (page.json() as { accesses: { role: string; action: string; purpose: string | null; what: string | null; at: string }[] }).accesses;
    expect(accesses.slice(0, 2)).toEqual([
      { at: expect.any(String), role: 'support', action: 'staff.data_read', purpose: 'support', purposeLabel: expect.any(String), what: 'profile' },
      { at: expect.any(String), role: 'moderator', action: 'staff.data_read', purpose: 'security', purposeLabel: expect.any(String), what: 'reported_post' },
    ]);
    const rows = (await auditActions(member.id)).filter((a) => a.action === 'staff.data_read');
    expect(rows.every((r) => r.actor_type === 'staff' && r.actor_id === staff.id)).toBe(true);
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });
});
