import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';

/**
 * Sign-in and the sessions page in Debian's Chromium against the real HTTPS server, at phone
 * size in Indonesian: a wrong password, signing in, a second device appearing, signing that
 * device out, and signing out. Screenshots land in test-results/screenshots.
 */
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe.runIf(hasChromium)('browser sign-in and sessions (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  async function newPage(width = 360, height = 740, locale = 'id-ID'): Promise<Page> {
    // The browser grants location when asked (as a member tapping "allow" would); the page asks only on request.
    const context = await browser.newContext({
      viewport: { width, height },
      ignoreHTTPSErrors: true,
      locale,
      permissions: ['geolocation'],
      geolocation: { latitude: -6.208812, longitude: 106.845599, accuracy: 20 },
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') console.error('browser:', message.text());
    });
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }


  /** An active member, signed up through the API (verification is tested elsewhere). */
  async function activeMember() {
    const n = crypto.randomInt(1000, 9999);
    const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    const fields = {
      username: `sari_${n}`,
      nickname: 'Sari',
      gender: 'female',
      email: `sari.${n}${AT}contoh.id`,
      phone: `0813${String(crypto.randomInt(10_000_000, 99_999_999))}`,
      nik: `317405520390${n}`, // woman born 1990-03-12 (day + 40)
      dateOfBirth: '1990-03-12',
      password: PASSWORD,
      language: 'id',
      acceptPolicy: 'true',
    };
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
    const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '203.0.113.7' }, payload: data });
    expect(response.statusCode, response.body).toBe(201);
    const { id } = response.json() as { id: string };
    await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
    return { id, ...fields };
  }

  it('signs in at 360 px in Indonesian, manages sessions and signs out', async () => {
    const m = await activeMember();
    const page = await newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Masuk ke Kenalan');
    expect(new URL(page.url()).pathname).toBe('/signin');

    // The show/hide toggle is a labelled, keyboard-operable button.
    const password = page.getByLabel('Kata sandi', { exact: true });
    await password.fill('bukan kata sandinya');
    expect(await password.getAttribute('type')).toBe('password');
    const toggle = page.getByRole('button', { name: 'Tampilkan kata sandi' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await password.getAttribute('type')).toBe('text');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Space');
    expect(await password.getAttribute('type')).toBe('password');

    // Wrong password: the server's Indonesian message in the error summary.
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(m.username);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('tidak cocok');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signin-id-360.png'), fullPage: true });

    // Right password → the sessions page, with this browser as the current session.
    await password.fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account/sessions');
    await expect.poll(() => page.locator('main').textContent()).toContain(`Masuk sebagai @${m.username}`);
    const items = page.locator('.session-list > li');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('Sesi ini');

    // A second device signs in through the API.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '203.0.113.8', 'user-agent': IPHONE_SAFARI, 'accept-language': 'id' },
      payload: { identifier: m.email, password: PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(201);
    await page.reload();
    await expect.poll(() => items.count()).toBe(2);
    const other = items.filter({ hasNot: page.locator('.badge') });
    expect(await items.filter({ has: page.locator('.badge') }).textContent()).toContain('Sesi ini');
    // Device names are worded in the member's language.
    expect(await other.textContent()).toContain('Safari di iOS');

    // Location only on request: share it for this session, see it (to about 1 km), remove it.
    const current = items.filter({ has: page.locator('.badge') });
    expect(await current.textContent()).not.toContain('Lokasi yang Anda bagikan');
    await current.getByRole('button', { name: 'Bagikan lokasi perangkat ini' }).click();
    await expect.poll(() => current.textContent()).toContain('-6.21, 106.85 (sekitar 1 km)');
    await page.screenshot({ path: path.join(SHOTS, 'sessions-location-id-360.png'), fullPage: true });
    await current.getByRole('button', { name: 'Hapus lokasi' }).click();
    await expect.poll(() => current.textContent()).not.toContain('Lokasi yang Anda bagikan');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'sessions-id-360.png'), fullPage: true });

    // Sign the other device out.
    await other.getByRole('button', { name: /Keluar dari sesi ini/ }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect(await page.getByRole('status').textContent()).toContain('Sesi tersebut telah dikeluarkan');
    expect(await items.first().textContent()).toContain('Sesi ini');

    // The header knows who is signed in: "Akun saya" instead of "Daftar"/"Masuk", leading to the account hub.
    const nav = page.getByRole('navigation', { name: 'Navigasi utama' });
    await nav.getByRole('link', { name: `Akun saya (@${m.username})` }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Akun saya');
    expect(await nav.getByRole('link', { name: 'Masuk', exact: true }).count()).toBe(0);
    // The hub lists its pages once /api/me has answered; the heading is there before that.
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Kelola akun Anda' }).getByRole('link', { name: 'Perangkat dan sesi' }).count())
      .toBe(1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'account-id-360.png'), fullPage: true });
    await page.getByRole('link', { name: 'Perangkat dan sesi' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account/sessions');

    // Sign out: back home, the header offers "Masuk" again, and the session is gone.
    await page.getByRole('button', { name: 'Keluar', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => nav.getByRole('link', { name: 'Masuk', exact: true }).count()).toBe(1);
    const me = await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).status);
    expect(me).toBe(401);
    await page.goto(`${origin}/account/sessions`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/signin');
    await page.context().close();
  }, 90_000);
});
