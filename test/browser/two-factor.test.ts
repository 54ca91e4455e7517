import crypto from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { loadTls } from '../../src/server/platform/http/tls.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';
import { startTestSmtpServer } from '../support/smtp.js';

/**
 * Two-step verification in Debian's Chromium against the real HTTPS server, at phone size in
 * Indonesian: sign up (SMS code + email link), sign in, turn on an authenticator app (the code is
 * computed here from the key shown on the page), keep the recovery codes, sign out, sign in with
 * password + app code, then see and end another session. Screenshots in test-results/screenshots.
 */
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe.runIf(hasChromium)('browser two-step verification (Chromium)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let tmpDir: string;
  let photoPath: string;

  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-2fa-'));
    photoPath = path.join(tmpDir, 'saya.jpg');
    await sharp({ create: { width: 480, height: 480, channels: 3, background: { r: 120, g: 160, b: 90 } } })
      .jpeg()
      .toFile(photoPath);
    smtp = await startTestSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, LOGIN_DELAY_MS: '0' } });
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await smtp?.close();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  async function newPage(width = 360, height = 740, locale = 'id-ID'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, ignoreHTTPSErrors: true, locale });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  /** The machine may be busy (argon2, other test runs): give the page time to get there. */
  const eventually = <T,>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000 });

  async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * A code for the current step, or for `after + 1` when the current step was already used (the
   * server accepts one step ahead, and each step once). Waits out the last 10 s of a step so the
   * code cannot fall out of the server's window while a busy machine delivers it.
   */
  async function totpCode(secret: string, after = -Infinity): Promise<{ code: string; step: number }> {
    const intoStep = Date.now() % 30_000;
    if (intoStep > 20_000) await new Promise((r) => setTimeout(r, 30_000 - intoStep + 50));
    const step = Math.max(Math.floor(Date.now() / 30_000), after + 1);
    const code = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), digits: 6, period: 30 }).generate({ timestamp: step * 30_000 + 1000 });
    return { code, step };
  }

  it('turns on an authenticator app, then signs in with password + code and ends another session', async () => {
    // ── Sign up through the form (as in signup.test.ts) ──
    const n = crypto.randomInt(1000, 9999);
    const eight = String(crypto.randomInt(10_000_000, 99_999_999));
    const a = { username: `rina_${n}`, email: `rina.${n}${AT}contoh.id`, phone: `0812${eight}`, e164: `+62812${eight}`, nik: `317405520395${n}` };
    const page = await newPage();
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Nama pengguna', { exact: true }).fill(a.username);
    await page.getByLabel('Nama panggilan', { exact: true }).fill('Rina');
    await page.getByLabel('Jenis kelamin', { exact: true }).selectOption('female');
    await page.getByLabel('Tanggal lahir', { exact: true }).fill('1995-03-12');
    await page.getByLabel('NIK', { exact: true }).fill(a.nik);
    await page.getByLabel('Email', { exact: true }).fill(a.email);
    await page.getByLabel('Nomor HP', { exact: true }).fill(a.phone);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Foto profil', { exact: true }).setInputFiles(photoPath);
    await page.getByLabel('Saya telah membaca dan menyetujui Kebijakan Privasi.').check();
    await page.getByRole('button', { name: 'Buat akun' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/signup/verify');
    const sms = await poll(async () => {
      const rows = await t.database.db.selectFrom('dev_sms_outbox').selectAll().execute();
      const mine = rows.find((row) => t.services.keyring.decrypt(row.to_number, 'dev_sms_outbox.to_number') === a.e164);
      return mine ? t.services.keyring.decrypt(mine.body, 'dev_sms_outbox.body') : undefined;
    });
    await page.getByLabel('Kode dari SMS').fill(/\b(\d{6})\b/.exec(sms)![1]!);
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await eventually(() => page.locator('h2').allTextContents()).toContainEqual('Nomor HP Anda sudah dikonfirmasi');
    const mail = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(a.email)));
    const link = /https?:\/\/\S+?(\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(mail.parsed.text ?? '')![1]!;
    await page.goto(`${origin}${link}`);
    await eventually(() => page.locator('h2').allTextContents()).toContainEqual('Alamat email Anda sudah dikonfirmasi');

    // ── Sign in, open the two-step page from the account hub ──
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(a.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/account/sessions');
    await page.goto(`${origin}/account`);
    await page.getByRole('link', { name: 'Verifikasi dua langkah' }).click();
    await eventually(() => page.locator('h1').textContent()).toBe('Verifikasi dua langkah');
    await eventually(() => page.locator('main').textContent()).toContain('Belum ada passkey.');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-off-id-360.png'), fullPage: true });

    // ── Turn on the authenticator app: QR code, the key in groups of 4, a wrong then a right code ──
    await page.getByRole('button', { name: 'Pasang aplikasi autentikator' }).click();
    const qr = page.getByRole('img', { name: 'Kode QR untuk menambahkan Kenalan ke aplikasi autentikator Anda' });
    await eventually(() => qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const codeInput = page.getByLabel('Kode 6 digit', { exact: true });
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-setup-id-360.png'), fullPage: true });
    const wrong = await totpCode(secret);
    await codeInput.fill(wrong.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Aktifkan' }).click();
    await eventually(() => page.locator('#totp-confirm-code-error').textContent()).toContain('tidak benar');
    expect(await codeInput.getAttribute('aria-invalid')).toBe('true');
    const first = await totpCode(secret);
    await codeInput.fill(first.code);
    await page.getByRole('button', { name: 'Aktifkan' }).click();

    // ── Recovery codes, shown once ──
    const codes = page.locator('.code-list li');
    await eventually(() => codes.count()).toBe(10);
    const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    expect(await page.getByRole('status').first().textContent()).toContain('Aplikasi autentikator sudah aktif');
    expect(await page.getByRole('link', { name: 'Unduh sebagai berkas' }).getAttribute('download')).toBe('kenalan-recovery-codes.txt');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-recovery-codes-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Saya sudah menyimpannya' }).click();
    await eventually(() => codes.count()).toBe(0);
    await eventually(() => page.locator('main').textContent()).toContain('Kode pemulihan yang belum dipakai: 10');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-on-id-360.png'), fullPage: true });
    await page.goto(`${origin}/account/two-factor?lang=en`);
    await eventually(() => page.locator('h1').textContent()).toBe('Two-step verification');
    await eventually(() => page.locator('main').textContent()).toContain('Unused recovery codes: 10');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-on-en-360.png'), fullPage: true });

    // ── Sign out ──
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Keluar', exact: true }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/');

    // ── Sign in again: the password is not enough any more ──
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(a.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await eventually(() => page.locator('h2').allTextContents()).toContainEqual('Pastikan ini Anda');
    expect(new URL(page.url()).pathname).toBe('/signin');
    const challengeCode = page.getByLabel('Kode 6 digit dari aplikasi autentikator Anda');
    expect(await challengeCode.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await challengeCode.getAttribute('inputmode')).toBe('numeric');
    // The method switcher: app or recovery code, as labelled radio buttons.
    expect(await page.getByRole('radio', { name: 'Aplikasi autentikator' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Kode pemulihan' }).count()).toBe(1);
    const me = await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).status);
    expect(me).toBe(401);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signin-challenge-id-360.png'), fullPage: true });

    // A wrong code: the server's message, attempts left; then the right one by keyboard.
    const guess = await totpCode(secret, first.step);
    await challengeCode.fill(guess.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('sisa 4 percobaan');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signin-challenge-error-id-360.png'), fullPage: true });
    const next = await totpCode(secret, first.step);
    await challengeCode.fill(next.code);
    await challengeCode.press('Enter');
    await eventually(() => new URL(page.url()).pathname).toBe('/account/sessions');

    // ── Another device signs in with password + a recovery code; this browser lists and ends it ──
    const csrf = await csrfHeaders(t.app);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...csrf, 'x-forwarded-for': '203.0.113.9', 'user-agent': IPHONE_SAFARI },
      payload: { identifier: a.email, password: PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(202);
    const challengeCookie = login.cookies.find((c) => c.name === '__Host-kenalan-challenge')!;
    const answered = await t.app.inject({
      method: 'POST',
      url: '/api/sessions/challenge',
      headers: { 'x-csrf-token': csrf['x-csrf-token']!, cookie: `${csrf.cookie}; __Host-kenalan-challenge=${challengeCookie.value}`, 'x-forwarded-for': '203.0.113.9', 'user-agent': IPHONE_SAFARI },
      payload: { challengeId: (login.json() as { challenge: { id: string } }).challenge.id, method: 'recovery_code', code: recoveryCodes[0] },
    });
    expect(answered.statusCode, answered.body).toBe(201);
    await page.reload();
    const items = page.locator('.session-list > li');
    await eventually(() => items.count()).toBe(2);
    const other = items.filter({ hasNot: page.locator('.badge') });
    expect(await other.textContent()).toMatch(/iPhone|Safari|iOS/);
    await other.getByRole('button', { name: /Keluar dari sesi ini/ }).click();
    await eventually(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('Sesi ini');
    await page.context().close();
  }, 180_000);
});

/**
 * Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain): add a passkey on
 * /account/two-factor, sign out, sign in with "Masuk dengan passkey" (no password), and confirm a
 * password sign-in with the passkey. PUBLIC_URL must be the origin the browser sees, so the port is
 * chosen before the app is built.
 */
describe.runIf(hasChromium)('browser passkeys (Chromium virtual authenticator)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    origin = `https://localhost:${port}`;
    t = await createTestApp({ workers: false, env: { PUBLIC_URL: origin, LOGIN_DELAY_MS: '0' } });
    server = await buildApp({ ...t.services, https: await loadTls({ dataDir: t.dataDir }), isReady: () => true });
    await server.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('adds a passkey, signs in with it without a password, and confirms a password sign-in with it', async () => {
    const n = crypto.randomInt(1000, 9999);
    const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    const data = new FormData();
    const fields = {
      username: `ayu_${n}`,
      nickname: 'Ayu',
      gender: 'female',
      email: `ayu.${n}${AT}contoh.id`,
      phone: `0813${String(crypto.randomInt(10_000_000, 99_999_999))}`,
      nik: `317405520390${n}`,
      dateOfBirth: '1990-03-12',
      password: PASSWORD,
      language: 'id',
      acceptPolicy: 'true',
    };
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
    const created = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '203.0.113.70' }, payload: data });
    expect(created.statusCode, created.body).toBe(201);
    const memberId = (created.json() as { id: string }).id;
    const now = new Date();
    await t.database.db.updateTable('members').set({ status: 'active', email_verified_at: now, phone_verified_at: now }).where('id', '=', memberId).execute();

    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const eventually = <T,>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000 });

    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(fields.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/account/sessions');

    await page.goto(`${origin}/account/two-factor`);
    await page.getByLabel('Nama untuk passkey baru').fill('Ponsel Ayu');
    await page.getByRole('button', { name: 'Tambahkan passkey' }).click();
    await eventually(() => page.getByRole('status').first().textContent()).toContain('Passkey ditambahkan');
    const list = page.getByRole('list', { name: 'Passkey saya' });
    await eventually(() => list.textContent()).toContain('Ponsel Ayu');
    expect(await page.getByRole('button', { name: 'Hapus passkey Ponsel Ayu' }).count()).toBe(1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'two-factor-passkey-id-360.png'), fullPage: true });

    // Sign out, then in with the passkey alone.
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Keluar', exact: true }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/');
    await page.goto(`${origin}/signin`);
    await page.getByRole('button', { name: 'Masuk dengan passkey' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/account/sessions');
    const logins = await t.database.db.selectFrom('audit_log').select('details').where('subject_id', '=', memberId).where('action', '=', 'accounts.logged_in').orderBy('seq').execute();
    expect(logins.at(-1)?.details).toMatchObject({ method: 'passkey' });

    // With a passkey, a password alone is not enough: the challenge offers the passkey.
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Keluar', exact: true }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/');
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(fields.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await eventually(() => page.locator('h2').allTextContents()).toContainEqual('Pastikan ini Anda');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signin-challenge-passkey-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Konfirmasi dengan passkey saya' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/account/sessions');
    await context.close();
  }, 180_000);
});
