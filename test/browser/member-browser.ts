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
