import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';
import { startTestSmtpServer } from '../support/smtp.js';

/**
 * P5.1 in Debian's Chromium over HTTPS, at phone size: a 13-year-old signs up in Indonesian in one
 * browser context (the guardian fields appear when the date of birth makes them a minor), confirms
 * the SMS code and the email link, sees "waiting for your parent or guardian" (also after a
 * reload); the guardian opens the link from their own email in a SECOND context, reads, switches
 * the page to English, and consents; the minor's page then says the account is active and they sign in.
 */
const AT = '\u0040';

describe.runIf(hasChromium)('browser guardian consent (Chromium)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let tmpDir: string;
  let photoPath: string;

  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-guardian-'));
    photoPath = path.join(tmpDir, 'saya.jpg');
    await sharp({ create: { width: 480, height: 480, channels: 3, background: { r: 90, g: 150, b: 210 } } })
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

  async function newPage(locale: string): Promise<{ page: Page; cspErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale });
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    page.on('pageerror', (err) => {
      throw err;
    });
    return { page, cspErrors };
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

  async function smsTo(e164: string): Promise<string> {
    const { keyring } = t.services;
    return poll(async () => {
      const rows = await t.database.db.selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
      const mine = rows.filter((row) => keyring.decrypt(row.to_number, 'dev_sms_outbox.to_number') === e164);
      const last = mine[mine.length - 1];
      return last ? keyring.decrypt(last.body, 'dev_sms_outbox.body') : undefined;
    });
  }

  it('a minor signs up, the guardian consents from their email in another browser, and the minor signs in', async () => {
    const n = crypto.randomInt(1000, 9999);
    const eight = String(crypto.randomInt(10_000_000, 89_999_999));
    const minor = {
      username: `rara_${n}`,
      nickname: 'Rara',
      dateOfBirth: '2013-02-20',
      nik: `317405600213${n}`, // a girl born 2013-02-20 (day + 40)
      email: `rara.${n}${AT}contoh.id`,
      phone: `0812${eight}`,
      e164: `+62812${eight}`,
      guardianEmail: `bunda.rara.${n}${AT}contoh.id`,
      guardianPhone: `0813${eight}`,
      password: 'Senja merah di Pelabuhan Ratu 77',
    };

    // --- The minor, in Indonesian.
    const kid = await newPage('id-ID');
    const page = kid.page;
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Nama pengguna', { exact: true }).fill(minor.username);
    await page.getByLabel('Nama panggilan', { exact: true }).fill(minor.nickname);
    await page.getByLabel('Jenis kelamin', { exact: true }).selectOption('female');
    expect(await page.locator('fieldset.guardian-fields').count()).toBe(0);
    await page.getByLabel('Tanggal lahir', { exact: true }).fill('1995-02-20');
    expect(await page.locator('fieldset.guardian-fields').count()).toBe(0);
    // The guardian fields appear as soon as the date of birth makes her under 18.
    await page.getByLabel('Tanggal lahir', { exact: true }).fill(minor.dateOfBirth);
    const fieldset = page.locator('fieldset.guardian-fields');
    await expect.poll(() => fieldset.count()).toBe(1);
    expect(await fieldset.locator('legend').textContent()).toBe('Orang tua atau wali Anda');
    expect(await fieldset.textContent()).toContain('di bawah 18 tahun');
    await page.getByLabel('NIK', { exact: true }).fill(minor.nik);
    await page.getByLabel('Email', { exact: true }).fill(minor.email);
    await page.getByLabel('Nomor HP', { exact: true }).fill(minor.phone);
    // Her own email as the guardian's: refused before sending.
    await page.getByLabel('Email orang tua atau wali', { exact: true }).fill(minor.email.toUpperCase());
    await page.getByLabel('Nomor HP orang tua atau wali', { exact: true }).fill(minor.guardianPhone);
    await page.getByLabel('Kata sandi', { exact: true }).fill(minor.password);
    await page.getByLabel('Foto profil', { exact: true }).setInputFiles(photoPath);
    await page.getByLabel('Saya telah membaca dan menyetujui Kebijakan Privasi.').check();
    await page.getByRole('button', { name: 'Buat akun' }).click();
    await expect.poll(() => page.locator('#signup-guardianEmail-error').textContent()).toContain('bukan email Anda');
    expect(await page.getByLabel('Email orang tua atau wali', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Email orang tua atau wali', { exact: true }).fill(minor.guardianEmail);
    await expect.poll(() => page.locator('#signup-guardianEmail-error').count()).toBe(0);
    await expect.poll(() => page.locator('.photo-preview').getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'signup-minor-id-360.png'), fullPage: true });
    await fieldset.screenshot({ path: path.join(SHOTS, 'signup-guardian-fields-id-360.png') });

    await page.getByRole('button', { name: 'Buat akun' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain('Konfirmasi nomor HP dan email Anda');
    const memberId = new URL(page.url()).searchParams.get('member')!;
    expect(memberId).toMatch(/^[0-9a-f-]{36}$/);
    const waiting = page.locator('#verify-guardian');
    await expect.poll(() => waiting.textContent()).toContain('Menunggu orang tua atau wali Anda');
    const waitingText = (await waiting.textContent()) ?? '';
    const masked = `b${'*'.repeat(`bunda.rara.${n}`.length - 1)}${AT}contoh.id`;
    expect(waitingText).toContain(masked);
    expect(waitingText).not.toContain(minor.guardianEmail);

    // Phone by SMS code, email by the link from the real SMTP server.
    const code = /\b(\d{6})\b/.exec(await smsTo(minor.e164))![1]!;
    await page.getByLabel('Kode dari SMS').fill(code);
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await expect.poll(() => page.locator('h2').allTextContents()).toContainEqual('Nomor HP Anda sudah dikonfirmasi');
    const ownMail = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(minor.email)));
    const verifyLink = /https?:\/\/\S+?(\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(ownMail.parsed.text ?? '')![1]!;
    // The email link opens in another tab, as from a mail app.
    const mailTab = await page.context().newPage();
    await mailTab.goto(`${origin}${verifyLink}`);
    await expect.poll(() => mailTab.locator('h2').allTextContents()).toContainEqual('Alamat email Anda sudah dikonfirmasi');
    await mailTab.close();

    // The verify tab, reloaded: the steps come from the server, the masked address from the history entry.
    await page.reload();
    await expect.poll(() => page.locator('.signup-steps').textContent()).toContain('Persetujuan orang tua atau walimenunggu');
    expect(await page.locator('.signup-steps').textContent()).toContain('Nomor HP dikonfirmasiselesai');
    expect(await page.locator('.signup-steps').textContent()).toContain('Alamat email dikonfirmasiselesai');
    expect(await waiting.textContent()).toContain(masked);
    expect(await page.getByLabel('Kode dari SMS').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('Akun Anda aktif setelah keduanya dikonfirmasi');
    // Asking for the invitation again right away: the wait is explained.
    await page.getByRole('button', { name: 'Kirim ulang undangan' }).click();
    await expect.poll(() => page.locator('#verify-guardian .resend-note').textContent()).toMatch(/\d+ detik/);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'verify-waiting-guardian-id-360.png'), fullPage: true });
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', memberId).executeTakeFirstOrThrow()).status).toBe('pending_guardian');

    // --- The guardian, in a second browser (English browser; the invitation was in the minor's language).
    const invitation = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(minor.guardianEmail)));
    expect(invitation.parsed.subject).toBe('Rara memerlukan persetujuan Anda untuk menggunakan Kenalan');
    const inviteLink = /https?:\/\/\S+?(\/guardian\/[A-Za-z0-9_-]+)/.exec(invitation.parsed.text ?? '')![1]!;
    const guardian = await newPage('en-GB');
    const gp = guardian.page;
    await gp.goto(`${origin}${inviteLink}`);
    await expect.poll(() => gp.locator('h1').textContent()).toBe('Persetujuan untuk akun Kenalan');
    const main = gp.locator('main');
    await expect.poll(() => main.textContent()).toContain(`Rara (nama pengguna ${minor.username})`);
    const mainText = (await main.textContent()) ?? '';
    for (const secret of [minor.nik, minor.dateOfBirth, minor.email, minor.phone]) expect(mainText).not.toContain(secret);
    const policyLink = gp.getByRole('link', { name: 'Baca Kebijakan Privasi (terbuka di tab baru)' });
    expect(await policyLink.getAttribute('href')).toBe('/privacy?lang=id');
    expect(await policyLink.getAttribute('target')).toBe('_blank');
    const version = (await t.services.policy.current())!.version;
    expect(mainText).toContain(`versi ${version}`);
    const agree = gp.getByLabel(/Saya adalah orang tua atau wali sah dari orang ini/);
    expect(await agree.isChecked()).toBe(false);
    await noHorizontalScroll(gp);
    await gp.screenshot({ path: path.join(SHOTS, 'guardian-consent-id-360.png'), fullPage: true });

    // The page's language switch: English, with the policy link following.
    await gp.getByLabel('Bahasa', { exact: true }).selectOption('en');
    await expect.poll(() => gp.locator('h1').textContent()).toBe('Consent for a Kenalan account');
    expect(await gp.getByRole('link', { name: 'Read the Privacy Policy (opens in a new tab)' }).getAttribute('href')).toBe('/privacy?lang=en');

    // Unticked: nothing is sent, the box explains itself.
    await gp.getByRole('button', { name: 'Give consent' }).click();
    await expect.poll(() => gp.locator('#guardian-agree-error').textContent()).toContain('Tick the box');
    expect((await t.database.db.selectFrom('guardians').select('status').where('member_id', '=', memberId).executeTakeFirstOrThrow()).status).toBe('pending');
    await noHorizontalScroll(gp);
    await gp.screenshot({ path: path.join(SHOTS, 'guardian-consent-en-360.png'), fullPage: true });

    await gp.getByLabel(/I am this person's parent or legal guardian/).check();
    await gp.getByRole('button', { name: 'Give consent' }).click();
    await expect.poll(() => gp.locator('h2').allTextContents(), { timeout: 20_000 }).toContainEqual('Thank you, your consent is recorded');
    await gp.screenshot({ path: path.join(SHOTS, 'guardian-consented-en-360.png'), fullPage: true });
    const ledger = await t.database.db.selectFrom('consent_ledger').selectAll().where('subject_type', '=', 'guardian').orderBy('at').execute();
    expect(ledger.map((l) => [l.event, l.language])).toEqual([
      ['policy_accepted', 'en'],
      ['consent_granted', 'en'],
    ]);

    // The same link again: already used, explained in the page's language.
    await gp.reload();
    await expect.poll(() => gp.getByRole('alert').textContent()).toContain('A decision was already recorded with this link');
    expect(guardian.cspErrors, 'CSP violations (guardian)').toEqual([]);
    await gp.context().close();

    // --- The minor: the page (after a reload) says the account is active, and she signs in.
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', memberId).executeTakeFirstOrThrow()).status).toBe('active');
    await page.reload();
    await expect.poll(() => page.locator('h2').allTextContents()).toContainEqual('Akun Anda sudah aktif');
    await page.screenshot({ path: path.join(SHOTS, 'verify-active-id-360.png'), fullPage: true });
    await page.getByRole('main').getByRole('link', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(minor.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(minor.password);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 20_000 }).not.toBe('/signin');
    const sessions = await t.database.db.selectFrom('sessions').select(['revoked_at']).where('member_id', '=', memberId).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.revoked_at).toBeNull();
    expect(kid.cspErrors, 'CSP violations (minor)').toEqual([]);
    await page.context().close();

    // --- Later, the guardian withdraws with the link from the confirmation email (sent in English, the page's language).
    const confirmation = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(minor.guardianEmail) && (m.parsed.text ?? '').includes('/guardian/withdraw/')));
    expect(confirmation.parsed.subject).toBe("You gave consent for Rara's Kenalan account");
    const withdrawLink = /https?:\/\/\S+?(\/guardian\/withdraw\/[A-Za-z0-9_-]+)/.exec(confirmation.parsed.text ?? '')![1]!;
    const later = await newPage('en-GB');
    const wp = later.page;
    await wp.goto(`${origin}${withdrawLink}`);
    await expect.poll(() => wp.locator('h1').textContent()).toBe('Withdraw consent');
    // The heading renders before the withdrawal details arrive from the API: wait for them.
    await expect.poll(() => wp.locator('main').textContent()).toContain(`Rara's Kenalan account (username ${minor.username})`);
    await noHorizontalScroll(wp);
    await wp.screenshot({ path: path.join(SHOTS, 'guardian-withdraw-en-360.png'), fullPage: true });
    await wp.getByRole('button', { name: 'Withdraw consent and suspend the account' }).click();
    await expect.poll(() => wp.locator('h2').allTextContents(), { timeout: 20_000 }).toContainEqual('Your consent is withdrawn');
    await wp.screenshot({ path: path.join(SHOTS, 'guardian-withdrawn-en-360.png'), fullPage: true });
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', memberId).executeTakeFirstOrThrow()).status).toBe('suspended');
    const ended = await t.database.db.selectFrom('sessions').select(['revoked_at']).where('member_id', '=', memberId).execute();
    expect(ended.every((row) => row.revoked_at !== null)).toBe(true);
    expect(later.cspErrors, 'CSP violations (withdrawal)').toEqual([]);
    await wp.context().close();
  }, 180_000);

  it('the guardian refuses after a confirmation step: the sign-up and its photo are deleted', async () => {
    const n = crypto.randomInt(1000, 9999);
    const eight = String(crypto.randomInt(10_000_000, 89_999_999));
    const guardianEmail = `ayah.dodi.${n}${AT}contoh.id`;
    const fields = {
      username: `dodi_${n}`,
      nickname: 'Dodi',
      gender: 'male',
      email: `dodi.${n}${AT}contoh.id`,
      phone: `0812${eight}`,
      nik: `317405100512${n}`, // a boy born 2012-05-10
      dateOfBirth: '2012-05-10',
      password: 'Senja merah di Pelabuhan Ratu 77',
      language: 'id',
      acceptPolicy: 'true',
      guardianEmail,
      guardianPhone: `0813${eight}`,
    };
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('photo', new Blob([new Uint8Array(fs.readFileSync(photoPath))], { type: 'image/jpeg' }), 'me.jpg');
    const created = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: await csrfHeaders(t.app), payload: form });
    expect(created.statusCode, created.body).toBe(201);
    const memberId = created.json().id as string;
    const mediaDir = path.join(t.dataDir, 'media', 'members', memberId);
    expect(fs.existsSync(mediaDir)).toBe(true);

    const invitation = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(guardianEmail)));
    const inviteLink = /https?:\/\/\S+?(\/guardian\/[A-Za-z0-9_-]+)/.exec(invitation.parsed.text ?? '')![1]!;
    const { page, cspErrors } = await newPage('id-ID');
    await page.goto(`${origin}${inviteLink}`);
    await expect.poll(() => page.locator('main').textContent()).toContain(`Dodi (nama pengguna ${fields.username})`);

    // The first click only asks; "Kembali" keeps everything.
    await page.getByRole('button', { name: 'Tolak', exact: true }).click();
    const confirmTitle = page.getByRole('heading', { name: 'Tolak dan hapus pendaftaran ini?' });
    await expect.poll(() => confirmTitle.count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('guardian-refuse-title');
    expect(await page.getByRole('group', { name: 'Tolak dan hapus pendaftaran ini?' }).textContent()).toContain('Pendaftaran dan foto profil Dodi akan dihapus');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'guardian-refuse-confirm-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Kembali' }).click();
    await expect.poll(() => confirmTitle.count()).toBe(0);
    expect(await t.database.db.selectFrom('members').select('id').where('id', '=', memberId).execute()).toHaveLength(1);

    await page.getByRole('button', { name: 'Tolak', exact: true }).click();
    await page.getByRole('button', { name: 'Ya, tolak dan hapus' }).click();
    await expect.poll(() => page.locator('h2').allTextContents(), { timeout: 20_000 }).toContainEqual('Pendaftaran ditolak dan dihapus');
    expect(await t.database.db.selectFrom('members').select('id').where('id', '=', memberId).execute()).toEqual([]);
    expect(fs.existsSync(mediaDir)).toBe(false);
    const notice = await poll(async () => smtp.messages.find((m) => m.envelopeTo.includes(fields.email) && m.parsed.subject === 'Pendaftaran Kenalan Anda tidak disetujui'));
    expect(notice.parsed.text).toContain('menghapus akun dan foto profil Anda');

    // The link no longer leads anywhere, and says so.
    await page.reload();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Tautan ini tidak berlaku');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'guardian-link-invalid-id-360.png'), fullPage: true });
    expect(cspErrors, 'CSP violations').toEqual([]);
    await page.context().close();
  }, 120_000);
});
