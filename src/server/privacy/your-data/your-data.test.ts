import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import { maskValue } from './mask.js';
import type { CategoryView } from './service.js';

let t: TestApp;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
let ip = 0;
const nextIp = () => `100.64.0.${(ip++ % 250) + 1}`;

beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 60_000);
afterAll(() => t.close());

async function member(n: number) {
  const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const fields = {
    username: `rina_${n}`,
    nickname: `Rina ${n}`,
    gender: 'female',
    email: `rina.${n}${AT}contoh.id`,
    phone: `0813${String(60_000_000 + n)}`,
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
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '203.0.113.99' },
    payload: { identifier: fields.username, password: PASSWORD },
  });
  expect(login.statusCode, login.body).toBe(201);
  const session = `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)!.value}`;
  return { id, ...fields, session };
}

const yourData = (session: string, language = 'en') =>
  t.app.inject({ method: 'GET', url: '/api/me/data', headers: { cookie: session, 'accept-language': language } });

function field(categories: CategoryView[], table: string, column: string) {
  return categories.flatMap((c) => c.fields.map((f) => ({ ...f, category: c.category }))).find((f) => f.table === table && f.column === column);
}

describe('"your data" (P0.1 transparency, right of access)', () => {
  it("lists the member's data from every table by category, masked where declared, with purpose, legal basis and retention", async () => {
    const rina = await member(9201);
    const other = await member(9202);
    // A support request filed with the same email (not signed in) is the member's data too: found by blind index.
    const ticket = await t.app.inject({
      method: 'POST',
      url: '/api/support/tickets',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
      payload: { name: 'Rina', email: rina.email, topic: 'privacy', message: 'Saya ingin melihat data saya di Kenalan.' },
    });
    expect(ticket.statusCode, ticket.body).toBe(201);

    const response = await yourData(rina.session);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { categories, accesses } = response.json() as { categories: CategoryView[]; accesses: unknown[] };

    const username = field(categories, 'members', 'username')!;
    expect(username).toMatchObject({ category: 'identity', values: [rina.username], count: 1, legalBasis: 'Performing our agreement with you (your account)' });
    expect(username.purposes).toContain('Creating and running your account');
    expect(username.retention).toBe('While the account exists, then 30 days after it is deleted');

    // Masked: recognizable, not readable.
    expect(field(categories, 'members', 'email')!.values).toEqual([`r•••${AT}contoh.id`]);
    expect(field(categories, 'members', 'nik')!.values).toEqual([maskValue(rina.nik)]);
    expect(field(categories, 'members', 'nik')!.values[0]).toMatch(/^•{12}9201$/);
    expect(field(categories, 'members', 'date_of_birth')!.values).toEqual(['••••-•3-12']);
    // Secret: it exists, the value is never shown.
    expect(field(categories, 'members', 'password_hash')).toMatchObject({ display: 'secret', values: [], count: 1 });
    // Blind indexes are derived, not shown.
    expect(field(categories, 'members', 'email_bidx')).toBeUndefined();
    // Decrypted where stored encrypted.
    expect(field(categories, 'members', 'nickname')!.values).toEqual(['Rina 9201']);
    expect(field(categories, 'support_tickets', 'message')!.values).toEqual(['Saya ingin melihat data saya di Kenalan.']);
    expect(field(categories, 'sessions', 'ip')!.values).toEqual([maskValue('203.0.113.99')]);
    expect(field(categories, 'consent_ledger', 'subject_id')!.count).toBeGreaterThanOrEqual(1);
    // Nothing shared yet, and nobody at Kenalan has read it.
    expect(categories.every((c) => c.fields.every((f) => f.sharedWith.length === 0))).toBe(true);
    expect(accesses).toEqual([]);

    // Nothing of the other member appears.
    const text = response.body;
    expect(text).not.toContain(other.username);
    expect(text).not.toContain('Rina 9202');
    expect(text).not.toContain('9202');
  });

  it('shows the recipient the kenalan requests sent to them — sender, introduction, when, status as they may know it — and exports them', async () => {
    const [sender, recipient, withdrawer] = [await member(9204), await member(9205), await member(9206)];
    const ask = async (from: { session: string }, to: { username: string }, intro: string) => {
      const csrf = await csrfHeaders(t.app);
      const sent = await t.app.inject({ method: 'POST', url: '/api/requests', headers: { ...csrf, cookie: `${csrf.cookie}; ${from.session}` }, payload: { to: to.username, intro } });
      expect(sent.statusCode, sent.body).toBe(201);
      return (sent.json() as { id: string }).id;
    };
    await ask(sender, recipient, 'Halo, kita satu komunitas lari pagi.');
    const withdrawn = await ask(withdrawer, recipient, 'Salam kenal dari Bogor.');
    const csrf = await csrfHeaders(t.app);
    const withdraw = await t.app.inject({ method: 'POST', url: `/api/requests/${withdrawn}/withdraw`, headers: { ...csrf, cookie: `${csrf.cookie}; ${withdrawer.session}` } });
    expect(withdraw.statusCode, withdraw.body).toBe(200);

    const response = await yourData(recipient.session);
    expect(response.statusCode, response.body).toBe(200);
    const { categories } = response.json() as { categories: (CategoryView & { fields: { role?: string }[] })[] };
    const received = (column: string) => categories.flatMap((c) => c.fields.map((f) => ({ ...f, category: c.category }))).find((f) => f.table === 'kenalan_requests' && f.column === column && f.role === 'recipient');
    expect(received('from_id')).toMatchObject({ category: 'usage', label: 'Member who asked to connect with you', count: 2 });
    expect(received('from_id')!.values.sort()).toEqual([sender.id, withdrawer.id].sort());
    // Decrypted, as the recipient read it on the requests page.
    expect(received('intro')).toMatchObject({ category: 'content', label: 'Introduction message you received', count: 2 });
    expect(received('intro')!.values.sort()).toEqual(['Halo, kita satu komunitas lari pagi.', 'Salam kenal dari Bogor.']);
    expect(received('created_at')!.count).toBe(2);
    // The recipient is never told of a withdrawal: it reads "ended" — in words, not as a code.
    expect(received('status')!.values.sort()).toEqual(['Ended', 'Waiting for an answer']);
    const bare = categories.flatMap((c) => c.fields as CategoryView['fields']).filter((f) => f.values.some((v) => /^(withdrawn|pending|ended)$/.test(v)));
    expect(bare.map((f) => `${f.table}.${f.column}: ${f.values.join(', ')}`)).toEqual([]);
    expect(received('status')!.purposes).toContain('Creating and running your account');
    // Nothing of the request that is only the sender's: the idempotency key, the expiry, when it was withdrawn.
    expect(received('idempotency_key')).toBeUndefined();
    expect(received('expires_at')).toBeUndefined();
    expect(received('decided_at')).toBeUndefined();
    // The recipient sent none: nothing of theirs in the sender's own role.
    expect(field(categories, 'kenalan_requests', 'to_id')).toBeUndefined();

    // The sender still sees what they sent, in the sender's own role, not as received.
    const mine = (await yourData(sender.session)).json() as { categories: (CategoryView & { fields: { role?: string }[] })[] };
    expect(field(mine.categories, 'kenalan_requests', 'to_id')).toMatchObject({ values: [recipient.id], count: 1 });
    expect(mine.categories.flatMap((c) => c.fields).filter((f) => f.role === 'recipient')).toEqual([]);

    // The export is built from the same view, every value in full: the received requests are in it.
    const exported = await t.services.yourData.forMember(recipient.id, 'id', { reveal: true });
    const exportedIntro = exported.categories.flatMap((c) => c.fields).find((f) => f.table === 'kenalan_requests' && f.column === 'intro' && f.role === 'recipient');
    expect(exportedIntro).toMatchObject({ label: 'Pesan perkenalan yang Anda terima', count: 2 });
  });

  it('shows codes as words in the member’s language, and a request a block ended as "ended" to its sender', async () => {
    const [sender, recipient] = [await member(9207), await member(9208)];
    const csrf = await csrfHeaders(t.app);
    const sent = await t.app.inject({ method: 'POST', url: '/api/requests', headers: { ...csrf, cookie: `${csrf.cookie}; ${sender.session}` }, payload: { to: recipient.username, intro: 'Halo dari Medan.' } });
    expect(sent.statusCode, sent.body).toBe(201);
    // The recipient blocks the sender: the pending request is cancelled.
    const blocked = await t.app.inject({ method: 'POST', url: '/api/blocks', headers: { ...csrf, cookie: `${csrf.cookie}; ${recipient.session}` }, payload: { member: sender.username } });
    expect(blocked.statusCode, blocked.body).toBe(201);
    const stored = await t.database.db.selectFrom('kenalan_requests').select('status').where('from_id', '=', sender.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('cancelled');

    for (const [language, ended, gender] of [['en', 'Ended', 'Female'], ['id', 'Berakhir', 'Perempuan']] as const) {
      const response = await yourData(sender.session, language);
      const { categories } = response.json() as { categories: CategoryView[] };
      // A blocked member learns nothing: not "cancelled", only that the request ended.
      expect(field(categories, 'kenalan_requests', 'status')!.values).toEqual([ended]);
      expect(response.body).not.toContain('cancelled');
      expect(field(categories, 'members', 'gender')!.values).toEqual([gender]);
    }
  });

  it('answers in the member’s language and only to the signed-in member', async () => {
    const m = await member(9203);
    const id = (await yourData(m.session, 'id')).json() as { categories: CategoryView[] };
    expect(field(id.categories, 'members', 'username')).toMatchObject({ label: 'Nama pengguna', legalBasis: 'Pelaksanaan perjanjian dengan Anda (akun Anda)' });
    const anonymous = await yourData('');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('masks without hiding what kind of value it is', () => {
    expect(maskValue('+6281360009201')).toBe('••••••••••9201');
    expect(maskValue(`ab${AT}x.id`)).toBe(`a•••${AT}x.id`);
    expect(maskValue('10.0.0.1')).toBe('••.•.0.1');
    expect(maskValue('abc')).toBe('•bc');
  });
});
