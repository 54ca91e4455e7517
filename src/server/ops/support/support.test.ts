import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let t: TestApp;
let clientIp = 0;
const nextIp = () => `192.0.2.${(clientIp++ % 250) + 1}`;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, SUPPORT_EMAIL: 'bantuan\u0040kenalan.example' } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const valid = { name: 'Dewi Lestari', email: 'dewi.lestari@contoh.id', topic: 'account', message: 'Saya tidak bisa masuk ke akun saya sejak kemarin.' };

async function post(payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/support/tickets',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), ...headers },
    payload: payload as Record<string, unknown>,
  });
}

const ticketCount = async () => Number((await t.database.db.selectFrom('support_tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('POST /api/support/tickets', () => {
  it('files a ticket with a number and a 14-day deadline, audits it, and emails a confirmation in Indonesian', async () => {
    const response = await post(valid, { 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' });
    expect(response.statusCode).toBe(201);
    const ticket = response.json();
    expect(ticket.number).toMatch(/^KNL-\d{4}-\d{6}$/);
    expect(ticket.language).toBe('id');
    expect(new Date(ticket.dueAt).getTime() - new Date(ticket.createdAt).getTime()).toBe(14 * 24 * 3600 * 1000);

    const row = await t.database.db.selectFrom('support_tickets').selectAll().where('number', '=', ticket.number).executeTakeFirstOrThrow();
    expect(row.name).not.toContain('Dewi');
    expect(row.email).not.toContain('dewi');
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('subject_id', '=', row.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['support.ticket_filed']);
    expect(JSON.stringify(audit[0]!.details)).not.toContain('Dewi');

    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelopeTo).toEqual(['dewi.lestari@contoh.id']);
    expect(mail!.parsed.subject).toBe(`Permintaan Anda ${ticket.number} sudah kami terima`);
    expect(mail!.parsed.text).toContain('dalam 14 hari');
    expect(mail!.parsed.text).toContain('Saya tidak bisa masuk');
    expect(mail!.parsed.headers.get('content-language')).toBe('id');
    expect(mail!.parsed.html).toContain('Halo Dewi Lestari');
    expect(mail!.raw).toContain('bantuan\u0040kenalan.example');
  });

  it('answers in English when asked, and the email follows the form language', async () => {
    const before = smtp.messages.length;
    const response = await post({ ...valid, email: 'budi@contoh.id', language: 'en' }, { 'accept-language': 'en' });
    expect(response.statusCode).toBe(201);
    const messages = await smtp.waitFor(before + 1);
    const mail = messages.find((m) => m.envelopeTo.includes('budi@contoh.id'))!;
    expect(mail.parsed.subject).toBe(`We received your request ${response.json().number}`);
    expect(mail.parsed.text).toContain('within 14 days');
  });

  it('returns the same ticket for a retried Idempotency-Key, and refuses the key for other content', async () => {
    const before = await ticketCount();
    const key = 'retry-key-0001';
    const first = await post(valid, { 'idempotency-key': key });
    const again = await post(valid, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().number).toBe(first.json().number);
    expect(await ticketCount()).toBe(before + 1);

    const concurrent = await Promise.all([1, 2, 3].map(() => post(valid, { 'idempotency-key': 'retry-key-0002' })));
    expect(new Set(concurrent.map((r) => r.json().number)).size).toBe(1);
    expect(await ticketCount()).toBe(before + 2);

    const conflict = await post({ ...valid, message: 'A completely different message this time.' }, { 'idempotency-key': key, 'accept-language': 'en' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('idempotency_conflict');
  });

  it('refuses a request without the CSRF token, in the member language', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/support/tickets', headers: { 'accept-language': 'id' }, payload: valid });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'csrf_invalid', detail: expect.stringContaining('Muat ulang halaman') });
  });

  it('explains each invalid field in the member language and writes nothing', async () => {
    const before = await ticketCount();
    const response = await post({ name: '', email: 'not-an-email', topic: 'dating', extra: 'x' }, { 'accept-language': 'id' });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.detail).toBe('Sebagian informasi yang Anda kirim tidak valid.');
    const byField = Object.fromEntries(problem.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(byField).toMatchObject({
      name: 'Kolom ini wajib diisi.',
      email: expect.stringContaining('alamat email yang valid'),
      topic: 'Pilih salah satu pilihan.',
      message: 'Kolom ini wajib diisi.',
    });
    const english = await post({ ...valid, message: 'x'.repeat(6000) }, { 'accept-language': 'en' });
    expect(english.json().errors).toEqual([{ field: 'message', code: 'tooLong', message: 'Use at most 5000 characters.' }]);
    expect(await ticketCount()).toBe(before);
  });

  it('maps malformed bodies to 4xx problems', async () => {
    const headers = { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() };
    const badJson = await t.app.inject({ method: 'POST', url: '/api/support/tickets', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(badJson.statusCode).toBe(400);
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/support/tickets', headers: { ...headers, 'content-type': 'text/xml' }, payload: '<a/>' });
    expect(wrongType.statusCode).toBe(415);
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/support/tickets',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...valid, message: 'x'.repeat(100_000) }),
    });
    expect(huge.statusCode).toBe(413);
    for (const r of [badJson, wrongType, huge]) expect(r.headers['content-type']).toContain('application/problem+json');
  });

  it('never answers 500 to arbitrary input, and only valid input creates a ticket (property)', async () => {
    const headers = await csrfHeaders(t.app);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            { name: fc.string(), email: fc.oneof(fc.emailAddress(), fc.string()), topic: fc.string(), message: fc.string({ maxLength: 6000 }), language: fc.string() },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const before = await ticketCount();
          const response = await t.app.inject({
            method: 'POST',
            url: '/api/support/tickets',
            headers: { ...headers, 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
            payload: JSON.stringify(body),
          });
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode === 201) expect(await ticketCount()).toBe(before + 1);
          else {
            expect(response.headers['content-type']).toContain('application/problem+json');
            expect(await ticketCount()).toBe(before);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('limits one client to five tickets per ten minutes', async () => {
    const ip = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(valid, { 'x-forwarded-for': ip, 'accept-language': 'en' })).statusCode);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const limited = await post(valid, { 'x-forwarded-for': ip, 'accept-language': 'en' });
    expect(limited.json()).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/^Too many requests\. Please wait \d+ seconds/) });
  });

  it('keeps the audit chain intact through all of it', async () => {
    expect((await verifyAuditLog(t.database.db)).ok).toBe(true);
  });
});
