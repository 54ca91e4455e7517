import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { PASSWORD, signUpMember } from '../../src/server/identity/login-security/test-members.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A material policy change in Debian's Chromium at phone size (P7.2): the v2 test fixture is
 * published, a member signs in and is taken to the re-consent page (the API refuses their other
 * member calls meanwhile), answers the affected purpose and accepts, then uses the app normally;
 * the versions list and the side-by-side diff read well at 360 px; a visitor sees the notice.
 */
const V2 = path.resolve(import.meta.dirname, '../fixtures/policy-v2');

describe.runIf(hasChromium)('policy change: banner, forced re-consent, versions and diff (Chromium)', () => {
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

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    return { context, page };
  }

  it('takes a member to re-consent after a material change, then lets them use the app', async () => {
    const member = await signUpMember(t, 5801);
    await t.services.policy.publishFromDirectory(V2);

    const { context, page } = await newPage();
    await page.goto(`${origin}/signin`);
    await page.getByRole('button', { name: 'Tolak semua' }).click();
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(member.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();

    // Signed in → the re-consent page, whatever page sign-in led to.
    await page.waitForURL(`${origin}/reconsent`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tinjau Kebijakan Privasi kami yang baru');
    await expect.poll(() => page.getByText('Dengan persetujuan Anda, kota dan rentang usia Anda dapat dibagikan').isVisible()).toBe(true);
    // The server enforces it: other member API calls answer 403 until the member decides.
    const blocked = await page.evaluate(async () => {
      const r = await fetch('/api/sessions', { credentials: 'same-origin' });
      return { status: r.status, code: ((await r.json()) as { code: string }).code };
    });
    expect(blocked).toEqual({ status: 403, code: 'policy_reconsent_required' });
    // Going elsewhere comes back here.
    await page.goto(`${origin}/account/sessions`);
    await page.waitForURL(`${origin}/reconsent`);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'policy-reconsent-id-360.png'), fullPage: true });

    // Accepting without answering the affected purpose is refused in place.
    await page.getByRole('button', { name: 'Saya telah membaca dan menyetujui versi 2' }).click();
    await expect.poll(() => page.getByText('Pilih apakah Anda mengizinkan penggunaan ini.').isVisible()).toBe(true);
    const purpose = page.getByRole('group', { name: 'Berbagi dengan mitra' });
    await purpose.getByLabel('Tolak').check();
    await page.getByRole('button', { name: 'Saya telah membaca dan menyetujui versi 2' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Persetujuan Anda atas versi 2 telah dicatat');
    await page.screenshot({ path: path.join(SHOTS, 'policy-reconsent-done-id-360.png'), fullPage: true });

    const rows = await t.database.db
      .selectFrom('consent_ledger')
      .select(['event', 'purpose', 'policy_version', 'language'])
      .where('subject_id', '=', member.id)
      .where('policy_version', '=', '2')
      // (The cookie choice made before signing in is joined to the account too: not ours to check.)
      .where((eb) => eb.or([eb('event', '=', 'policy_accepted'), eb('purpose', '=', 'share_partners')]))
      .orderBy('at')
      .execute();
    expect(rows).toEqual([
      { event: 'policy_accepted', purpose: null, policy_version: '2', language: 'id' },
      { event: 'consent_withdrawn', purpose: 'share_partners', policy_version: '2', language: 'id' },
    ]);

    // Normal again: the account hub loads, no banner, and the privacy page says which version governs.
    await page.getByRole('link', { name: 'Lanjut ke akun saya' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Akun saya');
    await expect.poll(() => page.getByText('Kebijakan Privasi kami telah berubah').count()).toBe(0);
    await page.goto(`${origin}/account/privacy`);
    await expect.poll(() => page.getByText('Data Anda diatur oleh versi 2.').isVisible()).toBe(true);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'policy-status-id-360.png'), fullPage: true });
    await context.close();
  });

  it('lists every version and shows a side-by-side diff that stacks at 360 px', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/privacy/versions?lang=id`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Versi Kebijakan Privasi');
    expect(await page.getByText('Perubahan material').first().isVisible()).toBe(true);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'policy-versions-id-360.png'), fullPage: true });

    await page.getByRole('link', { name: 'Bandingkan versi 2 dengan versi 1' }).click();
    await page.waitForURL(`${origin}/privacy/diff/1/2?lang=id`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Versi 1 dibandingkan dengan versi 2');
    const added = page.locator('.diff-changed ins');
    expect(await added.count()).toBeGreaterThan(0);
    expect(await added.first().textContent()).toContain('[ditambahkan: ');
    // Stacked: the newer text sits below the older one, not beside it.
    const oldBox = await page.locator('.diff-changed .diff-old').first().boundingBox();
    const newBox = await page.locator('.diff-changed .diff-new').first().boundingBox();
    expect(newBox!.y).toBeGreaterThan(oldBox!.y + oldBox!.height - 1);
    await noHorizontalScroll(page);
    // Unchanged paragraphs are folded, so the whole page is short enough to look at.
    await page.screenshot({ path: path.join(SHOTS, 'policy-diff-id-360.png'), fullPage: true });

    // Side by side on a wide screen.
    await page.setViewportSize({ width: 1200, height: 800 });
    const wideOld = await page.locator('.diff-changed .diff-old').first().boundingBox();
    const wideNew = await page.locator('.diff-changed .diff-new').first().boundingBox();
    expect(Math.abs(wideNew!.y - wideOld!.y)).toBeLessThan(2);
    expect(wideNew!.x).toBeGreaterThan(wideOld!.x + wideOld!.width - 1);

    // The same pages in English.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${origin}/privacy/diff/1/2?lang=en`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Version 1 compared with version 2');
    expect(await page.locator('.diff-changed ins').first().textContent()).toContain('[added: ');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'policy-diff-en-360.png'), fullPage: true });

    // A visitor sees the notice of the material change on the app's pages.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${origin}/`);
    const notice = page.getByRole('region', { name: 'Kebijakan Privasi diperbarui' });
    await expect.poll(() => notice.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'policy-visitor-notice-id-360.png') });
    await notice.getByRole('button', { name: 'Sembunyikan pemberitahuan ini' }).click();
    expect(await notice.count()).toBe(0);
    await context.close();
  });
});
