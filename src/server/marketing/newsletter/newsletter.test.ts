import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer, type ReceivedMail } from '../../../../test/support/smtp.js';
import type { ConsentPurpose } from '../../privacy/data-map/types.js';
import { parseNewsletterFile } from './content.js';

/**
 * Marketing email under consent (P2.2), read as raw messages from a real SMTP server: only
 * members who consented get it; only those who consented to tracking get a pixel and tracked
 * links; every copy has RFC 8058 one-click unsubscribe, which withdraws the consent in the ledger.
 */
let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
const AT = '\u0040';
let ip = 0;
const nextIp = () => `198.18.0.${(ip++ % 250) + 1}`;

const ISSUE = {
  id: { subject: 'Kabar Kenalan bulan ini', body: 'Ada fitur baru untuk Anda.\n\nhttps://kenalan.example/fitur\n\nSampai jumpa!' },
  en: { subject: 'Kenalan news this month', body: 'There is a new feature for you.\n\nhttps://kenalan.example/features\n\nSee you!' },
};

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function member(n: number, language: 'id' | 'en', purposes: ConsentPurpose[]) {
  const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const fields = {
    username: `ayu_${n}`,
    nickname: `Ayu ${n}`,
    gender: 'female',
    email: `ayu.${n}${AT}contoh.id`,
    phone: `0813${String(50_000_000 + n)}`,
    nik: `317405520390${String(n).padStart(4, '0')}`,
    dateOfBirth: '1990-03-12',
    password: 'Senja merah di Pelabuhan Ratu 77',
    language,
    acceptPolicy: 'true',
  };
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(response.statusCode, response.body).toBe(201);
  const { id } = response.json() as { id: string };
  await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  for (const purpose of purposes) await setConsent(id, purpose, true);
  return { id, email: fields.email };
}

async function setConsent(memberId: string, purpose: ConsentPurpose, granted: boolean) {
  await t.database.db.transaction().execute((trx) => t.services.consent.setConsent(trx, { subject: { type: 'member', id: memberId }, language: 'id' }, purpose, granted));
}

