import { makeRetentionService } from '../../privacy/retention/service.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { areConnected } from './relations.js';
import { makeGraphService } from './service.js';
import { call, makeMinor, signedInMember, type SignedIn } from './test-helpers.js';

/**
 * Kenalan requests (send with an encrypted intro, accept → connection, decline → cooldown, withdraw,
 * one pending per pair, daily limit, Idempotency-Key), connections (list, remove both directions),
 * blocks (end the connection and pending requests; the same 404 as a stranger) and reports (into the
 * moderation queue, optionally blocking), over HTTP on the real app, with rows and audit checked.
 */
let t: TestApp;
let a: SignedIn, b: SignedIn, c: SignedIn, d: SignedIn, e: SignedIn;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = await createTestApp({ workers: false });
  [a, b, c, d, e] = (await Promise.all([1, 2, 3, 4, 5].map((n) => signedInMember(t, 100 + n)))) as [SignedIn, SignedIn, SignedIn, SignedIn, SignedIn];
}, 120_000);
afterAll(() => t.close());

const db = () => t.database.db;
const requestsBetween = (x: string, y: string) =>
  db()
    .selectFrom('kenalan_requests')
    .selectAll()
    .where((eb) => eb.or([eb.and([eb('from_id', '=', x), eb('to_id', '=', y)]), eb.and([eb('from_id', '=', y), eb('to_id', '=', x)])]))
    .orderBy('created_at')
    .execute();
const audits = (action: string, memberId: string) =>
  db().selectFrom('audit_log').select(['action', 'details']).where('action', '=', action).where('subject_id', '=', memberId).execute();

