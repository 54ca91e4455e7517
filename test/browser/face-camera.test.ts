import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildApp } from '../../src/server/app.js';
import { PASSWORD, signUpMember } from '../../src/server/identity/login-security/test-members.js';
import { makeFaceFixture, type FaceFixture } from '../../src/server/verification/face/test-faces.js';
import { SHOTS, hasChromium, launchChromium, noHorizontalScroll, serveOverHttps } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { writeY4m } from '../support/y4m.js';

/**
 * The camera path of face verification in Chromium: the page opens the camera (getUserMedia),
 * shows the preview, captures frames on the challenge steps and sends them. Chromium's fake camera
 * plays a YUV4MPEG2 file built here from a face-api demo face (the same fixture as face.test.ts).
 *
 * 1. A still picture on the camera — a photo held up to it — must be refused: the frames show no
 *    movement, so the active challenge fails (`challenge_not_followed`, the member's localized reason).
 * 2. A video whose picture turns its head (the straight crop, then its mirror image, 2 s each,
 *    looping) passes when the frames are taken on the steps: the test stands in for the member's
 *    timing by pressing "Take a frame" the moment the preview shows the straight face, then the
 *    moment it shows the turned one, and checks which pictures were actually sent.
 *
 * TEST HOOK: the challenge is fixed to the turn the mirrored picture shows (see face.test.ts).
 */
const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout });
const SIZE = 480;
const FPS = 10;

/** 16 × 16 grey thumbnail, to tell the two pictures apart in the preview and in what was sent. */
async function thumb(image: Buffer): Promise<number[]> {
  return [...(await sharp(image).resize(16, 16, { fit: 'fill' }).greyscale().raw().toBuffer())];
}
const distance = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

