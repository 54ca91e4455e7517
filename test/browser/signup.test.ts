import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { startTestSmtpServer } from '../support/smtp.js';

/**
 * Sign-up in Debian's Chromium against the real HTTPS server, at phone size in Indonesian:
 * client-side errors, the filled form with a photo, the SMS code from the dev outbox, the email
 * link from the SMTP test server, and the member ending up active. Screenshots land in
 * test-results/screenshots for a person to look at.
 */
const AT = '\u0040';

describe.runIf(hasChromium)('browser sign-up (Chromium)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let tmpDir: string;
  let photoPath: string;

  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-signup-'));
    photoPath = path.join(tmpDir, 'saya.jpg');
    await sharp({ create: { width: 480, height: 480, channels: 3, background: { r: 210, g: 130, b: 90 } } })
      .jpeg()
      .toFile(photoPath);
    smtp = await startTestSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
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

  async function newPage(width = 360, height = 740, locale = 'id-ID'): Promise<{ page: Page; consoleErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height }, ignoreHTTPSErrors: true, locale });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (err) => {
      throw err;
    });
    return { page, consoleErrors };
  }


  async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The latest SMS sent to `e164`, read from the dev outbox (decrypted). */
  async function smsTo(e164: string): Promise<string> {
    const { keyring } = t.services;
    return poll(async () => {
      const rows = await t.database.db.selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
      const mine = rows.filter((row) => keyring.decrypt(row.to_number, 'dev_sms_outbox.to_number') === e164);
      const last = mine[mine.length - 1];
      return last ? keyring.decrypt(last.body, 'dev_sms_outbox.body') : undefined;
    });
  }

  /** A unique man born 1995-03-12 in Jakarta Timur (NIK 31 74 05 120395 ssss). */
  function applicant() {
    const n = crypto.randomInt(1000, 9999);
    const eight = String(crypto.randomInt(10_000_000, 99_999_999));
    return {
      username: `budi_${n}`,
      nickname: 'Budi',
      gender: 'male',
      dateOfBirth: '1995-03-12',
      nik: `317405120395${n}`,
      email: `budi.${n}${AT}contoh.id`,
      phone: `0812${eight}`,
      e164: `+62812${eight}`,
      password: 'Senja merah di Pelabuhan Ratu 77',
    };
  }

  async function fill(page: Page, a: ReturnType<typeof applicant>) {
    await page.getByLabel('Nama pengguna', { exact: true }).fill(a.username);
    await page.getByLabel('Nama panggilan', { exact: true }).fill(a.nickname);
    await page.getByLabel('Jenis kelamin', { exact: true }).selectOption(a.gender);
    await page.getByLabel('Tanggal lahir', { exact: true }).fill(a.dateOfBirth);
    await page.getByLabel('NIK', { exact: true }).fill(a.nik);
    await page.getByLabel('Email', { exact: true }).fill(a.email);
    await page.getByLabel('Nomor HP', { exact: true }).fill(a.phone);
    await page.getByLabel('Kata sandi', { exact: true }).fill(a.password);
    await page.getByLabel('Foto profil', { exact: true }).setInputFiles(photoPath);
    await page.getByLabel('Saya telah membaca dan menyetujui Kebijakan Privasi.').check();
  }

  it('signs up in Indonesian at 360 px, confirms the SMS code and the email link, and activates the member', async () => {
    const { page, consoleErrors } = await newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Daftar sekarang' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Buat akun Kenalan Anda');
    expect(new URL(page.url()).pathname).toBe('/signup');

    // The policy box starts unticked and links to the full Privacy Policy page.
    const accept = page.getByLabel('Saya telah membaca dan menyetujui Kebijakan Privasi.');
    expect(await accept.isChecked()).toBe(false);
    expect(await page.locator('.checkbox-field a').getAttribute('href')).toBe('/privacy?lang=id');
    expect(await page.getByLabel('Foto profil', { exact: true }).getAttribute('accept')).toBe('image/jpeg,image/png,image/webp');

    // Empty: every field is explained, next to itself and in the summary; nothing is sent.
    await page.getByRole('button', { name: 'Buat akun' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Mohon periksa formulir');
    const summary = (await alert.textContent()) ?? '';
    for (const text of ['Pilih nama pengguna', 'Masukkan NIK Anda', 'Tambahkan satu foto profil', 'setujui Kebijakan Privasi']) {
      expect(summary).toContain(text);
    }
    const username = page.getByLabel('Nama pengguna', { exact: true });
    expect(await username.getAttribute('aria-invalid')).toBe('true');
    expect(await username.getAttribute('aria-describedby')).toContain('signup-username-error');
    expect(await page.locator('#signup-nik-error').textContent()).toContain('NIK');
    expect(await t.database.db.selectFrom('members').select('id').execute()).toEqual([]);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signup-errors-id-360.png'), fullPage: true });

    // A NIK that does not match the date of birth is caught before sending.
    const a = applicant();
    await fill(page, a);
    await page.getByLabel('Tanggal lahir', { exact: true }).fill('1995-03-13');
    await page.getByRole('button', { name: 'Buat akun' }).click();
    await expect.poll(() => page.locator('#signup-nik-error').textContent()).toContain('tanggal lahir');
    await page.getByLabel('Tanggal lahir', { exact: true }).fill(a.dateOfBirth);
    await expect.poll(() => page.locator('#signup-nik-error').count()).toBe(0);

    // The photo preview is a data: URL (the CSP allows no blob: images).
    await expect.poll(() => page.locator('.photo-preview').getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signup-id-360.png'), fullPage: true });

    await page.getByRole('button', { name: 'Buat akun' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain('Konfirmasi nomor HP dan email Anda');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/signup/verify');
    const memberId = url.searchParams.get('member');
    expect(memberId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.locator('main').textContent()).toContain('kode 6 digit lewat SMS');

    // A wrong code is refused with the server's localized message.
    const codeInput = page.getByLabel('Kode dari SMS');
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
    const sms = await smsTo(a.e164);
    const code = /\b(\d{6})\b/.exec(sms)![1]!;
    await codeInput.fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Kode itu tidak benar');

    // Asking again at once: the wait is explained.
    await page.getByRole('button', { name: 'Kirim kode baru' }).click();
    await expect.poll(() => page.locator('.resend-note').textContent()).toMatch(/\d+ detik/);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'verify-code-id-360.png'), fullPage: true });

    await codeInput.fill(code);
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await expect.poll(() => page.locator('h2').allTextContents()).toContainEqual('Nomor HP Anda sudah dikonfirmasi');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'verify-id-360.png'), fullPage: true });

    // The email link, opened on our origin.
    const mail = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(a.email)));
    const link = /https?:\/\/\S+?(\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(mail.parsed.text ?? '');
    expect(link, 'verification link in the email').not.toBeNull();
    await page.goto(`${origin}${link![1]!}`);
    await expect.poll(() => page.locator('h2').allTextContents()).toContainEqual('Alamat email Anda sudah dikonfirmasi');
    await page.screenshot({ path: path.join(SHOTS, 'verify-email-id-360.png'), fullPage: true });

    const member = await t.database.db.selectFrom('members').select('status').where('id', '=', memberId!).executeTakeFirstOrThrow();
    expect(member.status).toBe('active');

    // The same link a second time: expired or already used.
    await page.goto(`${origin}${link![1]!}`);
    await expect.poll(() => page.locator('h2').allTextContents()).toContainEqual('Tautan ini sudah kedaluwarsa atau sudah dipakai');
    expect(consoleErrors.filter((v) => /Content Security Policy/i.test(v)), 'CSP violations').toEqual([]);
    await page.context().close();

    // Signing up again with the same email, phone and NIK: refused, with the server's explanation.
    const again = await newPage();
    await again.page.goto(`${origin}/signup`);
    await fill(again.page, { ...a, username: `${a.username}_b` });
    await again.page.getByRole('button', { name: 'Buat akun' }).click();
    await expect.poll(() => again.page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('Kami tidak dapat membuat akun dengan data ini');
    expect(new URL(again.page.url()).pathname).toBe('/signup');
    await again.page.context().close();
  }, 120_000);
});