describe('kenalan requests', () => {
  it('sends with an encrypted intro; the recipient sees it, accepts, and both are connected', async () => {
    // Live events reach the members' sockets through the realtime hub (pg_notify, only on commit).
    const live: { memberId: string; event: { type: string; [k: string]: unknown } }[] = [];
    for (const m of [a, b]) t.services.realtime.add({ memberId: m.id, send: (data: string) => live.push({ memberId: m.id, event: JSON.parse(data) }) });
    const sent = await call(t, a, 'POST', '/api/requests', { to: b.username, intro: 'Halo! Aku juga suka mendaki Rinjani.' }, { headers: { 'idempotency-key': 'req-a-b-000001' } });
    expect(sent.statusCode, sent.body).toBe(201);
    const view = sent.json();
    expect(view).toMatchObject({ status: 'pending', intro: 'Halo! Aku juga suka mendaki Rinjani.', member: { memberId: b.id, username: b.username } });

    const [row] = await requestsBetween(a.id, b.id);
    expect(row!.intro).toMatch(/^enc:v1:/);
    expect(row!.intro).not.toContain('Rinjani');

    // A retry with the same key is the same request, not a second one; the same key for someone else is refused.
    const retry = await call(t, a, 'POST', '/api/requests', { to: b.username, intro: 'Halo! Aku juga suka mendaki Rinjani.' }, { headers: { 'idempotency-key': 'req-a-b-000001' } });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(view.id);
    const conflict = await call(t, a, 'POST', '/api/requests', { to: c.username }, { headers: { 'idempotency-key': 'req-a-b-000001' } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('idempotency_conflict');
    expect(await requestsBetween(a.id, b.id)).toHaveLength(1);

    // One pending per pair.
    const again = await call(t, a, 'POST', '/api/requests', { to: b.id }, { language: 'id' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'request_exists', detail: 'Sudah ada permintaan kenalan yang menunggu jawaban antara Anda dan anggota ini.' });

    const incoming = await call(t, b, 'GET', '/api/requests/incoming');
    expect(incoming.json().requests).toEqual([expect.objectContaining({ id: view.id, intro: 'Halo! Aku juga suka mendaki Rinjani.', member: { memberId: a.id, username: a.username, nickname: 'Dewi', photoUrl: null } })]);
    expect((await call(t, a, 'GET', '/api/requests/outgoing')).json().requests.map((r: { id: string }) => r.id)).toEqual([view.id]);
    expect((await call(t, a, 'GET', '/api/requests/incoming')).json().requests).toEqual([]);

    // B is told: a notification row (pushed live by the notifications module).
    const note = await db().selectFrom('notifications').selectAll().where('member_id', '=', b.id).where('kind', '=', 'request_received').executeTakeFirst();
    expect(note).toMatchObject({ actor_id: a.id, object_id: view.id });

    // Only the recipient accepts.
    expect((await call(t, a, 'POST', `/api/requests/${view.id}/accept`)).statusCode).toBe(404);
    expect((await call(t, c, 'POST', `/api/requests/${view.id}/accept`)).statusCode).toBe(404);
    const accepted = await call(t, b, 'POST', `/api/requests/${view.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toEqual({ id: view.id, status: 'accepted' });
    expect(await areConnected(db(), a.id, b.id)).toBe(true);
    expect(await areConnected(db(), b.id, a.id)).toBe(true);
    expect((await call(t, b, 'POST', `/api/requests/${view.id}/accept`)).json().code).toBe('request_not_pending');

    const listA = (await call(t, a, 'GET', '/api/connections')).json();
    // B's sign-up photo is visible to connections (the profiles default): its URL appears now, not before.
    expect(listA.connections).toEqual([{ memberId: b.id, username: b.username, nickname: 'Dewi', photoUrl: expect.stringMatching(new RegExp(`^/api/members/${b.username}/photos/[0-9a-f-]{36}$`)), since: expect.any(String) }]);
    const photo = await t.app.inject({ method: 'GET', url: listA.connections[0].photoUrl, headers: { cookie: a.cookie } });
    expect(photo.statusCode, photo.body.slice(0, 300)).toBe(200);
    expect(photo.headers['content-type']).toMatch(/^image\//);
    expect((await call(t, b, 'GET', '/api/connections')).json().connections.map((x: { memberId: string }) => x.memberId)).toEqual([a.id]);
    expect((await db().selectFrom('notifications').select('kind').where('member_id', '=', a.id).execute()).map((n) => n.kind)).toContain('request_accepted');

    const again2 = await call(t, a, 'POST', '/api/requests', { to: b.username });
    expect(again2.json().code).toBe('already_connected');
    await expect.poll(() => live.filter((l) => l.event.type.startsWith('request.'))).toEqual([
      { memberId: b.id, event: expect.objectContaining({ type: 'request.received', requestId: view.id }) },
      { memberId: a.id, event: expect.objectContaining({ type: 'request.accepted', requestId: view.id, memberId: b.id }) },
    ]);
    expect(await audits('requests.sent', a.id)).toHaveLength(1);
    expect(await audits('requests.accepted', b.id)).toEqual([{ action: 'requests.accepted', details: { requestId: view.id, otherId: a.id } }]);
  });

  it('asking someone who already asked you connects you', async () => {
    const first = await call(t, c, 'POST', '/api/requests', { to: d.username });
    expect(first.statusCode).toBe(201);
    const back = await call(t, d, 'POST', '/api/requests', { to: c.username });
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ id: first.json().id, status: 'accepted' });
    expect(await areConnected(db(), c.id, d.id)).toBe(true);
  });

  it('removing a connection removes both directions, audited; a second time is 404', async () => {
    const removed = await call(t, d, 'DELETE', `/api/connections/${c.id}`);
    expect(removed.statusCode).toBe(204);
    expect(await areConnected(db(), c.id, d.id)).toBe(false);
    expect(await areConnected(db(), d.id, c.id)).toBe(false);
    expect(await audits('connections.removed', d.id)).toEqual([{ action: 'connections.removed', details: { otherId: c.id } }]);
    expect((await call(t, d, 'DELETE', `/api/connections/${c.id}`)).statusCode).toBe(404);
  });

  it('a declined sender cannot ask again for 30 days; withdraw ends one’s own request', async () => {
    const sent = (await call(t, e, 'POST', '/api/requests', { to: c.username })).json();
    expect((await call(t, e, 'POST', `/api/requests/${sent.id}/decline`)).statusCode).toBe(404);
    const declined = await call(t, c, 'POST', `/api/requests/${sent.id}/decline`);
    expect(declined.json()).toEqual({ id: sent.id, status: 'declined' });
    expect((await call(t, c, 'GET', '/api/requests/incoming')).json().requests).toEqual([]);

    const blocked = await call(t, e, 'POST', '/api/requests', { to: c.username }, { language: 'id' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().code).toBe('request_cooldown');
    expect(blocked.json().detail).toMatch(/^Anda belum bisa mengirim permintaan kenalan lagi ke anggota ini\. Coba lagi mulai .+ WIB\.$/);
    // The other way round is fine: C may change their mind.
    const reverse = await call(t, c, 'POST', '/api/requests', { to: e.username });
    expect(reverse.statusCode).toBe(201);
    const withdrawn = await call(t, c, 'POST', `/api/requests/${reverse.json().id}/withdraw`);
    expect(withdrawn.json()).toEqual({ id: reverse.json().id, status: 'withdrawn' });
    expect((await call(t, e, 'GET', '/api/requests/incoming')).json().requests).toEqual([]);

    // 31 days later (a service on the same database with a moved clock) the cooldown is over.
    const later = makeGraphService({ db: db(), keyring: t.services.keyring, logger: t.services.logger, clock: () => new Date(Date.now() + 31 * DAY) });
    const { request } = await later.send(e.id, { to: c.username }, { language: 'en' });
    expect(request.status).toBe('pending');
    await later.withdraw(e.id, request.id);
  });

  it('an unanswered request expires after 30 days', async () => {
    const sent = (await call(t, a, 'POST', '/api/requests', { to: e.username })).json();
    const later = makeGraphService({ db: db(), keyring: t.services.keyring, logger: t.services.logger, clock: () => new Date(Date.now() + 31 * DAY) });
    expect((await later.incoming(e.id)).requests).toEqual([]);
    await expect(later.accept(e.id, sent.id)).rejects.toMatchObject({ code: 'request_not_pending' });
    // Sending again after expiry marks the old one expired and makes a new one.
    const { request } = await later.send(a.id, { to: e.username }, { language: 'en' });
    expect(request.id).not.toBe(sent.id);
    expect((await requestsBetween(a.id, e.id)).map((r) => r.status)).toEqual(['expired', 'pending']);
    await later.withdraw(a.id, request.id);
  });

  it('the daily limit answers a localized rate_limited saying when it resets', async () => {
    const now = Date.now();
    // 20 requests sent over the last hours (withdrawn, so no pair is pending); the oldest 5 hours ago.
    await db()
      .insertInto('kenalan_requests')
      .values(
        Array.from({ length: 20 }, (_, i) => ({
          id: crypto.randomUUID(),
          from_id: d.id,
          to_id: e.id,
          intro: null,
          status: 'withdrawn' as const,
          idempotency_key: null,
          created_at: new Date(now - (5 - i * 0.2) * 3600 * 1000),
          expires_at: new Date(now + 20 * DAY),
          decided_at: new Date(now - 3600 * 1000),
        })),
      )
      .execute();
    const refused = await call(t, d, 'POST', '/api/requests', { to: a.username }, { language: 'id' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('rate_limited');
    expect(refused.json().detail).toMatch(/^Anda sudah mengirim 20 permintaan kenalan dalam 24 jam terakhir\. Anda bisa mengirim lagi mulai .+ WIB\.$/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(18 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(19 * 3600 + 60);
    const en = await call(t, d, 'POST', '/api/requests', { to: a.username }, { language: 'en' });
    expect(en.json().detail).toMatch(/^You have sent 20 kenalan requests in the last 24 hours\. You can send more from .+ WIB\.$/);
    expect(await requestsBetween(d.id, a.id)).toHaveLength(0);
  });

  it('deletes requests 30 days after they ended (retention)', async () => {
    const now = Date.now();
    const row = (status: 'declined' | 'pending' | 'accepted', decidedDaysAgo: number | null, expiresDaysAgo: number) => ({
      id: crypto.randomUUID(),
      from_id: b.id,
      to_id: c.id,
      intro: null,
      status,
      idempotency_key: null,
      created_at: new Date(now - 60 * DAY),
      expires_at: new Date(now - expiresDaysAgo * DAY),
      decided_at: decidedDaysAgo === null ? null : new Date(now - decidedDaysAgo * DAY),
    });
    const old = [row('declined', 31, 20), row('accepted', 45, 20), row('pending', null, 31)];
    const recent = [row('declined', 29, 20)];
    await db().insertInto('kenalan_requests').values([...old, ...recent]).execute();
    // The retention job (privacy/retention) enforces the period the data map declares for requests.
    const swept = await makeRetentionService({ db: db(), logger: t.services.logger, clock: () => new Date(now) }).sweep();
    expect(swept.find((s) => s.table === 'kenalan_requests')?.deleted).toBeGreaterThanOrEqual(3);
    const left = new Set((await db().selectFrom('kenalan_requests').select('id').execute()).map((r) => r.id));
    for (const r of old) expect(left.has(r.id)).toBe(false);
    for (const r of recent) expect(left.has(r.id)).toBe(true);
  });

  it('validates input with localized field errors', async () => {
    const long = await call(t, a, 'POST', '/api/requests', { to: c.username, intro: 'x'.repeat(301) }, { language: 'id' });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors).toEqual([expect.objectContaining({ field: 'intro', code: 'tooLong' })]);
    expect((await call(t, a, 'POST', '/api/requests', { to: c.username }, { headers: { 'idempotency-key': 'x' } })).statusCode).toBe(400);
    expect((await call(t, a, 'POST', '/api/requests/not-a-uuid/accept')).statusCode).toBe(400);
    expect((await call(t, null, 'GET', '/api/requests/incoming')).statusCode).toBe(401);
    expect((await call(t, null, 'GET', '/api/connections')).statusCode).toBe(401);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/requests', headers: { cookie: a.cookie }, payload: { to: c.username } });
    expect(noCsrf.statusCode).toBe(403);
  });
});

describe('who cannot be asked: one 404 for all', () => {
  it('unknown, self, inactive, blocked either way and minor↔adult answer the same 404', async () => {
    const ghost = await call(t, a, 'POST', '/api/requests', { to: 'nobody_here_123' });
    expect(ghost.statusCode).toBe(404);
    const body = ghost.json();
    const same = (r: { statusCode: number; json: () => unknown }) => {
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ ...body, instance: '/api/requests' });
    };
    same(await call(t, a, 'POST', '/api/requests', { to: a.username }));

    const f = await signedInMember(t, 106);
    await db().updateTable('members').set({ status: 'suspended' }).where('id', '=', f.id).execute();
    same(await call(t, a, 'POST', '/api/requests', { to: f.username }));

    const g = await signedInMember(t, 107);
    await call(t, g, 'POST', '/api/blocks', { member: a.username });
    same(await call(t, a, 'POST', '/api/requests', { to: g.username }));
    same(await call(t, g, 'POST', '/api/requests', { to: a.username }));

    const minor = await signedInMember(t, 108);
    await makeMinor(t, minor.id);
    same(await call(t, a, 'POST', '/api/requests', { to: minor.username }));
    same(await call(t, minor, 'POST', '/api/requests', { to: a.username }));
    expect(await db().selectFrom('kenalan_requests').select('id').where('to_id', 'in', [f.id, g.id, minor.id]).execute()).toEqual([]);
  });
});

describe('blocks', () => {
  it('blocking ends the connection and pending requests in one transaction; unblocking brings nothing back', async () => {
    // A and B are connected (first test); C has a pending request to A.
    const pending = (await call(t, c, 'POST', '/api/requests', { to: a.username })).json();
    expect(pending.status).toBe('pending');
    const blockB = await call(t, a, 'POST', '/api/blocks', { member: b.id });
    expect(blockB.statusCode).toBe(201);
    const blockC = await call(t, a, 'POST', '/api/blocks', { member: `@${c.username}` });
    expect(blockC.json()).toEqual({ memberId: c.id });

    expect(await areConnected(db(), a.id, b.id)).toBe(false);
    expect(await areConnected(db(), b.id, a.id)).toBe(false);
    expect((await requestsBetween(a.id, c.id)).find((r) => r.id === pending.id)!.status).toBe('cancelled');
    expect((await call(t, a, 'GET', '/api/requests/incoming')).json().requests).toEqual([]);
    expect((await call(t, c, 'GET', '/api/requests/outgoing')).json().requests).toEqual([]);
    expect((await call(t, b, 'GET', '/api/connections')).json().connections).toEqual([]);
    expect((await call(t, a, 'POST', `/api/requests/${pending.id}/accept`)).statusCode).toBe(404);
    expect(await audits('blocks.added', a.id)).toEqual([
      { action: 'blocks.added', details: { blockedId: b.id, connectionEnded: true, requestsCancelled: 0, via: 'block' } },
      { action: 'blocks.added', details: { blockedId: c.id, connectionEnded: false, requestsCancelled: 1, via: 'block' } },
    ]);

    const list = (await call(t, a, 'GET', '/api/blocks')).json().blocks;
    expect(list.map((x: { memberId: string }) => x.memberId).sort()).toEqual([b.id, c.id].sort());
    expect(list[0]).toEqual({ memberId: expect.any(String), username: expect.any(String), nickname: 'Dewi', since: expect.any(String) });
    expect((await call(t, b, 'GET', '/api/blocks')).json().blocks).toEqual([]);

    expect((await call(t, b, 'DELETE', `/api/blocks/${a.id}`)).statusCode).toBe(404);
    expect((await call(t, a, 'DELETE', `/api/blocks/${b.id}`)).statusCode).toBe(204);
    expect(await areConnected(db(), a.id, b.id)).toBe(false);
    expect((await call(t, a, 'GET', '/api/blocks')).json().blocks.map((x: { memberId: string }) => x.memberId)).toEqual([c.id]);
    expect(await audits('blocks.removed', a.id)).toHaveLength(1);
    expect((await call(t, a, 'POST', '/api/blocks', { member: 'nobody_here_123' })).statusCode).toBe(404);
    expect((await call(t, a, 'POST', '/api/blocks', { member: a.id })).statusCode).toBe(404);
  });
});

describe('reports', () => {
  it('files a case in the moderation queue (message encrypted, evidence ids kept) and can block in the same request', async () => {
    // E and D connect and D writes to E: those messages can be evidence; anything else cannot.
    const asked = (await call(t, e, 'POST', '/api/requests', { to: d.username })).json();
    expect((await call(t, d, 'POST', `/api/requests/${asked.id}/accept`)).statusCode).toBe(200);
    const evidence: string[] = [];
    for (const [i, body] of ['Transfer dulu ya', 'Ke rekening ini'].entries()) {
      const sent = await call(t, d, 'POST', `/api/chats/${e.id}/messages`, { clientKey: `evidence-${i}-0000`, body });
      expect(sent.statusCode, sent.body).toBe(201);
      evidence.push(sent.json().message.id);
    }
    const foreign = await call(t, e, 'POST', '/api/reports', { member: d.username, category: 'scam', evidenceMessageIds: [evidence[0], crypto.randomUUID()] }, { language: 'id' });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors).toEqual([{ field: 'evidenceMessageIds', code: 'invalid', message: 'Bukti hanya boleh berupa pesan dari percakapan Anda dengan anggota ini.' }]);
    const filed = await call(t, e, 'POST', '/api/reports', { member: d.username, category: 'scam', message: 'Dia minta transfer uang ke rekening.', evidenceMessageIds: evidence, block: true });
    expect(filed.statusCode, filed.body).toBe(201);
    const { id, blocked } = filed.json();
    expect(blocked).toBe(true);
    const row = await db().selectFrom('moderation_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reporter_id: e.id, reported_id: d.id, category: 'scam', status: 'open', reporter_blocked: true });
    expect(row.message).toMatch(/^enc:v1:/);
    expect(t.services.keyring.decrypt(row.message!, 'moderation_cases.message')).toBe('Dia minta transfer uang ke rekening.');
    expect([...(row.evidence_message_ids as unknown as string[])].sort()).toEqual([...evidence].sort());
    expect(await db().selectFrom('blocks').selectAll().where('blocker_id', '=', e.id).where('blocked_id', '=', d.id).executeTakeFirst()).toBeDefined();
    expect(await audits('reports.filed', e.id)).toEqual([{ action: 'reports.filed', details: { caseId: id, reportedId: d.id, category: 'scam', evidence: 2, blocked: true } }]);
    expect(await audits('blocks.added', e.id)).toEqual([expect.objectContaining({ details: expect.objectContaining({ blockedId: d.id, via: 'report' }) })]);
    // The block ended the chat both ways (chat checks isBlockedEitherWay on every send and read).
    expect((await call(t, d, 'POST', `/api/chats/${e.id}/messages`, { clientKey: 'after-block-0001', body: 'Halo?' })).statusCode).toBe(404);
    expect((await call(t, e, 'GET', `/api/chats/${d.id}/messages`)).statusCode).toBe(404);
    expect(await areConnected(db(), d.id, e.id)).toBe(false);

    // A member who blocked the reporter can still be reported (harassment followed by a block).
    const again = await call(t, d, 'POST', '/api/reports', { member: e.id, category: 'harassment' });
    expect(again.statusCode).toBe(201);
    expect(again.json().blocked).toBe(false);
  });

  it('refuses unknown categories, self and unknown members, and limits reports per day', async () => {
    const bad = await call(t, e, 'POST', '/api/reports', { member: a.username, category: 'boring' }, { language: 'id' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'category', code: 'choice' });
    expect((await call(t, e, 'POST', '/api/reports', { member: e.username, category: 'spam' })).statusCode).toBe(404);
    expect((await call(t, e, 'POST', '/api/reports', { member: crypto.randomUUID(), category: 'spam' })).statusCode).toBe(404);

    const strict = makeGraphService({ db: db(), keyring: t.services.keyring, logger: t.services.logger, limits: { reportsPerDay: 1 } });
    await expect(strict.report(b.id, { member: a.id, category: 'spam' }, { language: 'en' })).resolves.toMatchObject({ blocked: false });
    await expect(strict.report(b.id, { member: a.id, category: 'spam' }, { language: 'en' })).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
  });

  it('keeps the audit chain intact', async () => {
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });
});
