import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { PASSWORD, signUpMember } from '../../src/server/identity/login-security/test-members.js';
import { grantStaffRole } from '../../src/server/ops/staff/guard.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { signInThroughForm } from './member-browser.js';

/**
 * Rights in Debian's Chromium at phone size, in Indonesian: correcting account details, showing
 * masked values after the password, restricting location, and the privacy officer's request
 * log — which then appears on the member's access log.
 */
/** Sign-in hashes a password and the machine is shared: allow each step 10 s rather than vitest's 1 s. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

describe.runIf(hasChromium)('rights: correction, reveal, restriction, request log (Chromium)', () => {
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

  const signedIn = (username: string) => signInThroughForm(browser, origin, username, PASSWORD, 10_000);
  const statusText = (page: Page) => page.getByRole('status').allTextContents().then((all) => all.join(' '));

  it('a member corrects details, reveals masked values with the password, restricts location; the privacy officer sees the requests', async () => {
    const member = await signUpMember(t, 4301);
    const { context, page } = await signedIn(member.username);

    // Correction, from the account hub.
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: /Akun saya/ }).click();
    await page.getByRole('link', { name: 'Data akun saya' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Data akun saya');
    const nickname = page.getByLabel('Nama panggilan');
    await poll(() => nickname.inputValue()).toBe('Dewi');
    await nickname.fill('');
    await page.getByRole('button', { name: 'Simpan perbaikan' }).click();
    await poll(() => page.getByRole('alert').allTextContents().then((a) => a.join(' '))).toContain('Sebagian informasi');
    expect(await nickname.getAttribute('aria-invalid')).toBe('true');
    await nickname.fill('Dewi Sartika');
    await page.getByLabel('Gender').selectOption('nonbinary');
    await page.getByRole('button', { name: 'Simpan perbaikan' }).click();
    await poll(() => statusText(page)).toContain('Tersimpan. Perbaikan Anda sudah dicatat.');
    const row = await t.database.db.selectFrom('members').select(['nickname', 'gender']).where('id', '=', member.id).executeTakeFirstOrThrow();
    expect(t.services.keyring.decrypt(row.nickname, 'members.nickname')).toBe('Dewi Sartika');
    expect(row.gender).toBe('nonbinary');
    expect(await page.getByRole('link', { name: 'Ubah email atau nomor ponsel' }).getAttribute('href')).toBe('/account/security');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'rights-details-id-360.png'), fullPage: true });

    // "Your data": masked until the password is entered again.
    await page.goto(`${origin}/account/data`);
    await poll(() => page.getByRole('heading', { name: 'Tampilkan nilai lengkap' }).count()).toBe(1);
    const main = () => page.locator('main').textContent().then((x) => x ?? '');
    expect(await main()).not.toContain(member.email);
    const revealPassword = page.getByLabel('Kata sandi Anda', { exact: true });
    await revealPassword.fill('bukan kata sandi saya');
    await page.getByRole('button', { name: 'Tampilkan nilai lengkap' }).click();
    await poll(() => page.getByRole('alert').allTextContents().then((a) => a.join(' '))).toContain('Kata sandi itu tidak benar');
    await revealPassword.fill(PASSWORD);
    await page.getByRole('button', { name: 'Tampilkan nilai lengkap' }).click();
    await poll(main).toContain(member.email);
    expect(await main()).toContain(member.nik);
    expect(await statusText(page)).toContain('Nilai lengkap ditampilkan sampai');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'rights-reveal-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Samarkan lagi' }).click();
    await poll(main).not.toContain(member.email);
    // The token was only in the page's memory: nothing in browser storage.
    expect(await page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }))).toBe('{}{}');

    // Restriction, from the link on "your data".
    await page.getByRole('link', { name: 'Batasi pemrosesan' }).first().click();
    await poll(() => page.locator('h1').textContent()).toBe('Batasi pemrosesan');
    const location = page.getByRole('checkbox', { name: 'Lokasi' });
    await poll(() => location.count()).toBe(1);
    expect(await location.isChecked()).toBe(false);
    await location.check();
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await poll(() => statusText(page)).toContain('Pilihan Anda berlaku mulai sekarang');
    await poll(() => page.getByText(/Dibatasi sejak/).count()).toBe(1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'rights-restrictions-id-360.png'), fullPage: true });
    const restricted = await t.database.db.selectFrom('processing_restrictions').select('category').where('member_id', '=', member.id).execute();
    expect(restricted).toEqual([{ category: 'location' }]);

    // A member without the role is refused the staff page.
    await page.goto(`${origin}/staff/requests`);
    await poll(() => page.getByRole('alert').allTextContents().then((a) => a.join(' '))).toContain('Halaman ini hanya untuk petugas pelindungan data');

    // The privacy officer sees both requests, by username, with deadlines.
    const officer = await signUpMember(t, 4302);
    await grantStaffRole(t.database.db, officer.username, 'privacy_officer');
    const staff = await signedIn(officer.username);
    await staff.page.goto(`${origin}/staff/requests?status=all`);
    await poll(() => staff.page.locator('h1').textContent()).toBe('Permintaan hak atas data');
    const list = staff.page.locator('.request-list');
    await poll(() => list.textContent().then((x) => x ?? '')).toContain(`Perbaikan — @${member.username}`);
    expect(await list.textContent()).toContain(`Pembatasan — @${member.username}`);
    expect(await list.textContent()).toContain('Tepat waktu');
    expect(await list.textContent()).not.toContain(member.email);
    await staff.page.getByLabel('Jenis').selectOption('restriction');
    await staff.page.getByRole('button', { name: 'Tampilkan' }).click();
    await poll(() => staff.page.url()).toContain('kind=restriction');
    await poll(() => list.textContent().then((x) => x ?? '')).not.toContain('Perbaikan —');
    await noHorizontalScroll(staff.page);
    await staff.page.screenshot({ path: path.join(SHOTS, 'rights-staff-requests-id-360.png'), fullPage: true });
    await staff.context.close();

    // …and the member sees the officer's reads on their access log, with role and purpose.
    await page.goto(`${origin}/account/data`);
    await poll(main).toContain('Petugas pelindungan data — tujuan:');
    await page.getByText(/Petugas pelindungan data — tujuan:/).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'rights-access-log-id-360.png'), fullPage: false });
    await context.close();
  }, 120_000);
});