describe.runIf(hasChromium)('face verification with the camera (Chromium fake camera)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let origin: string;
  let fx: FaceFixture;
  let refs: { straight: number[]; turned: number[] };
  const browsers: Browser[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-face-camera-'));

  beforeAll(async () => {
    t = await createTestApp();
    fx = await makeFaceFixture(t.services.face.engine);
    t.services.face.setChallengePickerForTests(() => fx.challenge);
    refs = { straight: await thumb(fx.straight), turned: await thumb(fx.turned) };
    ({ server, origin } = await serveOverHttps(t));
  }, 120_000);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A Chromium whose only camera plays `video`, and a member signed in, consented, with a challenge open. */
  async function memberAtTheChallenge(video: string, n: number): Promise<{ page: Page; memberId: string; sent: () => Promise<Buffer[]> }> {
    const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    browsers.push(browser);
    const member = await signUpMember(t, n);
    const photo = await t.database.db.selectFrom('member_photos').select('storage_path').where('member_id', '=', member.id).executeTakeFirstOrThrow();
    fs.writeFileSync(path.join(t.dataDir, photo.storage_path), fx.profile);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    // Counts getUserMedia calls, and keeps a copy of the frames the page sends with its check
    // (Chromium does not hand Blob request bodies to the test over the DevTools protocol).
    await page.addInitScript(() => {
      const w = window as unknown as { cameraRequests: number; sentFrames: Promise<string[]> | null };
      const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      w.cameraRequests = 0;
      w.sentFrames = null;
      navigator.mediaDevices.getUserMedia = (constraints) => {
        w.cameraRequests += 1;
        return getUserMedia(constraints);
      };
      const fetch = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (String(input).endsWith('/api/me/face/checks') && init?.body instanceof FormData) {
          const toBase64 = async (blob: Blob) => {
            let binary = '';
            for (const byte of new Uint8Array(await blob.arrayBuffer())) binary += String.fromCharCode(byte);
            return btoa(binary);
          };
          w.sentFrames = Promise.all(init.body.getAll('frames').map((f) => toBase64(f as Blob)));
        }
        return fetch(input, init);
      };
    });
    await page.goto(`${origin}/`);
    await page.getByRole('region', { name: 'Cookie di Kenalan' }).getByRole('button', { name: 'Tolak semua' }).click();
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Nama pengguna, email, atau nomor HP').fill(member.username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await poll(() => new URL(page.url()).pathname).toBe('/account/sessions');
    await page.goto(`${origin}/account/face`);
    await page.getByRole('checkbox', { name: /Saya setuju Kenalan memproses wajah saya/ }).check();
    await page.getByRole('button', { name: 'Beri persetujuan dan lanjutkan' }).click();
    await page.getByRole('button', { name: 'Mulai pemeriksaan' }).click();
    await poll(() => page.getByRole('heading', { name: /Tolehkan kepala/ }).count()).toBe(1);

    // The camera: asked for once, its preview plays the fake camera's picture.
    await page.getByRole('button', { name: 'Pakai kamera' }).click();
    const preview = page.getByLabel('Pakai kamera');
    await poll(() => preview.isVisible()).toBe(true);
    await poll(() => preview.evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBe(SIZE);
    expect(await page.evaluate(() => (window as unknown as { cameraRequests: number }).cameraRequests)).toBe(1);
    const sent = async () => ((await page.evaluate(() => (window as unknown as { sentFrames: Promise<string[]> | null }).sentFrames)) ?? []).map((b) => Buffer.from(b, 'base64'));
    return { page, memberId: member.id, sent };
  }

  /** Presses "Ambil bingkai" in the same task as the preview is seen to show `target` (nearest thumbnail, with a clear margin). */
  const captureWhenShowing = (page: Page, target: 'straight' | 'turned') =>
    page.evaluate(
      async ({ target, refs }) => {
        const video = document.querySelector('video')!;
        const canvas = Object.assign(document.createElement('canvas'), { width: 16, height: 16 });
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Ambil bingkai')!;
        const other = target === 'straight' ? 'turned' : 'straight';
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          ctx.drawImage(video, 0, 0, 16, 16);
          const rgba = ctx.getImageData(0, 0, 16, 16).data;
          const grey = Array.from({ length: 256 }, (_, i) => 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!);
          const d = (ref: number[]) => grey.reduce((sum, v, i) => sum + Math.abs(v - ref[i]!), 0) / 256;
          if (d(refs[target]) < 0.5 * d(refs[other])) {
            button.click();
            return;
          }
        }
        throw new Error(`the preview never showed the ${target} picture`);
      },
      { target, refs },
    );

  it('a still picture on the camera: frames are captured and sent, and the check is refused because nothing moved', async () => {
    const video = path.join(tmp, 'still.y4m');
    await writeY4m(video, [{ image: fx.straight, frames: 2 * FPS }], { width: SIZE, height: SIZE, fps: FPS });
    const { page, memberId, sent } = await memberAtTheChallenge(video, 931);

    await page.getByRole('button', { name: 'Ambil bingkai' }).click();
    await poll(() => page.getByText('1 bingkai siap.').count()).toBe(1);
    await page.getByRole('button', { name: 'Ambil bingkai' }).click();
    await poll(() => page.getByText('2 bingkai siap.').count()).toBe(1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'face-camera-preview-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Periksa wajah saya' }).click();
    await poll(() => page.getByTestId('face-result').textContent(), 60_000).toContain('Gerakan yang diminta tidak terlihat di bingkai');
    await page.screenshot({ path: path.join(SHOTS, 'face-camera-still-refused-id-360.png'), fullPage: true });

    // What was sent: two camera frames (JPEG, the camera's size), both the still picture.
    const frames = await sent();
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      expect(await sharp(frame).metadata()).toMatchObject({ format: 'jpeg', width: SIZE, height: SIZE });
      const seen = await thumb(frame);
      expect(distance(seen, refs.straight)).toBeLessThan(distance(seen, refs.turned));
    }
    const checks = await t.database.db.selectFrom('face_checks').select(['status', 'reason']).where('member_id', '=', memberId).execute();
    expect(checks).toEqual([{ status: 'refused', reason: 'challenge_not_followed' }]);
    expect(await t.database.db.selectFrom('face_badges').select('member_id').where('member_id', '=', memberId).execute()).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('a camera picture that turns its head, captured on the steps: the frames show the turn and the member is verified', async () => {
    const video = path.join(tmp, 'turn.y4m');
    await writeY4m(
      video,
      [
        { image: fx.straight, frames: 2 * FPS },
        { image: fx.turned, frames: 2 * FPS },
      ],
      { width: SIZE, height: SIZE, fps: FPS },
    );
    const { page, memberId, sent } = await memberAtTheChallenge(video, 932);

    await captureWhenShowing(page, 'straight');
    await poll(() => page.getByText('1 bingkai siap.').count()).toBe(1);
    await captureWhenShowing(page, 'turned');
    await poll(() => page.getByText('2 bingkai siap.').count()).toBe(1);
    await page.getByRole('button', { name: 'Periksa wajah saya' }).click();
    await poll(() => page.getByTestId('face-result').textContent(), 60_000).toContain('Terverifikasi!');
    await poll(() => page.getByTestId('face-status').textContent()).toContain('Profil Anda terverifikasi');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'face-camera-verified-id-360.png'), fullPage: true });

    const frames = await sent();
    expect(frames).toHaveLength(2);
    const [first, second] = await Promise.all(frames.map(thumb));
    expect(distance(first!, refs.straight)).toBeLessThan(distance(first!, refs.turned));
    expect(distance(second!, refs.turned)).toBeLessThan(distance(second!, refs.straight));
    expect(await t.database.db.selectFrom('face_badges').select('method').where('member_id', '=', memberId).execute()).toEqual([{ method: 'automatic' }]);
    await page.context().close();
  }, 180_000);
});
