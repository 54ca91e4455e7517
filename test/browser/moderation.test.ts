import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { PASSWORD } from '../../src/server/identity/login-security/test-members.js';
import { grantStaffRole } from '../../src/server/ops/staff/guard.js';
import { call, signedInMember, type SignedIn } from '../../src/server/social/graph/test-helpers.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { openAsMember, signInThroughForm } from './member-browser.js';

/**
 * The moderator's journey (issue 4 item 6) in Chromium at phone size: a member reports another with
 * two chat messages as evidence; a member without a role has no staff links and is refused the
 * page; the moderator finds "Reports to moderate" on the account page, opens the oldest case with
 * the keyboard, sees the report and only the attached messages (in Indonesian, then English), must
 * choose a decision and write a note, warns the member; the case leaves the queue and its page
 * shows nothing more (the API answers 410); the warned member reads the warning in English (their
 * language) and the reporter a neutral "handled" in Indonesian.
 */
/** Sign-in hashes a password and the machine is shared: allow each step 20 s rather than vitest's 1 s. */
const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout });

describe.runIf(hasChromium)('moderation: report → moderator warns → the members are told (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const statusOf = (page: Page, url: string) => page.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin', cache: 'no-store' })).status, url);

  it('works a report from the queue to a warning, in both languages, by keyboard, at 360 px', async () => {
    const [reporter, reported, moderator, plain] = (await Promise.all([
      signedInMember(t, 2601, 'id'),
      signedInMember(t, 2602, 'en'),
      signedInMember(t, 2603, 'id'),
      signedInMember(t, 2604, 'id'),
    ])) as [SignedIn, SignedIn, SignedIn, SignedIn];
    const asked = (await call(t, reporter, 'POST', '/api/requests', { to: reported.username })).json();
    expect((await call(t, reported, 'POST', `/api/requests/${asked.id}/accept`)).statusCode).toBe(200);
    const ids: string[] = [];
    for (const [i, body] of ['Transfer 2 juta dulu, nanti aku kembalikan', 'Apa kabar?', 'Kalau tidak transfer, fotomu aku sebar'].entries()) {
      const sent = await call(t, reported, 'POST', `/api/chats/${reporter.id}/messages`, { clientKey: `mod-browser-${i}-00`, body });
      expect(sent.statusCode, sent.body).toBe(201);
      ids.push(sent.json().message.id);
    }
    // And a photo (the threatened picture), attached as evidence too.
    const form = new FormData();
    form.append('clientKey', 'mod-browser-photo-00');
    const jpeg = await sharp({ create: { width: 480, height: 320, channels: 3, background: { r: 40, g: 90, b: 160 } } }).jpeg().toBuffer();
    form.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'foto.jpg');
    const photo = await call(t, reported, 'POST', `/api/chats/${reporter.id}/photos`, form);
    expect(photo.statusCode, photo.body).toBe(201);
    ids.push(photo.json().message.id);
    const filed = await call(t, reporter, 'POST', '/api/reports', { member: reported.username, category: 'scam', message: 'Dia memeras saya.', evidenceMessageIds: [ids[0], ids[2], ids[3]] });
    expect(filed.statusCode, filed.body).toBe(201);
    const caseId = filed.json().id as string;

    // A member without a role: no staff links on the account page, and the page refuses them.
    const p = await signInThroughForm(browser, origin, plain.username, PASSWORD);
    await p.page.goto(`${origin}/account`);
    await poll(() => p.page.getByRole('navigation', { name: 'Kelola akun Anda' }).count()).toBe(1);
    // The hub asks the server; give it the time to answer, then check nothing appeared.
    await p.page.waitForLoadState('networkidle');
    expect(await p.page.getByRole('navigation', { name: 'Halaman staf' }).count()).toBe(0);
    await p.page.goto(`${origin}/staff/reports`);
    await poll(() => p.page.getByRole('alert').textContent()).toContain('hanya untuk moderator Kenalan');
    expect(await p.page.locator('.report-queue').count()).toBe(0);
    await p.context.close();

    // The moderator: the account page links to the queue (the staff hub), reached with the keyboard.
    await grantStaffRole(t.database.db, moderator.username, 'moderator');
    const s = await signInThroughForm(browser, origin, moderator.username, PASSWORD);
    await s.page.goto(`${origin}/account`);
    const hub = s.page.getByRole('navigation', { name: 'Halaman staf' });
    await poll(() => hub.count()).toBe(1);
    expect(await hub.getByRole('link').allTextContents()).toEqual(['Laporan untuk dimoderasi']);
    await noHorizontalScroll(s.page);
    await s.page.screenshot({ path: path.join(SHOTS, 'moderation-staff-hub-id-360.png'), fullPage: true });
    await hub.getByRole('link', { name: 'Laporan untuk dimoderasi' }).focus();
    await s.page.keyboard.press('Enter');
    await poll(() => new URL(s.page.url()).pathname).toBe('/staff/reports');
    await poll(() => s.page.locator('h1').textContent()).toBe('Laporan untuk dimoderasi');
    await poll(() => s.page.getByText('Kasus terbuka: 1.').count()).toBe(1);
    const item = s.page.locator('.report-queue li');
    expect(await item.count()).toBe(1);
    expect(await item.textContent()).toContain('Penipuan');
    expect(await item.textContent()).toMatch(/Menunggu sejak \d+ menit yang lalu/);
    expect(await item.textContent()).toContain('Pesan bukti: 3');
    expect(await s.page.locator('main').textContent()).not.toContain(reported.username);
    await noHorizontalScroll(s.page);
    await s.page.screenshot({ path: path.join(SHOTS, 'moderation-queue-id-360.png'), fullPage: true });

    // The case: reporter, reported member, the report and only the two attached messages.
    await item.getByRole('link').focus();
    await s.page.keyboard.press('Enter');
    await poll(() => new URL(s.page.url()).pathname).toBe(`/staff/reports/${caseId}`);
    await poll(() => s.page.locator('h1').textContent()).toBe('Moderasi laporan');
    await poll(() => s.page.locator('.moderation-evidence li').count()).toBe(3);
    expect(await s.page.getByTestId('report-reporter').textContent()).toBe(`Dewi (@${reporter.username})`);
    expect(await s.page.getByTestId('report-reported').textContent()).toContain(`@${reported.username}`);
    expect(await s.page.locator('.moderation-quote').textContent()).toBe('Dia memeras saya.');
    const evidence = await s.page.locator('.moderation-evidence li').allTextContents();
    expect(evidence[0]).toContain('Ditulis oleh anggota yang dilaporkan');
    expect(evidence[0]).toContain('Transfer 2 juta dulu');
    expect(evidence[1]).toContain('fotomu aku sebar');
    // The photo stays hidden until asked for (keyboard), then loads from the audited endpoint.
    expect(evidence[2]).toContain('Pesan ini berisi foto');
    expect(await s.page.locator('.moderation-photo').count()).toBe(0);
    await s.page.locator('.moderation-evidence li').nth(2).screenshot({ path: path.join(SHOTS, 'moderation-evidence-photo-hidden-id-360.png') });
    await s.page.getByRole('button', { name: 'Tampilkan foto' }).focus();
    await s.page.keyboard.press('Enter');
    const shown = s.page.getByRole('img', { name: 'Foto yang dilampirkan pada pesan ini (bukti)' });
    await poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
    expect(await s.page.locator('main').textContent()).not.toContain('Apa kabar?');
    expect(await s.page.getByTestId('report-other').textContent()).toBe('Laporan lain tentang anggota ini: 0 terbuka, 0 ditutup.');
    await noHorizontalScroll(s.page);
    await s.page.screenshot({ path: path.join(SHOTS, 'moderation-case-id-360.png'), fullPage: true });

    // The same case in English.
    await s.page.getByLabel('Bahasa').selectOption('en');
    await poll(() => s.page.locator('h1').textContent()).toBe('Moderate a report');
    await poll(() => s.page.getByTestId('report-category').textContent()).toBe('Scam or fraud');
    await noHorizontalScroll(s.page);
    await s.page.screenshot({ path: path.join(SHOTS, 'moderation-case-en-360.png'), fullPage: true });

    // Deciding needs a decision and a note: the form says so, nothing is decided.
    await s.page.getByRole('button', { name: 'Decide and close the case' }).click();
    await poll(() => s.page.getByRole('alert').allTextContents()).toEqual(['Choose a decision.', 'Write a note on your decision for the other moderators.']);
    expect(await s.page.getByLabel('Staff note (only moderators see it)').getAttribute('aria-invalid')).toBe('true');
    expect((await t.database.db.selectFrom('moderation_cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status).toBe('open');

    // Warn, with the keyboard: the radio, then the note, then submit.
    await s.page.getByRole('radio', { name: 'Warn the member' }).focus();
    await s.page.keyboard.press('Space');
    expect(await s.page.getByRole('radio', { name: 'Warn the member' }).isChecked()).toBe(true);
    await s.page.getByLabel('Staff note (only moderators see it)').fill('Asked for money and threatened to share photos; first warning.');
    await s.page.getByRole('button', { name: 'Decide and close the case' }).click();
    await poll(() => s.page.getByTestId('moderation-notice').textContent()).toBe('Case closed: the member was warned.');
    await poll(() => new URL(s.page.url()).pathname).toBe('/staff/reports');
    await poll(() => s.page.getByText('Open cases: 0.').count()).toBe(1);
    await s.page.screenshot({ path: path.join(SHOTS, 'moderation-warned-en-360.png'), fullPage: true });
    expect(await t.database.db.selectFrom('moderation_cases').select(['status', 'decision', 'decided_by']).where('id', '=', caseId).executeTakeFirstOrThrow()).toEqual({
      status: 'closed',
      decision: 'warned',
      decided_by: moderator.id,
    });

    // The closed case: the API answers 410 and the page shows no report or evidence.
    expect(await statusOf(s.page, `/api/staff/reports/${caseId}`)).toBe(410);
    await s.page.goto(`${origin}/staff/reports/${caseId}`);
    await poll(() => s.page.getByRole('alert').first().textContent()).toContain('Kasus ini sudah diputuskan dan ditutup');
    expect(await s.page.locator('.moderation-evidence').count()).toBe(0);
    expect(await s.page.locator('main').textContent()).not.toContain('Transfer 2 juta');
    await s.context.close();

    // The warned member reads the warning in English (their language); the reporter a neutral notice in Indonesian.
    const w = await openAsMember(browser, origin, reported.cookie, { path: '/notifications', locale: 'en-GB' });
    await poll(() => w.page.locator('.notification-list').textContent()).toContain('A warning from Kenalan’s moderators');
    await noHorizontalScroll(w.page);
    await w.page.screenshot({ path: path.join(SHOTS, 'moderation-warning-en-360.png'), fullPage: true });
    await w.context.close();
    const r = await openAsMember(browser, origin, reporter.cookie, { path: '/notifications' });
    await poll(() => r.page.locator('.notification-list').textContent()).toContain('moderator Kenalan telah meninjau laporan Anda');
    const text = (await r.page.locator('.notification-list').textContent()) ?? '';
    expect(text).not.toMatch(/peringat|tangguh/i);
    await r.context.close();
  }, 300_000);
});