/** Newsletter messages (they carry List-Unsubscribe; verification emails do not) for one address. */
const newsletterFor = (address: string) => smtp.messages.filter((m) => m.envelopeTo.includes(address) && /^List-Unsubscribe:/im.test(m.raw));
/** A header of the raw message, unfolded (long headers are folded onto continuation lines). */
const header = (mail: ReceivedMail, name: string) => {
  const head = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: *([^\r\n]*)`, 'im').exec(head)?.[1]?.trim();
};
const tokenOf = (mail: ReceivedMail) => /\/api\/newsletter\/unsubscribe\/([A-Za-z0-9_-]+)>/.exec(header(mail, 'List-Unsubscribe') ?? '')![1]!;

async function waitUntil(check: () => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const oneClick = (token: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/newsletter/unsubscribe/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'id' },
    payload: 'List-Unsubscribe=One-Click',
  });

describe('newsletters under consent (P2.2)', () => {
  it('sends only to consenting members, tracks only those who allowed it, and unsubscribes in one click', async () => {
    const tracked = await member(9101, 'en', ['marketing_email', 'email_tracking']);
    const plain = await member(9102, 'id', ['marketing_email']);
    const none = await member(9103, 'id', ['email_tracking']);
    const withdrawn = await member(9104, 'id', ['marketing_email']);
    await setConsent(withdrawn.id, 'marketing_email', false);

    const { newsletterId, queued } = await t.services.newsletters.send(ISSUE);
    expect(queued).toBe(2);
    await waitUntil(() => newsletterFor(tracked.email).length === 1 && newsletterFor(plain.email).length === 1, 'two newsletters');

    const [a] = newsletterFor(tracked.email);
    const [b] = newsletterFor(plain.email);
    // Each in the member's language.
    expect(a!.parsed.subject).toBe(ISSUE.en.subject);
    expect(b!.parsed.subject).toBe(ISSUE.id.subject);
    // RFC 8058 one-click on every copy.
    for (const mail of [a!, b!]) {
      expect(header(mail, 'List-Unsubscribe')).toMatch(/^<https:\/\/[^>]+\/api\/newsletter\/unsubscribe\/[A-Za-z0-9_-]+>$/);
      expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.parsed.text).toMatch(/\/unsubscribe\/[A-Za-z0-9_-]+/);
    }
    // Tracking only with consent: a pixel and links through /t/c/ for A; nothing of the kind for B.
    expect(a!.parsed.html).toMatch(/<img src="https:\/\/[^"]+\/t\/o\/[A-Za-z0-9_-]+\.gif" width="1" height="1" alt=""/);
    expect(a!.parsed.html).toMatch(/href="https:\/\/[^"]+\/t\/c\/[A-Za-z0-9_-]+\/0"/);
    expect(b!.parsed.html).not.toMatch(/<img|\/t\/o\/|\/t\/c\//);
    expect(b!.parsed.html).toContain('href="https://kenalan.example/fitur"');
    expect(b!.raw).not.toMatch(/\/t\/[oc]\//);
    // Nobody without consent got one (withdrawn or never given).
    expect(newsletterFor(none.email)).toEqual([]);
    expect(newsletterFor(withdrawn.email)).toEqual([]);

    // The pixel and the link, for A (tracked): recorded.
    const aToken = tokenOf(a!);
    const pixel = await t.app.inject({ method: 'GET', url: `/t/o/${aToken}.gif` });
    expect(pixel.statusCode).toBe(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    const click = await t.app.inject({ method: 'GET', url: `/t/c/${aToken}/0` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://kenalan.example/features');
    const aDelivery = await t.database.db.selectFrom('newsletter_deliveries').selectAll().where('member_id', '=', tracked.id).executeTakeFirstOrThrow();
    expect(aDelivery.tracked).toBe(true);
    expect(aDelivery.opened_at).not.toBeNull();
    const clicks = () => t.database.db.selectFrom('newsletter_clicks').select('id').where('delivery_id', '=', aDelivery.id).execute();
    expect(await clicks()).toHaveLength(1);
    // Not an open redirect: an index the newsletter does not have goes home.
    expect((await t.app.inject({ method: 'GET', url: `/t/c/${aToken}/7` })).headers.location).toBe('/');

    // A withdraws tracking: the same links still work, but nothing more is recorded — at once.
    await setConsent(tracked.id, 'email_tracking', false);
    expect((await t.app.inject({ method: 'GET', url: `/t/c/${aToken}/0` })).headers.location).toBe('https://kenalan.example/features');
    expect(await clicks()).toHaveLength(1);

    // B's copy is untracked: hitting tracking URLs with B's token records nothing.
    const bToken = tokenOf(b!);
    await t.app.inject({ method: 'GET', url: `/t/o/${bToken}.gif` });
    const bDelivery = await t.database.db.selectFrom('newsletter_deliveries').selectAll().where('member_id', '=', plain.id).executeTakeFirstOrThrow();
    expect(bDelivery).toMatchObject({ tracked: false, opened_at: null });

    // One click, no sign-in, no CSRF token: B's marketing consent is withdrawn in the ledger.
    const unsubscribed = await oneClick(bToken);
    expect(unsubscribed.statusCode, unsubscribed.body).toBe(200);
    expect(await t.services.consent.hasConsent({ type: 'member', id: plain.id }, 'marketing_email')).toBe(false);
    const ledger = await t.database.db
      .selectFrom('consent_ledger')
      .select(['event'])
      .where('subject_id', '=', plain.id)
      .where('purpose', '=', 'marketing_email')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    expect(ledger.event).toBe('consent_withdrawn');

    // A replayed token is refused clearly; an unknown one too.
    const replay = await oneClick(bToken);
    expect(replay.statusCode).toBe(410);
    expect(replay.json()).toMatchObject({ code: 'unsubscribe_used' });
    expect(replay.json().detail).toContain('sudah dipakai');
    const forged = await oneClick('x'.repeat(32));
    expect(forged.statusCode).toBe(404);
    expect(forged.json()).toMatchObject({ code: 'unsubscribe_invalid' });

    // The next newsletter goes to A only.
    const next = await t.services.newsletters.send(ISSUE);
    expect(next.queued).toBe(1);
    await waitUntil(() => newsletterFor(tracked.email).length === 2, 'second newsletter');
    const second = newsletterFor(tracked.email)[1]!;
    // A withdrew tracking: the second copy has no pixel and direct links.
    expect(second.parsed.html).not.toMatch(/<img|\/t\/o\/|\/t\/c\//);
    expect(newsletterFor(plain.email)).toHaveLength(1);

    // A withdrawal between queueing and sending wins: the job re-checks consent.
    await setConsent(tracked.id, 'marketing_email', false);
    expect(await t.services.newsletters.deliver(newsletterId, tracked.id)).toBe('skipped');
    expect(await t.services.newsletters.deliver(next.newsletterId, plain.id)).toBe('skipped');
  }, 90_000);

  it('reads newsletter files strictly and reports every problem', () => {
    expect(parseNewsletterFile('Subject: Halo\n\nIsi.\n\nhttps://kenalan.example/a', 'id')).toEqual({ subject: 'Halo', body: 'Isi.\n\nhttps://kenalan.example/a' });
    const bad = parseNewsletterFile('Halo\n\nhttp://insecure.example/a', 'en');
    expect(bad).toEqual({ problems: ['en: the first line must be "Subject: …"', 'en: "http://insecure.example/a" looks like a link but is not https'] });
    expect(parseNewsletterFile('Subject: x\n\n', 'id')).toEqual({ problems: ['id: the body is empty'] });
  });
});
