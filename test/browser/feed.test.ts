import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { signedInMember, type SignedIn } from '../../src/server/social/graph/test-helpers.js';
import { connect } from '../../src/server/social/graph/relations.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { openAsMember } from './member-browser.js';

/**
 * Updates in three browser contexts at phone size (360 px, Indonesian): A posts a connections-only
 * update; connection B sees it, stranger C does not; B likes and comments; A's header badge and
 * notifications page show both. A public photo shows the personal-information reminder (P4.6).
 */
describe.runIf(hasChromium)('feed: audiences, likes, comments, notifications (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let a: SignedIn, b: SignedIn, c: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
    [a, b, c] = (await Promise.all([701, 702, 703].map((n) => signedInMember(t, n)))) as [SignedIn, SignedIn, SignedIn];
    await t.database.db.transaction().execute((trx) => connect(trx, a.id, b.id));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const open = (member: SignedIn, path: string) => openAsMember(browser, origin, member.cookie, { path });

  it('A posts to connections; B sees, likes and comments; C does not see it; A is notified', async () => {
    const { context: ca, page: pa } = await open(a, '/feed');
    await expect.poll(() => pa.getByRole('heading', { level: 1 }).textContent()).toBe('Linimasa');
    await pa.getByLabel('Apa kabar Anda?').fill('Akhir pekan ini ada yang mau mendaki Gunung Gede?');
    // Connections is the default audience.
    expect(await pa.getByRole('radio', { name: /Koneksi/ }).isChecked()).toBe(true);
    await pa.getByRole('button', { name: 'Posting', exact: true }).click();
    await expect.poll(() => pa.locator('.post-card .post-text').first().textContent()).toBe('Akhir pekan ini ada yang mau mendaki Gunung Gede?');
    await expect.poll(() => pa.locator('.composer .form-status').textContent()).toContain('sudah diposting');

    // A public photo: the reminder appears and must be ticked before posting.
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 60, g: 150, b: 200 } } }).jpeg().toBuffer();
    await pa.getByRole('radio', { name: /Publik/ }).check();
    await pa.getByLabel(/^Foto \(paling banyak 4\)/).setInputFiles({ name: 'gede.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => pa.locator('.photo-reminder').textContent()).toContain('informasi pribadi');
    await pa.getByRole('button', { name: 'Posting', exact: true }).click();
    await expect.poll(() => pa.locator('.photo-reminder .field-error').textContent()).toContain('centang pengingatnya');
    await noHorizontalScroll(pa);
    await pa.screenshot({ path: path.join(SHOTS, 'feed-photo-reminder-id-360.png'), fullPage: true });
    await pa.getByRole('button', { name: 'Hapus foto 1' }).click();
    await pa.getByRole('radio', { name: /Koneksi/ }).check();

    // B, a connection, sees the update, likes it and comments.
    const { context: cb, page: pb } = await open(b, '/feed');
    const post = pb.locator('.post-card', { hasText: 'Gunung Gede' });
    await expect.poll(() => post.count()).toBe(1);
    expect(await post.locator('.post-audience').textContent()).toBe('Terlihat oleh: Koneksi');
    await post.getByRole('button', { name: /^Suka/ }).click();
    await expect.poll(() => post.getByRole('button', { name: /^Suka/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await post.getByRole('button', { name: /^Suka/ }).textContent()).toContain('1 suka');
    await post.getByRole('button', { name: /komentar/ }).click();
    await post.getByLabel('Tulis komentar').fill('Ikut! Berangkat dari Cibodas?');
    await post.getByRole('button', { name: 'Kirim' }).click();
    await expect.poll(() => post.locator('.comment-text').first().textContent()).toBe('Ikut! Berangkat dari Cibodas?');
    await noHorizontalScroll(pb);
    await pb.screenshot({ path: path.join(SHOTS, 'feed-b-connection-id-360.png'), fullPage: true });

    // C, a stranger, does not see it (nor through the API).
    const { context: cc, page: pc } = await open(c, '/feed');
    await expect.poll(() => pc.locator('.feed').textContent()).toContain('Belum ada pembaruan');
    expect(await pc.getByText('Gunung Gede').count()).toBe(0);
    await pc.screenshot({ path: path.join(SHOTS, 'feed-c-stranger-id-360.png'), fullPage: true });

    // A: the header badge counts two unread notifications; the page lists the like and the comment.
    await pa.goto(`${origin}/feed`);
    await expect.poll(() => pa.getByTestId('unread-count').textContent()).toBe('2');
    await pa.getByRole('link', { name: /^Notifikasi, 2 notifikasi belum dibaca/ }).click();
    await expect.poll(() => pa.getByRole('heading', { level: 1 }).textContent()).toBe('Notifikasi');
    await expect.poll(() => pa.locator('.notification').count()).toBe(2);
    const texts = await pa.locator('.notification-text').allTextContents();
    expect(texts.join(' ')).toContain(`mengomentari pembaruan Anda`);
    expect(texts.join(' ')).toContain(`menyukai pembaruan Anda`);
    expect(texts.join(' ')).toContain(`@${b.username}`);
    await noHorizontalScroll(pa);
    await pa.screenshot({ path: path.join(SHOTS, 'notifications-a-id-360.png'), fullPage: true });
    await pa.getByRole('button', { name: 'Tandai semua sudah dibaca' }).click();
    await expect.poll(() => pa.locator('.notification.unread').count()).toBe(0);
    await expect.poll(() => pa.getByTestId('unread-count').count()).toBe(0);

    // Email preferences: keyboard-reachable checkboxes with labels.
    await pa.getByRole('checkbox', { name: 'Suka pada pembaruan Anda' }).check();
    await pa.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => pa.locator('.preferences [role="status"]').textContent()).toBe('Pengaturan email notifikasi disimpan.');
    const prefs = await t.database.db.selectFrom('notification_preferences').selectAll().where('member_id', '=', a.id).where('kind', '=', 'post_liked').executeTakeFirst();
    expect(prefs?.email).toBe(true);

    // The same pages in English.
    await pb.goto(`${origin}/feed?lang=en`);
    await expect.poll(() => pb.getByRole('heading', { level: 1 }).textContent()).toBe('Updates');
    await expect.poll(() => pb.locator('.post-card', { hasText: 'Gunung Gede' }).locator('.post-audience').textContent()).toBe('Seen by: Connections');
    expect(await pb.getByRole('button', { name: /^Like/ }).first().textContent()).toContain('1 like');
    await noHorizontalScroll(pb);
    await pb.screenshot({ path: path.join(SHOTS, 'feed-b-en-360.png'), fullPage: true });

    await ca.close();
    await cb.close();
    await cc.close();
  }, 180_000);
});
