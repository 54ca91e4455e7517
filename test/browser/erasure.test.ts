import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { PASSWORD, signUpMember } from '../../src/server/identity/login-security/test-members.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';

/**
 * "Delete my account" in Chromium at 360 px, in Indonesian: the page explains the grace period and
 * what is kept and why; deleting signs the member out; signing in during the grace period offers
 * to restore the account; after the grace period (time moved) sign-in fails as for an unknown account.
 */
const DAY = 24 * 3600 * 1000;

describe.runIf(hasChromium)('erasure: delete my account, restore at sign-in, erased after the grace period (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  async function signInWithForm(page: Page, identifier: string): Promise<void> {
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(identifier);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
  }

  it('deletes the account from the account hub, signs out, and after the grace period the account is unknown', async () => {
    const member = await signUpMember(t, 601);
    const page = await newPage();
    await signInWithForm(page, member.username);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account/sessions');

    await page.goto(`${origin}/account`);
    await page.getByRole('link', { name: 'Hapus akun saya' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hapus akun saya');
    // What is kept and why comes from the data map.
    await expect.poll(() => page.locator('main').textContent()).toContain('Dasar hukum: UU PDP Pasal 22 (membuktikan persetujuan)');
    // Periods under a year are in days only (no "about 0.1 years").
    await expect.poll(() => page.locator('main').textContent()).toContain('Disimpan 30 hari');
    await expect.poll(() => page.locator('main').textContent()).toContain('14 hari');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'erasure-page-id-360.png'), fullPage: true });

    // Without the confirmation box: refused, with the reason next to the box.
    await page.getByLabel('Kata sandi Anda').fill(PASSWORD);
    await page.getByRole('button', { name: 'Hapus akun saya' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Centang kotak konfirmasi');
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('active');

    // Keyboard: tick the box with Space, then delete.
    await page.getByRole('checkbox').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Hapus akun saya' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Akun Anda telah dinonaktifkan');
    // The header asked the server again: signed out ("Masuk" instead of "Akun saya").
    await expect.poll(() => page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Masuk', exact: true }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'erasure-done-id-360.png'), fullPage: true });
    // Signed out: the account pages send the browser to sign-in.
    await page.goto(`${origin}/account`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/signin');

    // Time moves past the grace period: the sweep erases the member; signing in fails as for anyone unknown.
    const outcome = await t.services.erasure.sweep({ now: new Date(Date.now() + 15 * DAY) });
    expect(outcome.map((o) => o.outcome)).toEqual(['done']);
    expect(await t.database.db.selectFrom('members').select('id').where('id', '=', member.id).executeTakeFirst()).toBeUndefined();
    await signInWithForm(page, member.username);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('tidak cocok');
    await page.screenshot({ path: path.join(SHOTS, 'erasure-erased-signin-id-360.png'), fullPage: true });
    await page.context().close();
  }, 120_000);

  it('offers "restore my account" at sign-in during the grace period', async () => {
    const member = await signUpMember(t, 602);
    // Deletion asked for through the API (the page is covered above).
    const csrf = await csrfHeaders(t.app);
    const login = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { ...csrf, 'x-forwarded-for': '203.0.113.60' }, payload: { identifier: member.username, password: PASSWORD } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf2 = await csrfHeaders(t.app);
    const asked = await t.app.inject({ method: 'POST', url: '/api/me/deletion', headers: { ...csrf2, cookie: `${csrf2.cookie}; ${cookie}` }, payload: { password: PASSWORD } });
    expect(asked.statusCode, asked.body).toBe(202);

    const page = await newPage();
    await signInWithForm(page, member.username);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('dijadwalkan untuk dihapus');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'erasure-restore-offer-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pulihkan akun saya dan masuk' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account/sessions');
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('active');
    await page.context().close();
  }, 90_000);
});
