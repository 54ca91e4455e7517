import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { chatMember, connectMembers, type ChatMember } from '../../src/server/social/chat/test-helpers.js';
import { createTestApp, csrfHeaders, type TestApp } from '../support/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { openAsMember } from './member-browser.js';

/**
 * Two connected members in two browser contexts at phone size chat live over the socket:
 * text both ways, a photo with the personal-information reminder (P4.6), ✓/✓✓ receipts with
 * text labels, and delete for both leaving a tombstone on the other side.
 */
describe.runIf(hasChromium)('chat: two members chat live (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let a: ChatMember;
  let b: ChatMember;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
    a = await chatMember(t, 601);
    b = await chatMember(t, 602);
    await connectMembers(t, a, b);
    // Earlier history: more than one page (30), so the chat page must load older messages on scroll.
    for (let i = 1; i <= 35; i++) {
      const csrf = await csrfHeaders(t.app);
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/chats/${b.id}/messages`,
        headers: { ...csrf, cookie: `${csrf.cookie}; ${a.session}` },
        payload: { clientKey: `earlier-${i}-${Date.now()}`, body: `Pesan lama ${i}` },
      });
      if (r.statusCode !== 201) throw new Error(r.body);
    }
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const signedIn = (member: ChatMember) => openAsMember(browser, origin, member.session, { path: '/chats' });

  it('chats live with a photo and receipts', async () => {
    const { context: ca, page: pa } = await signedIn(a);
    const { context: cb, page: pb } = await signedIn(b);

    // The list shows the connection to start a chat with.
    await pa.getByRole('link', { name: 'Buka obrolan dengan Dewi' }).click();
    await expect.poll(() => pa.getByRole('heading', { level: 1 }).textContent()).toBe('Obrolan dengan Dewi');
    await pb.goto(`${origin}/chats/${a.id}`);
    await expect.poll(() => pa.locator('.chat-live').textContent()).toBe('Tersambung');
    await expect.poll(() => pb.locator('.chat-live').textContent()).toBe('Tersambung');

    // Older history loads when the member scrolls to the top of the conversation.
    await expect.poll(() => pb.locator('.chat-message').count()).toBe(30);
    await pb.locator('.chat-history').evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(() => pb.locator('.chat-message').count()).toBe(35);
    expect(await pb.locator('.chat-message .chat-body').first().textContent()).toBe('Pesan lama 1');
    await expect.poll(() => pb.locator('.chat-start').count()).toBe(1);

    // A writes; B sees it live; A's receipt goes ✓ → ✓✓ read (B's page is open and visible).
    await pa.getByLabel('Pesan', { exact: true }).fill('Halo! Senang berkenalan.');
    await pa.getByLabel('Pesan', { exact: true }).press('Enter');
    await expect.poll(() => pb.locator('.chat-message.theirs .chat-body').last().textContent()).toBe('Halo! Senang berkenalan.');
    const receipt = pa.locator('.chat-message.mine .chat-receipt').last();
    await expect.poll(() => receipt.locator('.visually-hidden').textContent()).toBe('Dibaca');
    expect(await receipt.locator('[aria-hidden="true"]').first().textContent()).toBe('✓✓');

    // B sends a photo: the reminder about personal information shows before sending.
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 240, g: 170, b: 60 } } })
      .withExif({ IFD0: { Make: 'SecretCam' } })
      .jpeg()
      .toBuffer();
    await pb.locator('#chat-photo').setInputFiles({ name: 'pantai.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => pb.locator('.chat-reminder').textContent()).toContain('informasi pribadi');
    await pb.screenshot({ path: path.join(SHOTS, 'chat-photo-reminder-id-360.png'), fullPage: true });
    await pb.getByLabel('Pesan', { exact: true }).fill('Pantai tadi pagi');
    await pb.getByRole('button', { name: 'Kirim', exact: true }).click();
    const photo = pa.getByRole('img', { name: 'Foto dari Dewi' });
    // The photo is re-encoded with its thumbnails before it is delivered: more than the 1 s default on a busy CI machine.
    await expect.poll(() => photo.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBe(800);
    await expect.poll(() => pb.locator('.chat-message.mine .chat-receipt .visually-hidden').last().textContent()).toBe('Dibaca');

    await noHorizontalScroll(pa);
    await noHorizontalScroll(pb);
    await pa.screenshot({ path: path.join(SHOTS, 'chat-a-id-360.png'), fullPage: true });
    await pb.screenshot({ path: path.join(SHOTS, 'chat-b-id-360.png'), fullPage: true });

    // A deletes their message for both: B sees a tombstone instead of the text.
    const mine = pa.locator('.chat-message.mine', { hasText: 'Halo! Senang berkenalan.' });
    await mine.locator('summary').click();
    await mine.getByRole('button', { name: 'Hapus untuk semua' }).click();
    await expect.poll(() => pb.locator('.chat-message.theirs .chat-tombstone').count()).toBe(1);
    expect(await pb.locator('.chat-tombstone').textContent()).toBe('Pesan ini telah dihapus');
    expect(await pb.getByText('Halo! Senang berkenalan.').count()).toBe(0);

    // The same page in English.
    await pa.getByLabel('Bahasa').selectOption('en');
    await expect.poll(() => pa.getByRole('heading', { level: 1 }).textContent()).toBe('Chat with Dewi');
    await expect.poll(() => pa.getByRole('img', { name: 'Photo from Dewi' }).count()).toBe(1);
    await pa.screenshot({ path: path.join(SHOTS, 'chat-a-en-360.png'), fullPage: true });

    // B's list shows the conversation with the last message.
    await pb.goto(`${origin}/chats`);
    await expect.poll(() => pb.locator('.chat-item-preview').first().textContent()).toContain('Pantai tadi pagi');
    await pb.screenshot({ path: path.join(SHOTS, 'chats-list-id-360.png'), fullPage: true });
    await ca.close();
    await cb.close();
  }, 120_000);

  it('counts unread on the Chats tab without loading the list, gives a conversation the tab bar’s room, and keeps the header on one row from 320 px', async () => {
    const c = await chatMember(t, 603);
    const d = await chatMember(t, 604);
    await connectMembers(t, c, d);
    const chatRequests: string[] = [];
    let socketReady = false;
    const { context, page } = await openAsMember(browser, origin, d.session, {
      path: '/feed',
      beforeLoad: (p) => {
        p.on('request', (r) => void (new URL(r.url()).pathname.startsWith('/api/chats') && chatRequests.push(new URL(r.url()).pathname)));
        p.on('websocket', (ws) => ws.on('framereceived', (frame) => void (String(frame.payload).includes('"live.ready"') && (socketReady = true))));
      },
    });
    const chatsTab = page.locator('.member-nav').getByRole('link', { name: /^Obrolan/ });
    await expect.poll(() => chatsTab.getAttribute('aria-label')).toBe(null);
    // Events are not replayed to a socket that was not open yet: wait for it.
    await expect.poll(() => socketReady).toBe(true);

    // Two messages arrive while D is on another page: the tab's count follows over the socket.
    for (const body of ['Hai D', 'Apa kabar?']) {
      const csrf = await csrfHeaders(t.app);
      const r = await t.app.inject({ method: 'POST', url: `/api/chats/${d.id}/messages`, headers: { ...csrf, cookie: `${csrf.cookie}; ${c.session}` }, payload: { clientKey: `tab-${body.length}-${Date.now()}`, body } });
      if (r.statusCode !== 201) throw new Error(r.body);
    }
    await expect.poll(() => chatsTab.getAttribute('aria-label')).toBe('Obrolan, 2 pesan belum dibaca');
    expect(await page.locator('.member-tab-count').textContent()).toBe('2');
    // Only the counts were asked for, never the conversation list (GET /api/chats/unread).
    expect(chatRequests.length).toBeGreaterThan(0);
    expect(chatRequests.every((p) => p === '/api/chats/unread'), chatRequests.join(' ')).toBe(true);

    // The header keeps one row (logo, bell, language) at 320 and 360 px, and one row with the places at 1280.
    for (const width of [320, 360, 1280]) {
      await page.setViewportSize({ width, height: width === 1280 ? 800 : 740 });
      await assertHeaderOneRow(page, width === 1280);
      await page.screenshot({ path: path.join(SHOTS, `member-header-id-${width}.png`) });
    }
    await page.setViewportSize({ width: 360, height: 740 });

    // Inside a conversation on a phone the tab bar is gone (the back link leads out), elsewhere it stays.
    const tabBar = page.locator('.member-nav');
    expect(await tabBar.isVisible()).toBe(true);
    await chatsTab.click();
    await page.getByRole('link', { name: 'Buka obrolan dengan Dewi' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Obrolan dengan Dewi');
    await expect.poll(() => tabBar.isVisible()).toBe(false);
    const send = page.getByRole('button', { name: 'Kirim', exact: true });
    await send.scrollIntoViewIfNeeded();
    // Nothing covers the composer: the send button is the topmost element at its own centre.
    expect(await send.evaluate((el) => { const r = el.getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el; })).toBe(true);
    await page.setViewportSize({ width: 320, height: 640 });
    await assertHeaderOneRow(page, false);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'chat-conversation-no-tabs-id-320.png'), fullPage: true });
    // On a wide screen the places stay in the header.
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(() => tabBar.isVisible()).toBe(true);
    await page.setViewportSize({ width: 360, height: 740 });

    await page.getByRole('link', { name: '← Semua obrolan' }).click();
    await expect.poll(() => tabBar.isVisible()).toBe(true);
    // Reading the chat cleared the count.
    await expect.poll(() => page.locator('.member-tab-count').count()).toBe(0);

    // Discover's heading takes focus after a client-side navigation, as other pages' do.
    await page.locator('.member-nav').getByRole('link', { name: 'Temukan' }).click();
    await expect.poll(() => page.evaluate(() => (document.activeElement?.tagName === 'H1' ? document.activeElement.textContent : null))).toBe('Temukan kenalan');
    await context.close();
  }, 120_000);
});

/** The header's first row holds the logo, the bell and the language switch side by side: nothing wraps, overlaps or scrolls sideways. */
async function assertHeaderOneRow(page: Page, wide: boolean): Promise<void> {
  const boxes = await page.evaluate(() => {
    const box = (selector: string) => {
      const r = document.querySelector(selector)!.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    return { brand: box('.site-header .brand'), bell: box('.header-bell'), language: box('.site-header .language-switch'), places: box('.site-header .member-nav'), viewport: document.documentElement.clientWidth };
  });
  const row = [boxes.brand, boxes.bell, boxes.language, ...(wide ? [boxes.places] : [])].sort((x, y) => x.left - y.left);
  for (const item of row) {
    expect(Math.abs(item.top - boxes.brand.top), 'on the logo’s row').toBeLessThan(12);
    expect(item.right, 'inside the screen').toBeLessThanOrEqual(boxes.viewport);
  }
  for (let i = 1; i < row.length; i++) expect(row[i]!.left, 'overlaps the item before it').toBeGreaterThanOrEqual(row[i - 1]!.right);
  await noHorizontalScroll(page);
}
