import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';
import { startTestSmtpServer } from '../support/smtp.js';

/**
 * Account recovery in Debian's Chromium against the real HTTPS server, at phone size in
 * Indonesian: "forgot password" by an email link delivered to a real SMTP server, then signing in
 * with the new password; and "my account is compromised" → locked → reset by SMS code → signed in.
 * Screenshots land in test-results/screenshots.
 */
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const NEW_PASSWORD = 'Kopi tubruk dan hujan bulan Juni 58';
const THIRD_PASSWORD = 'Layang-layang putus di Parangtritis 46';
/** Server round trips (argon2, jobs) can take seconds on a loaded machine: poll longer than the 1 s default. */
const poll = <T,>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000 });

describe.runIf(hasChromium)('browser account recovery (Chromium)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example' } });
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(width = 360, height = 740, locale = 'id-ID'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, ignoreHTTPSErrors: true, locale });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) console.error('browser:', message.text());
    });
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** An active member with verified email and phone, signed up through the API (verification is tested elsewhere). */
  async function activeMember() {
    const n = crypto.randomInt(1000, 9999);
    const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    const fields = {
      username: `rina_${n}`,
      nickname: 'Rina',
      gender: 'female',
      email: `rina.${n}${AT}contoh.id`,
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
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': `203.0.113.${crypto.randomInt(1, 250)}` },
      payload: data,
    });
    expect(response.statusCode, response.body).toBe(201);
    const { id } = response.json() as { id: string };
    const now = new Date();
    await t.database.db.updateTable('members').set({ status: 'active', email_verified_at: now, phone_verified_at: now }).where('id', '=', id).execute();
    return { id, ...fields, e164: `+62${fields.phone.slice(1)}` };
  }

  async function mailTo(address: string, subject: RegExp) {
    await expect.poll(() => smtp.messages.some((m) => m.envelopeTo.includes(address) && subject.test(m.parsed.subject ?? '')), { timeout: 20_000 }).toBe(true);
    return smtp.messages.find((m) => m.envelopeTo.includes(address) && subject.test(m.parsed.subject ?? ''))!;
  }
  /** The path and query of the first Kenalan link in a mail, to open on the test server. */
  const linkIn = (text: string, pathname: string) => new RegExp(`https://kenalan\\.example(${pathname}\\?token=[A-Za-z0-9_-]+)`).exec(text)![1]!;

  async function smsTo(e164: string, text: RegExp): Promise<string> {
    const { keyring } = t.services;
    let found: string | undefined;
    await expect
      .poll(
        async () => {
          const rows = await t.database.db.selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
          found = rows
            .filter((r) => keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === e164)
            .map((r) => keyring.decrypt(r.body, 'dev_sms_outbox.body'))
            .find((body) => text.test(body));
          return found !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    return found!;
  }

  async function signIn(page: Page, identifier: string, password: string) {
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(identifier);
    await page.getByLabel('Kata sandi', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
  }

  /** Waits until sign-in left the page; on a refusal, fails with the message the page shows. */
  async function signedIn(page: Page) {
    await expect
      .poll(async () => (new URL(page.url()).pathname !== '/signin' ? 'signed in' : ((await page.locator('main .error-summary').allTextContents()).join(' ') || 'waiting')), {
        timeout: 20_000,
      })
      .toBe('signed in');
  }

  it('forgot password: the emailed link sets a new password (with the sign-up rules), then signing in works', async () => {
    const m = await activeMember();
    const page = await newPage();
    await page.goto(`${origin}/signin`);
    await page.getByRole('link', { name: 'Lupa kata sandi?' }).click();
    await poll(() => new URL(page.url()).pathname).toBe('/forgot-password');
    await poll(() => page.locator('main h1').textContent()).toBe('Lupa kata sandi?');

    // Keyboard: an empty submit explains what is missing, next to the field.
    await page.getByRole('button', { name: 'Kirim', exact: true }).press('Enter');
    await poll(() => page.getByRole('alert').textContent()).toContain('Isi nama pengguna');
    await page.getByLabel('Nama pengguna, email, atau nomor ponsel').fill(m.email);
    expect(await page.getByLabel('Email terverifikasi saya (tautan, berlaku 1 jam)').isChecked()).toBe(true);
    await shot(page, 'forgot-password-id-360');
    await page.getByRole('button', { name: 'Kirim', exact: true }).click();
    await poll(() => page.locator('main h2').first().textContent()).toBe('Periksa email Anda');
    await shot(page, 'forgot-password-sent-id-360');

    const mail = await mailTo(m.email, /Atur ulang kata sandi/);
    await page.goto(`${origin}${linkIn(mail.parsed.text ?? '', '/reset-password')}`);
    await poll(() => page.locator('main h1').textContent()).toBe('Atur ulang kata sandi');

    // A password with the username in it: the reason is shown in Indonesian next to the field.
    const field = page.getByLabel('Kata sandi baru');
    await field.fill(`${m.username}-rahasia`);
    await page.getByRole('button', { name: 'Simpan kata sandi baru' }).click();
    await poll(() => page.locator('.field-error').first().textContent()).toMatch(/nama pengguna/i);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'reset-password-weak-id-360');

    await field.fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Simpan kata sandi baru' }).click();
    await poll(() => page.locator('main h2').first().textContent()).toBe('Kata sandi Anda sudah diganti');
    await shot(page, 'reset-password-done-id-360');
    await page.getByRole('link', { name: 'Masuk', exact: true }).last().click();
    await poll(() => new URL(page.url()).pathname).toBe('/signin');

    await signIn(page, m.username, NEW_PASSWORD);
    await signedIn(page);
    expect(await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).status)).toBe(200);
    await mailTo(m.email, /Kata sandi Kenalan Anda telah diganti/);
    await page.context().close();

    // The same pages in English.
    const english = await newPage(360, 740, 'en-US');
    await english.goto(`${origin}/forgot-password?lang=en`);
    await poll(() => english.locator('main h1').textContent()).toBe('Forgot your password?');
    expect(await english.getByLabel('My verified mobile number (a 6-digit code, valid for 10 minutes)').count()).toBe(1);
    await shot(english, 'forgot-password-en-360');
    await english.goto(`${origin}/reset-password?resetId=${crypto.randomUUID()}&lang=en`);
    await poll(() => english.locator('main h1').textContent()).toBe('Reset your password');
    await english.getByLabel('Code from the SMS').fill('123456');
    await english.getByLabel('New password').fill(NEW_PASSWORD);
    await english.getByRole('button', { name: 'Save the new password' }).click();
    await poll(() => english.getByRole('alert').textContent()).toContain('That code is not correct');
    await shot(english, 'reset-password-code-invalid-en-360');
    await english.context().close();
  }, 150_000);

  it('account security: change email by link; "my account is compromised" locks it; a reset by SMS code unlocks it', async () => {
    const m = await activeMember();
    const page = await newPage();
    await signIn(page, m.username, PASSWORD);
    await signedIn(page);
    // Reached from the account hub.
    await page.goto(`${origin}/account`);
    await page.getByRole('navigation', { name: 'Kelola akun Anda' }).getByRole('link', { name: 'Keamanan akun' }).click();
    await poll(() => new URL(page.url()).pathname).toBe('/account/security');
    await poll(() => page.locator('main h1').textContent()).toBe('Keamanan akun');
    await poll(() => page.locator('.tagline').textContent()).toContain(m.username);
    await shot(page, 'account-security-id-360');

    // Change email: wrong current password → the message is next to that field.
    const newEmail = `rina.baru.${m.id.slice(0, 6)}${AT}contoh.id`;
    await page.locator('#security-new-email').fill(newEmail);
    await page.locator('#security-email-password').fill('bukan kata sandi saya');
    await page.getByRole('button', { name: 'Kirim tautan konfirmasi' }).click();
    await poll(() => page.locator('#security-email-password-error').textContent()).toContain('Kata sandi saat ini tidak benar');
    await page.locator('#security-email-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Kirim tautan konfirmasi' }).click();
    await poll(() => page.locator('#security-email-status').textContent()).toContain('tautan konfirmasi ke alamat baru');

    const link = await mailTo(newEmail, /Konfirmasi alamat email baru/);
    await page.goto(`${origin}${linkIn(link.parsed.text ?? '', '/confirm-email-change')}`);
    await poll(() => page.locator('main h2').first().textContent()).toBe('Email Anda sudah diganti');
    await shot(page, 'confirm-email-change-id-360');
    await mailTo(m.email, /Email akun Kenalan Anda telah diganti/);

    // "My account is compromised", with a confirmation step, by keyboard.
    await page.goto(`${origin}/account/security`);
    await page.getByRole('button', { name: 'Akun saya disusupi' }).focus();
    await page.keyboard.press('Enter');
    const yes = page.getByRole('button', { name: 'Ya, kunci akun saya' });
    await poll(() => yes.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(page, 'account-security-confirm-id-360');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('main h2').first().textContent()).toBe('Akun Anda dikunci');
    expect(await page.locator('main').textContent()).toMatch(/KNL-\d{4}-/);
    await shot(page, 'account-locked-id-360');
    expect(await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).status)).toBe(401);
    await smsTo(m.e164, /dikunci/);

    // Signing in is refused, with the way out: reset the password.
    await signIn(page, newEmail, PASSWORD);
    await poll(() => page.getByRole('alert').textContent()).toContain('dikunci');
    await shot(page, 'signin-locked-id-360');
    await page.getByRole('link', { name: 'Atur ulang kata sandi untuk membuka akun' }).click();
    await poll(() => new URL(page.url()).pathname).toBe('/forgot-password');

    // Reset by SMS code this time.
    await page.getByLabel('Nama pengguna, email, atau nomor ponsel').fill(m.phone);
    await page.getByLabel(/Nomor ponsel terverifikasi saya/).check();
    await page.getByRole('button', { name: 'Kirim', exact: true }).click();
    await poll(() => new URL(page.url()).pathname).toBe('/reset-password');
    const sms = await smsTo(m.e164, /Kode atur ulang kata sandi/);
    await page.getByLabel('Kode dari SMS').fill(/\b(\d{6})\b/.exec(sms)![1]!);
    await page.getByLabel('Kata sandi baru').fill(THIRD_PASSWORD);
    await shot(page, 'reset-password-code-id-360');
    await page.getByRole('button', { name: 'Simpan kata sandi baru' }).click();
    await poll(() => page.locator('main h2').first().textContent()).toBe('Kata sandi Anda sudah diganti');

    await signIn(page, newEmail, THIRD_PASSWORD);
    await signedIn(page);
    expect(await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).status)).toBe(200);
    await page.context().close();
  }, 180_000);

  it('support form: "my account is compromised" asks for the account and emails a link that locks it', async () => {
    const m = await activeMember();
    const page = await newPage();
    await page.goto(`${origin}/support`);
    await page.getByLabel('Topik').selectOption('account_compromised');
    await poll(() => page.getByLabel('Topik').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByLabel('Nama', { exact: true }).count()).toBe(0);
    await page.getByLabel('Akun Anda: nama pengguna, email, atau nomor ponsel').fill(m.username);
    await shot(page, 'support-compromised-id-360');
    await page.getByRole('button', { name: 'Kirim tautan konfirmasi' }).click();
    await poll(() => page.locator('main h2').first().textContent()).toBe('Periksa email akun Anda');
    const row = await t.database.db.selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');

    const mail = await mailTo(m.email, /kunci akun Kenalan Anda\?/);
    await page.goto(`${origin}${linkIn(mail.parsed.text ?? '', '/account/compromised/confirm')}`);
    await poll(() => page.locator('main h2').first().textContent()).toBe('Akun Anda dikunci');
    await shot(page, 'compromised-confirm-id-360');
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('locked');
    await page.context().close();
  }, 120_000);
});
