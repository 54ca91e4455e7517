import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { signedInMember, type SignedIn } from '../../src/server/social/graph/test-helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { openAsMember } from './member-browser.js';

/**
 * Issue 4's "done when", as one story through the UI: two members in two browser contexts find
 * each other in discovery, connect, chat live (a photo included) and one posts an update the other
 * sees and a stranger does not. Ayu uses a 360 px phone in Indonesian (the bottom tab bar), Bima a
 * desktop window in English (the same links in the header); they move between pages only through
 * the navigation. At the end Ayu signs out and the live socket closes for good.
 */
describe.runIf(hasChromium)('two members: discovery → kenalan → live chat → updates (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let ayu: SignedIn, bima: SignedIn, citra: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
    ayu = await signedInMember(t, 801);
    bima = await signedInMember(t, 802, 'en');
    citra = await signedInMember(t, 803);
    for (const [member, nickname] of [[ayu, 'Ayu'], [bima, 'Bima'], [citra, 'Citra']] as const) {
      await t.database.db.updateTable('members').set({ nickname: t.services.keyring.encrypt(nickname, 'members.nickname') }).where('id', '=', member.id).execute();
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  // Phone screenshots show the screen as the member sees it (the tab bar at its bottom edge); a
  // full-page capture would paint the fixed bar in the middle of the page.
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `two-members-${name}.png`), fullPage: (page.viewportSize()?.width ?? 0) > 400 });
  // The page's own status line (the cookie banner's "choice saved" note sits outside <main>).
  const status = (page: Page) => page.getByRole('main').getByRole('status').filter({ hasText: /\S/ }).first().textContent();
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  /** The profile form, in whichever language the page speaks (`l` holds its labels). */
  async function fillProfile(page: Page, l: ProfileLabels, bio: string, interests: string[], city: string): Promise<void> {
    await page.getByLabel(l.bio, { exact: true }).fill(bio);
    await page.getByLabel(`${l.whoSees} (${l.bio})`).selectOption('everyone');
    for (const interest of interests) await page.getByLabel(interest, { exact: true }).check();
    await page.getByLabel(`${l.whoSees} (${l.interests})`).selectOption('everyone');
    await page.getByLabel(l.city, { exact: true }).selectOption(city);
    await page.getByLabel(`${l.whoSees} (${l.city})`).selectOption('everyone');
    await page.getByRole('button', { name: l.save }).click();
    await expect.poll(() => page.getByRole('main').getByRole('status').filter({ hasText: l.saved }).count()).toBe(1);
  }

  it('find each other, connect, chat live with a photo, and share an update a stranger cannot see', async () => {
    // Ayu, on a phone: signed in, the member navigation is a tab bar at the bottom of the screen.
    const sockets: WebSocket[] = [];
    const A = await openAsMember(browser, origin, ayu.cookie, { beforeLoad: (page) => page.on('websocket', (ws) => sockets.push(ws)) });
    const navA = A.page.getByRole('navigation', { name: 'Navigasi utama' });
    const tabs = navA.getByRole('link');
    await expect.poll(() => tabs.allTextContents()).toEqual(['Temukan', 'Obrolan', 'Linimasa', 'Koneksi', 'Akun']);
    expect(await navA.getByRole('link', { name: `Akun saya (@${ayu.username})` }).count()).toBe(1);
    const bar = await navA.boundingBox();
    expect(bar && Math.round(bar.y + bar.height)).toBe(740); // fixed to the bottom of the 740 px screen
    expect(bar?.width).toBe(360);
    // Keyboard: after the brand link comes the first tab.
    await A.page.locator('.brand').focus();
    await A.page.keyboard.press('Tab');
    expect(await A.page.evaluate(() => document.activeElement?.textContent)).toBe('Temukan');
    await noHorizontalScroll(A.page);
    await shot(A.page, '01-ayu-home-id-360');

    // Ayu fills her profile from Discover (tab → "Ubah profil").
    await navA.getByRole('link', { name: 'Temukan' }).click();
    await expect.poll(() => heading(A.page)).toBe('Temukan kenalan');
    expect(await navA.getByRole('link', { name: 'Temukan' }).getAttribute('aria-current')).toBe('page');
    await A.page.getByRole('main').getByRole('link', { name: 'Ubah profil' }).click();
    await fillProfile(A.page, ID_LABELS, 'Pencinta kopi dan senja.', ['Kopi', 'Naik gunung'], 'jakarta-selatan');
    await noHorizontalScroll(A.page);
    await shot(A.page, '02-ayu-profile-id-360');

    // Bima, on a desktop in English: the same places are links in the header.
    const B = await openAsMember(browser, origin, bima.cookie, { width: 1280, height: 800, locale: 'en-US' });
    const navB = B.page.getByRole('navigation', { name: 'Main navigation' });
    await expect.poll(() => navB.getByRole('link').allTextContents()).toEqual(['Discover', 'Chats', 'Updates', 'Connections', 'Account']);
    const headerBox = await B.page.locator('.site-header').boundingBox();
    const navBox = await navB.boundingBox();
    expect(navBox && headerBox && navBox.y + navBox.height <= headerBox.y + headerBox.height).toBe(true); // inside the header
    const linkTops = () => navB.getByRole('link').evaluateAll((links) => new Set(links.map((l) => Math.round(l.getBoundingClientRect().top))).size);
    expect(await linkTops()).toBe(1); // one row beside the brand
    // A tablet-sized window: the places move to a second header row, still on one line.
    await B.page.setViewportSize({ width: 800, height: 800 });
    expect(await linkTops()).toBe(1);
    await noHorizontalScroll(B.page);
    await shot(B.page, '03a-bima-header-en-800');
    await B.page.setViewportSize({ width: 1280, height: 800 });
    await navB.getByRole('link', { name: 'Discover' }).click();
    await B.page.getByRole('main').getByRole('link', { name: 'Edit profile' }).click();
    await fillProfile(B.page, EN_LABELS, 'Weekend hiker, weekday coffee.', ['Hiking', 'Coffee'], 'jakarta-pusat');
    await shot(B.page, '03-bima-profile-en-1280');

    // They find each other in discovery, with their shared interests on the cards.
    await navB.getByRole('link', { name: 'Discover' }).click();
    const ayuCard = B.page.locator('.discover-card', { has: B.page.locator(`a[href="/members/${ayu.username}"]`) });
    await expect.poll(() => ayuCard.textContent()).toMatch(/Shared interests: (Coffee, Hiking|Hiking, Coffee)/);
    await shot(B.page, '04-bima-discover-en-1280');
    const bimaCard = A.page.locator('.discover-card', { has: A.page.locator(`a[href="/members/${bima.username}"]`) });
    await navA.getByRole('link', { name: 'Temukan' }).click();
    await expect.poll(() => bimaCard.textContent()).toMatch(/Minat yang sama: (Kopi, Naik gunung|Naik gunung, Kopi)/);
    await noHorizontalScroll(A.page);
    await shot(A.page, '05-ayu-discover-id-360');

    // Bima opens Ayu's profile from her card and asks her to connect, with an introduction.
    await ayuCard.locator(`a[href="/members/${ayu.username}"]`).first().click();
    await expect.poll(() => B.page.getByText('Pencinta kopi dan senja.').isVisible()).toBe(true);
    await B.page.getByRole('button', { name: 'Say kenalan' }).click();
    const ask = B.page.getByRole('dialog', { name: 'Ask Ayu to connect' });
    await ask.getByLabel('Introduction message (optional)').fill('Hi Ayu! Coffee after a hike some weekend?');
    await ask.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => status(B.page)).toBe('Kenalan request sent.');

    // Ayu's bell counts the request live; the header stays on one line at 360 px.
    const bell = A.page.getByTestId('unread-count');
    await expect.poll(() => bell.textContent()).toBe('1');
    const brandBox = await A.page.locator('.brand').boundingBox();
    const bellBox = await A.page.locator('.header-bell').boundingBox();
    const languageBox = await A.page.locator('.language-switch').boundingBox();
    for (const box of [bellBox, languageBox]) expect(box && brandBox && Math.abs(box.y + box.height / 2 - (brandBox.y + brandBox.height / 2))).toBeLessThan(4);
    await noHorizontalScroll(A.page);
    await shot(A.page, '06-ayu-request-bell-id-360');

    // Ayu accepts from Koneksi → Permintaan.
    await navA.getByRole('link', { name: 'Koneksi' }).click();
    await expect.poll(() => heading(A.page)).toBe('Koneksi saya');
    expect(await navA.getByRole('link', { name: 'Koneksi' }).getAttribute('aria-current')).toBe('page');
    await A.page.getByRole('navigation', { name: 'Koneksi dan permintaan kenalan' }).getByRole('link', { name: 'Permintaan' }).click();
    const incoming = A.page.getByRole('region', { name: 'Masuk' });
    await expect.poll(() => incoming.getByText('Hi Ayu! Coffee after a hike some weekend?').count()).toBe(1);
    await shot(A.page, '07-ayu-incoming-request-id-360');
    await incoming.getByRole('button', { name: 'Terima: Bima' }).click();
    await expect.poll(() => status(A.page)).toBe('Kalian sekarang terhubung dengan Bima.');
    expect(await navA.getByRole('link', { name: 'Koneksi' }).getAttribute('aria-current')).toBe('page'); // still within Koneksi

    // Bima opens the chat from the header and writes; Ayu's Obrolan tab counts it live.
    await navB.getByRole('link', { name: 'Chats' }).click();
    await B.page.getByRole('link', { name: 'Open the chat with Ayu' }).click();
    await expect.poll(() => heading(B.page)).toBe('Chat with Ayu');
    await expect.poll(() => B.page.locator('.chat-live').textContent()).toBe('Connected');
    await B.page.getByLabel('Message', { exact: true }).fill('Hello Ayu, glad we connected!');
    await B.page.getByLabel('Message', { exact: true }).press('Enter');
    const chatsTab = navA.getByRole('link', { name: /^Obrolan/ });
    await expect.poll(() => chatsTab.getAttribute('aria-label')).toBe('Obrolan, 1 pesan belum dibaca');
    expect(await chatsTab.locator('.member-tab-count').textContent()).toBe('1');
    await noHorizontalScroll(A.page);
    await shot(A.page, '08-ayu-unread-chat-tab-id-360');

    // Ayu reads it (the count goes), and answers with a photo after the personal-information reminder.
    await chatsTab.click();
    await expect.poll(() => chatsTab.getAttribute('aria-current')).toBe('page');
    await A.page.getByRole('link', { name: 'Buka obrolan dengan Bima' }).click();
    await expect.poll(() => A.page.locator('.chat-message.theirs .chat-body').last().textContent()).toBe('Hello Ayu, glad we connected!');
    // Inside the conversation the phone's tab bar gives the composer its room (the back link leads out).
    await expect.poll(() => navA.count()).toBe(0);
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 90, g: 140, b: 70 } } })
      .withExif({ IFD0: { Make: 'SecretCam' } })
      .jpeg()
      .toBuffer();
    await A.page.locator('#chat-photo').setInputFiles({ name: 'gunung.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => A.page.locator('.chat-reminder').textContent()).toContain('informasi pribadi');
    await A.page.getByLabel('Pesan', { exact: true }).fill('Ini puncak minggu lalu!');
    await shot(A.page, '09-ayu-photo-reminder-id-360');
    await A.page.getByRole('button', { name: 'Kirim', exact: true }).click();
    const photo = B.page.getByRole('img', { name: 'Photo from Ayu' });
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(800);
    await expect.poll(() => B.page.locator('.chat-message.theirs .chat-body').last().textContent()).toBe('Ini puncak minggu lalu!');
    await expect.poll(() => A.page.locator('.chat-message.mine .chat-receipt .visually-hidden').last().textContent()).toBe('Dibaca');
    await noHorizontalScroll(A.page);
    await shot(A.page, '10-ayu-chat-id-360');
    await shot(B.page, '11-bima-chat-en-1280');

    // Back out of the conversation: the tab bar returns, the count she read gone.
    await A.page.getByRole('link', { name: '← Semua obrolan' }).click();
    await expect.poll(() => chatsTab.getAttribute('aria-label')).toBe(null);
    expect(await navA.getByRole('link', { name: 'Obrolan' }).getAttribute('aria-current')).toBe('page');

    // Ayu posts an update for her connections from Linimasa.
    await navA.getByRole('link', { name: 'Linimasa' }).click();
    await expect.poll(() => heading(A.page)).toBe('Linimasa');
    await A.page.getByLabel('Apa kabar Anda?').fill('Siapa mau ikut mendaki Gunung Gede Sabtu ini?');
    expect(await A.page.getByRole('radio', { name: /Koneksi/ }).isChecked()).toBe(true);
    await A.page.getByRole('button', { name: 'Posting', exact: true }).click();
    await expect.poll(() => A.page.locator('.post-card .post-text').first().textContent()).toBe('Siapa mau ikut mendaki Gunung Gede Sabtu ini?');
    await noHorizontalScroll(A.page);
    await shot(A.page, '12-ayu-feed-id-360');

    // Bima, her connection, sees it under Updates.
    await navB.getByRole('link', { name: 'Updates' }).click();
    const post = B.page.locator('.post-card', { hasText: 'Gunung Gede' });
    await expect.poll(() => post.count()).toBe(1);
    expect(await post.locator('.post-audience').textContent()).toBe('Seen by: Connections');
    await shot(B.page, '13-bima-feed-en-1280');

    // Citra, a stranger, does not, in the feed or on Ayu's profile.
    const C = await openAsMember(browser, origin, citra.cookie, { path: '/feed' });
    await expect.poll(() => C.page.locator('.feed').textContent()).toContain('Belum ada pembaruan');
    expect(await C.page.getByText('Gunung Gede').count()).toBe(0);
    await shot(C.page, '14-citra-feed-stranger-id-360');

    // The request Ayu received is hers to see on "your data": who sent it, the introduction, when, its status.
    await navA.getByRole('link', { name: /^Akun/ }).click();
    await A.page.getByRole('main').getByRole('link', { name: 'Data Anda' }).click();
    const receivedField = (label: string) => A.page.locator('.data-fields > li', { has: A.page.locator('.data-label', { hasText: label }) });
    await expect.poll(() => receivedField('Pesan perkenalan yang Anda terima').textContent()).toContain('Hi Ayu! Coffee after a hike some weekend?');
    expect(await receivedField('Anggota yang mengajak Anda berkenalan').textContent()).toContain(bima.id);
    expect(await receivedField('Status permintaan kenalan yang Anda terima').textContent()).toContain('Diterima — kalian terhubung');
    await receivedField('Pesan perkenalan yang Anda terima').scrollIntoViewIfNeeded();
    await shot(A.page, '14b-ayu-your-data-received-request-id-360');
    await receivedField('Status permintaan kenalan yang Anda terima').scrollIntoViewIfNeeded();
    await shot(A.page, '14c-ayu-your-data-request-status-in-words-id-360');

    // Ayu signs out: the live socket closes and none opens again while she is signed out.
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((ws) => ws.url().endsWith('/api/live'))).toBe(true);
    await navA.getByRole('link', { name: /^Akun/ }).click();
    await A.page.getByRole('button', { name: 'Keluar' }).click();
    await expect.poll(() => navA.getByRole('link', { name: 'Masuk', exact: true }).count()).toBe(1);
    await expect.poll(() => sockets.every((ws) => ws.isClosed())).toBe(true);
    const before = sockets.length;
    await A.page.goto(`${origin}/chats`); // a fresh page load, signed out: sent to sign-in
    await expect.poll(() => heading(A.page)).toBe('Masuk ke Kenalan');
    // The chats page subscribed to live events before it was sent away; signed out, that opens nothing.
    await A.page.waitForLoadState('networkidle');
    expect(sockets.length).toBe(before);
    await noHorizontalScroll(A.page);
    await shot(A.page, '15-ayu-signed-out-id-360');

    for (const w of [A, B, C]) await w.context.close();
  }, 240_000);
});

interface ProfileLabels {
  bio: string;
  interests: string;
  city: string;
  whoSees: string;
  save: string;
  saved: string;
}

const ID_LABELS: ProfileLabels = { bio: 'Tentang saya', interests: 'Minat', city: 'Kota', whoSees: 'Siapa yang boleh melihat', save: 'Simpan profil', saved: 'Profil disimpan.' };
const EN_LABELS: ProfileLabels = { bio: 'About me', interests: 'Interests', city: 'City', whoSees: 'Who can see this', save: 'Save profile', saved: 'Profile saved.' };
