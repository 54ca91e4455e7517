import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { signedInMember, type SignedIn } from '../../src/server/social/graph/test-helpers.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { openAsMember } from './member-browser.js';

/**
 * Issue 4 items 1–2 in Debian's Chromium at phone size: two members in two browsers fill their
 * profiles with a visibility per field, each finds the other in discovery, and a third member (a
 * stranger) sees only the fields shown to everyone.
 */
describe.runIf(hasChromium)('profiles and discovery (Chromium, 360 px)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let ayu: SignedIn;
  let budi: SignedIn;
  let citra: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
    ayu = await signedInMember(t, 401);
    budi = await signedInMember(t, 402);
    citra = await signedInMember(t, 403);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const as = (member: SignedIn) => openAsMember(browser, origin, member.cookie);

  async function fillProfile(page: Page, bio: string, interests: string[], city: string, shot: string) {
    await page.goto(`${origin}/profile/edit`);
    await page.getByLabel('Tentang saya', { exact: true }).fill(bio);
    await page.getByLabel('Siapa yang boleh melihat (Tentang saya)').selectOption('everyone');
    for (const interest of interests) await page.getByLabel(interest, { exact: true }).check();
    await page.getByLabel('Siapa yang boleh melihat (Minat)').selectOption('everyone');
    await page.getByLabel('Jawa', { exact: true }).check();
    // Languages stay "My connections" (the default): a stranger must not see them.
    await page.getByLabel('Kota', { exact: true }).selectOption(city);
    await page.getByLabel('Siapa yang boleh melihat (Kota)').selectOption('everyone');
    await page.getByLabel('Siapa yang boleh melihat (Usia)').selectOption('everyone');
    // Keyboard: the save button is reachable and pressed with Enter.
    await page.getByRole('button', { name: 'Simpan profil' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Profil disimpan.');
    await expect.poll(() => page.getByText('Sebelum membagikan foto, pikirkan informasi pribadi').isVisible()).toBe(true);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, shot), fullPage: true });
  }

  it('two members fill their profiles, find each other in discovery; a stranger sees only public fields', async () => {
    const A = await as(ayu);
    const B = await as(budi);
    await fillProfile(A.page, 'Pencinta kopi dan senja.', ['Kopi', 'Naik gunung'], 'jakarta-selatan', 'profile-edit-ayu-id-360.png');
    await fillProfile(B.page, 'Suka naik gunung tiap bulan.', ['Naik gunung', 'Fotografi'], 'jakarta-pusat', 'profile-edit-budi-id-360.png');

    for (const [me, other, shot] of [[A, budi, 'discover-ayu-id-360.png'], [B, ayu, 'discover-budi-id-360.png']] as const) {
      await me.page.goto(`${origin}/discover`);
      const link = me.page.locator(`a[href="/members/${other.username}"]`);
      await expect.poll(() => link.count()).toBe(1);
      const card = me.page.locator('.discover-card', { has: link });
      await expect.poll(() => card.textContent()).toContain('Minat yang sama: Naik gunung');
      expect(await card.textContent()).toMatch(/(< 2 km|5–10 km|10–25 km)/);
      await noHorizontalScroll(me.page);
      await me.page.screenshot({ path: path.join(SHOTS, shot), fullPage: true });
    }

    // Ayu objects to profiling from the discovery page.
    await A.page.getByLabel('Urutan biasa (tanpa profil minat dan jarak)').check();
    await expect.poll(() => A.page.getByRole('status').first().textContent()).toContain('Keberatan Anda sudah dicatat');
    const objections = await t.database.db.selectFrom('rights_requests').select(['kind', 'completed_at']).where('member_id', '=', ayu.id).where('kind', '=', 'objection').execute();
    expect(objections).toHaveLength(1);

    // Budi opens Ayu's profile from the card.
    await B.page.locator(`a[href="/members/${ayu.username}"]`).click();
    await expect.poll(() => B.page.getByText('Pencinta kopi dan senja.').isVisible()).toBe(true);

    // Citra, a stranger, sees bio, interests, city and age, but not the languages (connections only).
    const C = await as(citra);
    await C.page.goto(`${origin}/members/${ayu.username}`);
    const view = C.page.locator('.profile-view');
    await expect.poll(() => view.textContent()).toContain('Pencinta kopi dan senja.');
    const text = (await view.textContent()) ?? '';
    expect(text).toContain('Kopi');
    expect(text).toContain('Jakarta Selatan');
    expect(text).toMatch(/\d+ tahun/);
    expect(text).not.toContain('Bahasa yang saya kuasai');
    expect(text).not.toContain('Jawa');
    await noHorizontalScroll(C.page);
    await C.page.screenshot({ path: path.join(SHOTS, 'member-profile-stranger-id-360.png'), fullPage: true });

    // Ayu previews her profile as a connection: the languages appear there.
    await A.page.goto(`${origin}/profile`);
    await A.page.getByRole('button', { name: 'Kenalan', exact: true }).click();
    await expect.poll(() => A.page.locator('.profile-view').textContent()).toContain('Jawa');
    await A.page.screenshot({ path: path.join(SHOTS, 'profile-preview-connection-id-360.png'), fullPage: true });
    for (const c of [A, B, C]) await c.context.close();
  }, 180_000);
});
