import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { loadTls } from '../../src/server/platform/http/tls.js';
import type { TestApp } from './app.js';

/** Debian's Chromium; never a downloaded browser. Missing in CI is an error, elsewhere a skip. */
export const CHROMIUM = process.env.KENALAN_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: CI must install Debian's chromium`);
if (!hasChromium) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Screenshots for a person to look at. */
export const SHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

/** The test app's services behind the real app factory, listening on HTTPS with its self-signed certificate. */
export async function serveOverHttps(t: TestApp): Promise<{ server: Awaited<ReturnType<typeof buildApp>>; origin: string }> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const tls = await loadTls({ dataDir: t.dataDir });
  // KENALAN_WEB_ROOT lets engineers working side by side test their own web build (vite build --outDir).
  const webRoot = process.env.KENALAN_WEB_ROOT;
  const server = await buildApp({ ...t.services, https: tls, isReady: () => true, ...(webRoot ? { webRoot } : {}) });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, origin: `https://localhost:${(server.server.address() as AddressInfo).port}` };
}

/** `extraArgs` are added for one test's browser, e.g. a fake camera fed from a file (face-camera.test.ts). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export async function noHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'page scrolls sideways').toBeLessThanOrEqual(0);
}
