import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { startTestSmtpServer } from '../support/smtp.js';

/**
 * Browser journeys in Debian's Chromium against the real HTTPS server: home, language switch,
 * the Privacy Policy in both languages, and the support form end to end (ticket + email).
 * Screenshots land in test-results/screenshots for a person to look at.
 */

describe.runIf(hasChromium)('browser journeys (Chromium)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(width = 360, height = 740, locale = 'id-ID'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, ignoreHTTPSErrors: true, locale });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    return page;
  }


  it('shows the home page in Indonesian by default and switches to English', async () => {
    const page = await newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    await page.goto(`${origin}/`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('Kenalan dengan orang baru');
    expect(await page.getAttribute('html', 'lang')).toBe('id');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'home-id-360.png'), fullPage: true });

    await page.getByLabel('Bahasa').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toContain('Meet new people in Indonesia');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.screenshot({ path: path.join(SHOTS, 'home-en-360.png'), fullPage: true });
    expect(violations.filter((v) => /Content Security Policy/i.test(v)), 'CSP violations').toEqual([]);
    await page.context().close();
  });

  it('reaches everything on the home page by keyboard, starting with the skip link', async () => {
    const page = await newPage(1280, 800);
    await page.goto(`${origin}/?lang=en`);
    await page.getByRole('heading', { level: 1 }).waitFor(); // the app has rendered
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.context().close();
  });

  it('serves the Privacy Policy in both languages, showing what the Indonesian text lacks in English', async () => {
    const page = await newPage();
    await page.goto(`${origin}/privacy?lang=id`);
    expect(await page.locator('h1').textContent()).toContain('Kebijakan Privasi');
    // Section 2 exists only in English: shown in its place, marked lang="en", after an Indonesian notice.
    const cookies = page.locator('#s-2');
    expect(await cookies.locator('.notice').first().textContent()).toContain('Bagian ini tidak ada dalam teks Bahasa Indonesia');
    expect(await cookies.locator('[lang="en"] h2').textContent()).toContain('How We Use Cookies');
    expect(await page.locator('#s-1-3 [lang="en"]').count()).toBeGreaterThan(0);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'privacy-id-360.png'), fullPage: false });
    await page.goto(`${origin}/privacy?lang=en#s-8`);
    expect(await page.locator('#s-8').textContent()).toContain(t.config.SUPPORT_EMAIL);
    await page.screenshot({ path: path.join(SHOTS, 'privacy-en-360.png'), fullPage: false });
    await page.context().close();
  });

  it('files a support ticket from the form and sends the confirmation email', async () => {
    const page = await newPage();
    await page.goto(`${origin}/support`);
    await page.getByRole('button', { name: 'Kirim' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mohon periksa formulir');
    expect(await page.getByLabel('Nama').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'support-errors-id-360.png'), fullPage: true });

    await page.getByLabel('Nama').fill('Putri Ayu');
    await page.getByLabel('Email', { exact: true }).fill('putri.ayu@contoh.id');
    await page.getByLabel('Topik').selectOption('privacy');
    await page.getByLabel('Pesan').fill('Saya ingin tahu data apa saja yang disimpan tentang saya.');
    await page.getByRole('button', { name: 'Kirim' }).click();
    await expect.poll(() => page.locator('h2, h1').allTextContents()).toContainEqual(expect.stringContaining('Terima kasih'));
    const body = (await page.locator('main').textContent()) ?? '';
    const number = /KNL-\d{4}-\d{6}/.exec(body)?.[0];
    expect(number).toBeDefined();
    await page.screenshot({ path: path.join(SHOTS, 'support-sent-id-360.png'), fullPage: true });

    const messages = await smtp.waitFor(1);
    const mail = messages.find((m) => m.envelopeTo.includes('putri.ayu@contoh.id'));
    expect(mail?.parsed.subject).toContain(number!);
    await page.context().close();
  });
});
