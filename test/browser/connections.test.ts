import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { signedInMember, type SignedIn } from '../../src/server/social/graph/test-helpers.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { openAsMember } from './member-browser.js';

/**
 * Kenalan requests in two browser contexts at phone size, in Indonesian: A sends B a request with
 * an introduction, B reads it and accepts, both see each other in their connections; then B blocks
 * A from the connections list and A can no longer find B (the list is empty and a new request is
 * refused with the same "not found" as for nobody).
 */
describe.runIf(hasChromium)('kenalan requests, connections and blocking (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let a: SignedIn;
  let b: SignedIn;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
    [a, b] = (await Promise.all([301, 302].map((n) => signedInMember(t, n)))) as [SignedIn, SignedIn];
    await t.database.db.updateTable('members').set({ nickname: t.services.keyring.encrypt('Bima', 'members.nickname') }).where('id', '=', b.id).execute();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const contextFor = (member: SignedIn) => openAsMember(browser, origin, member.cookie, { timeout: 10_000 });

  const status = (page: Page) => page.getByRole('status').filter({ hasText: /\S/ }).first().textContent();

  it('A asks B with an intro, B accepts, both are connected; B blocks A and A can no longer find B', async () => {
    const A = await contextFor(a);
    const B = await contextFor(b);

    // A: B's profile page → "Ajak kenalan" → the dialog with the intro, by keyboard.
    await A.page.goto(`${origin}/members/${b.username}`);
    await A.page.getByRole('button', { name: 'Ajak kenalan' }).click();
    const ask = A.page.getByRole('dialog', { name: 'Ajak Bima berkenalan' });
    await ask.getByLabel('Pesan perkenalan (tidak wajib)').fill('Halo Bima! Aku lihat kamu juga suka kopi Toraja.');
    await noHorizontalScroll(A.page);
    await A.page.screenshot({ path: path.join(SHOTS, 'connections-request-dialog-id-360.png') });
    await A.page.keyboard.press('Tab');
    await A.page.keyboard.press('Enter');
    await expect.poll(() => status(A.page)).toBe('Permintaan kenalan terkirim.');
    expect(await ask.isVisible()).toBe(false);
    await A.page.goto(`${origin}/connections/requests`);
    await expect.poll(() => A.page.locator('h1').textContent()).toBe('Permintaan kenalan');
    await expect.poll(() => A.page.getByRole('region', { name: 'Terkirim' }).getByText('Bima', { exact: true }).count()).toBe(1);
    await noHorizontalScroll(A.page);
    await A.page.screenshot({ path: path.join(SHOTS, 'connections-requests-sent-id-360.png'), fullPage: true });

    // B sees the request and its intro, and accepts.
    await B.page.goto(`${origin}/connections/requests`);
    const incoming = B.page.getByRole('region', { name: 'Masuk' });
    await expect.poll(() => incoming.getByText('Halo Bima! Aku lihat kamu juga suka kopi Toraja.').count()).toBe(1);
    await noHorizontalScroll(B.page);
    await B.page.screenshot({ path: path.join(SHOTS, 'connections-requests-incoming-id-360.png'), fullPage: true });
    await incoming.getByRole('button', { name: 'Terima: Dewi' }).click();
    await expect.poll(() => status(B.page)).toBe('Kalian sekarang terhubung dengan Dewi.');
    await expect.poll(() => incoming.getByText('Belum ada permintaan kenalan yang masuk.').count()).toBe(1);

    // Both see each other in their connections.
    await B.page.getByRole('navigation', { name: 'Koneksi dan permintaan kenalan' }).getByRole('link', { name: 'Koneksi', exact: true }).click();
    await expect.poll(() => B.page.locator('h1').textContent()).toBe('Koneksi saya');
    const listB = B.page.getByRole('list', { name: 'Koneksi saya' });
    await expect.poll(() => listB.getByText(`@${a.username}`).count()).toBe(1);
    // A's sign-up photo is visible to connections: B sees it as a small picture.
    await expect.poll(() => listB.getByRole('img', { name: 'Foto Dewi' }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await A.page.goto(`${origin}/connections`);
    await expect.poll(() => A.page.getByRole('list', { name: 'Koneksi saya' }).getByText(`@${b.username}`).count()).toBe(1);
    await noHorizontalScroll(A.page);
    await A.page.screenshot({ path: path.join(SHOTS, 'connections-list-id-360.png'), fullPage: true });

    // B blocks A from the connections list (menu → Blokir → confirm).
    await listB.getByRole('button', { name: 'Pilihan lain untuk Dewi' }).click();
    await listB.getByRole('button', { name: 'Blokir', exact: true }).click();
    const dialog = B.page.getByRole('dialog', { name: 'Blokir' });
    await expect.poll(() => dialog.getByText(/Blokir Dewi\? Kalian tidak akan bisa saling melihat/).count()).toBe(1);
    await B.page.screenshot({ path: path.join(SHOTS, 'connections-block-confirm-id-360.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Ya, blokir' }).click();
    await expect.poll(() => status(B.page)).toBe('Dewi sudah diblokir.');
    await expect.poll(() => B.page.getByText('Anda belum punya koneksi.').count()).toBe(1);
    await B.page.getByRole('link', { name: 'Diblokir' }).click();
    await expect.poll(() => B.page.getByRole('list', { name: 'Anggota yang diblokir' }).getByText(`@${a.username}`).count()).toBe(1);
    await B.page.screenshot({ path: path.join(SHOTS, 'connections-blocked-id-360.png'), fullPage: true });

    // A no longer finds B: not in connections, and asking again is the same "not found" as for nobody.
    await A.page.reload();
    await expect.poll(() => A.page.getByText('Anda belum punya koneksi.').count()).toBe(1);
    await A.page.goto(`${origin}/connections/requests`);
    await A.page.getByLabel('Nama pengguna', { exact: true }).fill(b.username);
    await A.page.getByRole('button', { name: 'Kirim permintaan' }).click();
    await expect.poll(() => A.page.getByRole('alert').textContent()).toBe('Kami tidak dapat menemukan yang Anda minta.');
    await A.page.getByLabel('Nama pengguna', { exact: true }).fill('tidak_ada_orangnya');
    await A.page.getByRole('button', { name: 'Kirim permintaan' }).click();
    await expect.poll(() => A.page.getByRole('alert').textContent()).toBe('Kami tidak dapat menemukan yang Anda minta.');
    await A.page.goto(`${origin}/members/${b.username}`);
    await expect.poll(() => A.page.getByRole('alert').textContent()).toBe('Profil ini tidak tersedia.');
    expect(await A.page.getByRole('button', { name: 'Ajak kenalan' }).count()).toBe(0);
    await A.page.screenshot({ path: path.join(SHOTS, 'connections-not-found-id-360.png'), fullPage: true });

    // The same pages in English.
    await B.page.goto(`${origin}/connections/blocked?lang=en`);
    await expect.poll(() => B.page.locator('h1').textContent()).toBe('Blocked members');
    await B.page.getByRole('button', { name: 'Unblock Dewi' }).click();
    await expect.poll(() => status(B.page)).toBe('Dewi is unblocked.');
    await B.page.goto(`${origin}/connections/requests?lang=en`);
    await expect.poll(() => B.page.locator('h1').textContent()).toBe('Kenalan requests');
    expect(await B.page.getByLabel('Username', { exact: true }).count()).toBe(1);
    await noHorizontalScroll(B.page);
    await B.page.screenshot({ path: path.join(SHOTS, 'connections-requests-en-360.png'), fullPage: true });

    await A.context.close();
    await B.context.close();
  }, 120_000);
});
