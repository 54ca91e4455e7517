import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
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
    await expect.poll(() => photo.count()).toBe(1);
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(800);
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
});
