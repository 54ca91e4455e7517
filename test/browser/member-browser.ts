import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * A browser context signed in as a member (the session cookie the test got from a real sign-in),
 * as the social browser tests open them: a phone-sized window in Indonesian unless told otherwise,
 * page errors fail the test, and the cookie banner's optional cookies refused on the first page so
 * the banner does not cover it. Not a test file: shared by the test files beside it.
 */
export interface MemberWindow {
  context: BrowserContext;
  page: Page;
}

export interface MemberWindowOptions {
  /** The first page to open, relative to the origin (default `/`). */
  path?: string;
  width?: number;
  height?: number;
  /** The browser's language; the app follows it (`id-ID` by default). */
  locale?: string;
  /** Default timeout for Playwright actions, in ms. */
  timeout?: number;
  /** Called with the page before the first page loads (e.g. to watch its WebSockets from the start). */
  beforeLoad?: (page: Page) => void;
}

/** `cookie` is the `name=value` pair of the member's session cookie. */
export async function openAsMember(browser: Browser, origin: string, cookie: string, options: MemberWindowOptions = {}): Promise<MemberWindow> {
  const { path = '/', width = 360, height = 740, locale = 'id-ID', timeout = 15_000 } = options;
  const context = await browser.newContext({ viewport: { width, height }, ignoreHTTPSErrors: true, locale });
  context.setDefaultTimeout(timeout);
  const separator = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, separator), value: cookie.slice(separator + 1), url: origin, secure: true, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  options.beforeLoad?.(page);
  await page.goto(`${origin}${path}`);
  await refuseOptionalCookies(page);
  return { context, page };
}

/**
 * Until the member has chosen, the cookie banner shows: refuse the optional cookies (in either
 * language). A member who chose earlier (in another context) sees no banner.
 */
export async function refuseOptionalCookies(page: Page): Promise<void> {
  // The banner appears once the page has asked the server for the choice.
  await page.waitForLoadState('networkidle');
  const reject = page.locator('.cookie-banner').getByRole('button', { name: /^(Tolak semua|Reject all)$/ });
  if ((await reject.count()) === 0) return;
  await reject.click();
  await expect.poll(() => reject.count()).toBe(0);
}

/**
 * A phone-sized Indonesian window signed in through the sign-in form itself (for tests where the
 * form is part of what they check, e.g. staff who must have signed in recently): optional cookies
 * refused on the home page, then username and password, landing on the sessions page.
 */
export async function signInThroughForm(browser: Browser, origin: string, username: string, password: string, timeout = 20_000): Promise<MemberWindow> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${origin}/`);
  await page.getByRole('region', { name: 'Cookie di Kenalan' }).getByRole('button', { name: 'Tolak semua' }).click();
  await page.goto(`${origin}/signin`);
  await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(username);
  await page.getByLabel('Kata sandi', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Masuk', exact: true }).click();
  await expect.poll(() => new URL(page.url()).pathname, { timeout }).toBe('/account/sessions');
  return { context, page };
}
