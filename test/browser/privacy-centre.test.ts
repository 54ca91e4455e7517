import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import yauzl from 'yauzl';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_CHOICE_COOKIE, DECLARED_STORAGE, declaredCookie } from '../../src/common/cookies.js';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';

/**
 * The cookie banner and page (P2.1) in Debian's Chromium at phone size: rejecting leaves only
 * necessary cookies and nothing remembered in browser storage; allowing preferences lets the
 * language choice persist; Global Privacy Control keeps analytics and marketing off.
 */
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';

describe.runIf(hasChromium)('privacy centre: cookie banner, cookie page, consents, your data, export, unsubscribe (Chromium)', () => {
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

  async function newContext(extraHTTPHeaders: Record<string, string> = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID', extraHTTPHeaders, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    return { context, page };
  }

  const banner = (page: Page) => page.getByRole('region', { name: 'Cookie di Kenalan' });
  const storedLanguage = (page: Page) => page.evaluate(() => window.localStorage.getItem('kenalan.lang'));

  async function expectOnlyNecessaryCookies(context: BrowserContext): Promise<string[]> {
    const names = (await context.cookies()).map((c) => c.name);
    for (const name of names) expect(declaredCookie(name)?.category, `cookie ${name}`).toBe('necessary');
    return names;
  }

  it('rejects everything with one click: only necessary cookies, and the language is not remembered', async () => {
    const { context, page } = await newContext();
    await page.goto(`${origin}/`);
    await expect.poll(() => banner(page).isVisible()).toBe(true);
    // Accept and reject are the same kind of button, side by side.
    const accept = banner(page).getByRole('button', { name: 'Terima semua' });
    const reject = banner(page).getByRole('button', { name: 'Tolak semua' });
    expect(await accept.getAttribute('class')).toBe(await reject.getAttribute('class'));
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'cookie-banner-id-360.png'), fullPage: true });

    // Before any choice: nothing stored, even after switching language.
    await page.getByLabel('Bahasa').selectOption('en');
    expect(await storedLanguage(page)).toBeNull();
    await page.getByLabel('Language').selectOption('id');

    await reject.click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Pilihan cookie Anda telah disimpan');
    expect(await banner(page).count()).toBe(0);
    const names = await expectOnlyNecessaryCookies(context);
    expect(names).toContain(COOKIE_CHOICE_COOKIE);

    await page.getByLabel('Bahasa').selectOption('en');
    expect(await storedLanguage(page)).toBeNull();
    await page.reload();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('id');
    expect(await banner(page).count()).toBe(0); // the refusal is remembered
    await expectOnlyNecessaryCookies(context);
    await context.close();
  }, 90_000);

  it('allows preferences per category, then the language choice persists; refusing later forgets it', async () => {
    const { context, page } = await newContext();
    await page.goto(`${origin}/`);
    await banner(page).getByRole('button', { name: 'Pilih per kategori' }).click();
    const preferences = banner(page).getByRole('checkbox', { name: 'Preferensi' });
    expect(await preferences.isChecked()).toBe(false); // opt-in: off until ticked
    expect(await banner(page).getByRole('checkbox', { name: 'Diperlukan (selalu aktif)' }).isDisabled()).toBe(true);
    await preferences.check();
    await banner(page).getByRole('button', { name: 'Simpan pilihan saya' }).click();
    await expect.poll(() => banner(page).count()).toBe(0);

    await page.getByLabel('Bahasa').selectOption('en');
    expect(await storedLanguage(page)).toBe('en');
    await page.reload();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');

    // The cookie page lists every declared item and changes the choice.
    await page.getByRole('link', { name: 'Cookies', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Cookies and browser storage');
    for (const item of DECLARED_STORAGE) expect(await page.getByText(item.name, { exact: true }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'Preferences' }).isChecked()).toBe(true);
    // The visitor is told the server keeps a record of the choice, and for how long (P4.3).
    expect(await page.locator('.cookie-record').textContent()).toContain('for 180 days; we delete the record 5 years after that');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'cookies-page-en-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Preferences' }).isChecked()).toBe(false);
    expect(await storedLanguage(page)).toBeNull();
    await expectOnlyNecessaryCookies(context);

    // Every change is in the consent ledger for this visitor.
    const choice = (await context.cookies()).find((c) => c.name === COOKIE_CHOICE_COOKIE)!;
    const visitor = decodeURIComponent(choice.value).split('.')[0]!;
    const entries = await t.database.db
      .selectFrom('consent_ledger')
      .select(['purpose', 'event'])
      .where('subject_type', '=', 'visitor')
      .where('subject_id', '=', visitor)
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(entries.filter((e) => e.purpose === 'preference_cookies').map((e) => e.event)).toEqual(['consent_granted', 'consent_withdrawn']);
    await context.close();
  }, 90_000);

  it('lets a signed-in member turn consents on and off, each recorded, and joins the browser cookie choice to the account', async () => {
    const member = await activeMember();
    const { context, page } = await newContext();
    await page.goto(`${origin}/`);
    await banner(page).getByRole('button', { name: 'Tolak semua' }).click();
    await expect.poll(() => banner(page).count()).toBe(0);
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(member.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/account/sessions');

    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: /Akun saya/ }).click();
    await page.getByRole('link', { name: 'Privasi dan persetujuan' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Privasi dan persetujuan');
    const marketing = page.getByRole('checkbox', { name: 'Email pemasaran dan buletin' });
    await expect.poll(() => marketing.count()).toBe(1);
    for (const box of await page.getByRole('checkbox').all()) expect(await box.isChecked()).toBe(false);
    await marketing.check();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Persetujuan diberikan: Email pemasaran dan buletin');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'consents-id-360.png'), fullPage: true });
    await page.reload();
    await expect.poll(() => marketing.isChecked()).toBe(true);

    // A newsletter arrives (dev mailbox); its unsubscribe link works in one click and withdraws the consent.
    const { queued } = await t.services.newsletters.send({
      id: { subject: 'Kabar Kenalan', body: 'Ada fitur baru.' },
      en: { subject: 'Kenalan news', body: 'A new feature.' },
    });
    expect(queued).toBe(1);
    const unsubscribeToken = async () => {
      const mails = await t.database.db.selectFrom('dev_mailbox').select('raw').execute();
      const raws = mails.map((m) => t.services.keyring.decrypt(m.raw, 'dev_mailbox.raw').replace(/=\r?\n/g, ''));
      return raws.map((raw) => /\/unsubscribe\/([A-Za-z0-9_-]{20,})/.exec(raw)?.[1]).find(Boolean);
    };
    await expect.poll(unsubscribeToken, { timeout: 20_000 }).toBeTruthy();
    const token = (await unsubscribeToken())!;
    await page.goto(`${origin}/unsubscribe/${token}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Berhenti berlangganan buletin Kenalan');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'unsubscribe-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Berhenti berlangganan' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Anda telah berhenti berlangganan');
    await page.getByRole('link', { name: 'Privasi dan persetujuan' }).click();
    await expect.poll(() => marketing.count()).toBe(1);
    expect(await marketing.isChecked()).toBe(false);

    // "Your data": what is held, masked where sensitive, and who accessed it (nobody).
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: /Akun saya/ }).click();
    await page.getByRole('link', { name: 'Data Anda' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Data Anda');
    await expect.poll(() => page.getByRole('heading', { name: 'Siapa Anda' }).count()).toBe(1);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain(member.username);
    expect(main).toContain(`w•••\u0040contoh.id`);
    expect(main).not.toContain(member.email);
    expect(main).not.toContain(member.nik);
    expect(main).toContain('Tidak ada staf Kenalan');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'your-data-id-360.png'), fullPage: true });

    // The export: asked with the password, ready in seconds, downloaded as a ZIP with a readable summary.
    await page.getByLabel('Kata sandi Anda saat ini').fill(PASSWORD);
    await page.getByRole('button', { name: 'Siapkan data saya' }).click();
    const downloadButton = page.getByRole('button', { name: /^Unduh ekspor dari/ });
    await expect.poll(() => downloadButton.count(), { timeout: 30_000 }).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), downloadButton.click()]);
    expect(download.suggestedFilename()).toMatch(/^kenalan-data-\d{4}-\d{2}-\d{2}\.zip$/);
    const zipped = await fs.promises.readFile((await download.path())!);
    expect(zipped.subarray(0, 2).toString()).toBe('PK');
    expect(zipped.includes(Buffer.from('index.html'))).toBe(true);
    // The readable summary opens in the browser, in the member's language, with their values in full.
    const summary = await page.context().newPage();
    await summary.setContent(await zipEntry(zipped, 'index.html'));
    expect(await summary.getAttribute('html', 'lang')).toBe('id');
    await expect.poll(() => summary.getByRole('heading', { level: 1 }).textContent()).toBe(`Data Kenalan milik @${member.username}`);
    expect(await summary.locator('body').innerText()).toContain(member.email);
    await summary.screenshot({ path: path.join(SHOTS, 'export-summary-id-360.png'), fullPage: true });
    await summary.close();

    const rows = await t.database.db
      .selectFrom('consent_ledger')
      .select(['purpose', 'event'])
      .where('subject_type', '=', 'member')
      .where('subject_id', '=', member.id)
      .where('purpose', 'is not', null)
      .orderBy('at')
      .orderBy('id')
      .execute();
    // The refusal made before signing in joined the account, then the two marketing changes.
    expect(rows.map((r) => `${r.purpose}:${r.event}`)).toEqual([
      'preference_cookies:consent_withdrawn',
      'analytics_cookies:consent_withdrawn',
      'marketing_cookies:consent_withdrawn',
      'marketing_email:consent_granted',
      'marketing_email:consent_withdrawn',
    ]);
    await context.close();
  }, 90_000);

  it('honours Global Privacy Control: analytics and marketing cannot be turned on', async () => {
    const { context, page } = await newContext({ 'sec-gpc': '1' });
    await page.goto(`${origin}/`);
    await banner(page).getByRole('button', { name: 'Pilih per kategori' }).click();
    await expect.poll(() => banner(page).textContent()).toContain('Global Privacy Control');
    expect(await banner(page).getByRole('checkbox', { name: 'Analitik' }).isDisabled()).toBe(true);
    expect(await banner(page).getByRole('checkbox', { name: 'Pemasaran' }).isDisabled()).toBe(true);
    await banner(page).getByRole('button', { name: 'Terima semua' }).click();
    await expect.poll(() => banner(page).count()).toBe(0);
    const state = await page.evaluate(async () => (await fetch('/api/cookie-consent', { headers: { accept: 'application/json' } })).json());
    expect(state).toEqual({ choice: { preferences: true, analytics: false, marketing: false }, gpc: true });
    await context.close();
  }, 90_000);

  /** An active member, signed up through the API (verification is tested elsewhere). */
  async function activeMember() {
    const n = crypto.randomInt(1000, 9999);
    const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    const fields = {
      username: `wulan_${n}`,
      nickname: 'Wulan',
      gender: 'female',
      email: `wulan.${n}\u0040contoh.id`,
      phone: `0813${String(crypto.randomInt(10_000_000, 99_999_999))}`,
      nik: `317405520390${n}`,
      dateOfBirth: '1990-03-12',
      password: PASSWORD,
      language: 'id',
      acceptPolicy: 'true',
    };
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
    const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '203.0.113.70' }, payload: data });
    expect(response.statusCode, response.body).toBe(201);
    const { id } = response.json() as { id: string };
    await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
    return { id, ...fields };
  }
});

/** One file of a ZIP, as text. */
function zipEntry(zip: Buffer, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return file.readEntry();
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
        });
      });
      file.on('end', () => reject(new Error(`${name} is not in the ZIP`)));
      file.readEntry();
    });
  });
}
