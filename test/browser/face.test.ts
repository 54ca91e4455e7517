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
import { signInThroughForm } from './member-browser.js';

/**
 * Face verification (P1.5) in Chromium at phone size, upload path: the separate biometric consent
 * screen, a check whose frames are a face-api demo face (the member's profile photo is the same
 * face), the badge seen by another member, and withdrawal deleting template and badge.
 *
 * TEST HOOK: the challenge is fixed with `setChallengePickerForTests` (refused outside
 * NODE_ENV=test) to the head turn that the derived frames show — the second frame is the first one
 * mirrored, which moves the yaw; no derived image can show a smile.
 */
describe.runIf(hasChromium)('face verification (Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let origin: string;
  let fx: FaceFixture;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-face-'));

  beforeAll(async () => {
    t = await createTestApp();
    fx = await makeFaceFixture(t.services.face.engine);
    t.services.face.setChallengePickerForTests(() => fx.challenge);
    ({ server, origin } = await serveOverHttps(t));
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const signedIn = (username: string) => signInThroughForm(browser, origin, username, PASSWORD);

  const badgesSeenBy = (page: Page, id: string) =>
    page.evaluate(async (memberId) => {
      const res = await fetch(`/api/face/badges?ids=${memberId}`, { credentials: 'same-origin' });
      return ((await res.json()) as { verified: string[] }).verified;
    }, id);

  it('consent → check with uploaded frames → badge seen by another member → withdrawal deletes template and badge', async () => {
    const member = await signUpMember(t, 901);
    const viewer = await signUpMember(t, 902);
    const photo = await t.database.db.selectFrom('member_photos').select('storage_path').where('member_id', '=', member.id).executeTakeFirstOrThrow();
    fs.writeFileSync(path.join(t.dataDir, photo.storage_path), fx.profile);
    const straight = path.join(tmp, 'lurus.jpg');
    const turned = path.join(tmp, 'menoleh.jpg');
    fs.writeFileSync(straight, fx.straight);
    fs.writeFileSync(turned, fx.turned);

    const { context, page } = await signedIn(member.username);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: /Akun saya/ }).click();
    await page.getByRole('link', { name: 'Verifikasi wajah' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Verifikasi wajah');

    // The consent screen: what, why, how long, how to withdraw; nothing without the box ticked.
    await expect.poll(() => page.getByRole('heading', { name: 'Persetujuan Anda atas pemrosesan biometrik' }).count()).toBe(1);
    for (const heading of ['Apa yang diproses', 'Untuk apa', 'Berapa lama', 'Cara menarik persetujuan']) expect(await page.getByRole('heading', { name: heading }).count()).toBe(1);
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'face-consent-id-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Beri persetujuan dan lanjutkan' }).click();
    await expect.poll(() => page.getByText('Centang kotak untuk memberi persetujuan').count()).toBe(1);
    expect(await t.database.db.selectFrom('consent_ledger').select('id').where('subject_id', '=', member.id).where('purpose', '=', 'biometric_verification').execute()).toEqual([]);
    await page.getByRole('checkbox', { name: /Saya setuju Kenalan memproses wajah saya/ }).check();
    await page.getByRole('button', { name: 'Beri persetujuan dan lanjutkan' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Persetujuan diberikan');

    // A still photo as both frames is refused; after a reload the page still says why and what to do next.
    await page.getByRole('button', { name: 'Mulai pemeriksaan' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Tolehkan kepala/ }).count()).toBe(1);
    const straightAgain = path.join(tmp, 'lurus-lagi.jpg');
    fs.writeFileSync(straightAgain, fx.straight);
    await page.getByLabel('Bingkai swafoto (2–3 foto: lurus dulu, lalu gerakannya)').setInputFiles([straight, straightAgain]);
    await page.getByRole('button', { name: 'Periksa wajah saya' }).click();
    await expect.poll(() => page.getByTestId('face-result').textContent(), { timeout: 60_000 }).toContain('Gerakan yang diminta');
    await page.reload();
    const last = page.getByRole('region', { name: 'Pemeriksaan terakhir Anda' });
    await expect.poll(() => last.textContent()).toContain('Tidak terverifikasi');
    expect(await last.textContent()).toContain('Gerakan yang diminta tidak terlihat');
    expect(await last.textContent()).toContain('Langkah berikutnya: Ikuti saran di atas, lalu mulai pemeriksaan baru.');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'face-last-refused-id-360.png'), fullPage: true });

    // The check: the instruction, then the frames uploaded (no camera in this browser) as a phone's
    // gallery has them: 12 MP, stored sideways with an EXIF orientation tag, and the GPS position.
    const phoneFrames = await Promise.all(
      [fx.straight, fx.turned].map(async (frame, i) => {
        const upright = await sharp(frame).resize({ width: 3024, height: 4032, fit: 'cover' }).jpeg({ quality: 88 }).toBuffer();
        const file = path.join(tmp, `ponsel-${i}.jpg`);
        await sharp(upright).rotate(270).withMetadata({ orientation: 6 }).withExif({ IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '6/1 10/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 49/1 0/1' } }).jpeg({ quality: 88 }).toFile(file);
        return file;
      }),
    );
    await page.getByRole('button', { name: 'Mulai pemeriksaan' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Tolehkan kepala/ }).count()).toBe(1);
    await page.getByLabel('Bingkai swafoto (2–3 foto: lurus dulu, lalu gerakannya)').setInputFiles(phoneFrames);
    // The page decodes, shrinks and re-encodes two 12 MP photos first: seconds on a busy 2-core CI machine.
    await expect.poll(() => page.getByText('2 bingkai siap.').count(), { timeout: 20_000 }).toBe(1);
    // Chromium does not hand a file-backed request body to the test: the page's fetch keeps a copy.
    await page.evaluate(() => {
      const send = window.fetch.bind(window);
      const w = window as unknown as { sentFrames: Promise<number[][]>[] };
      w.sentFrames = [];
      window.fetch = (input, init) => {
        if (String(input).endsWith('/api/me/face/checks') && init?.body instanceof FormData) {
          w.sentFrames.push(Promise.all(init.body.getAll('frames').map(async (f) => [...new Uint8Array(await (f as Blob).arrayBuffer())])));
        }
        return send(input, init);
      };
    });
    await page.getByRole('button', { name: 'Periksa wajah saya' }).click();
    await expect.poll(() => page.getByTestId('face-result').textContent(), { timeout: 60_000 }).toContain('Terverifikasi!');
    // What left the browser: each frame shrunk on the phone to ≤ 1280 px, upright, with no EXIF block.
    const sentFrames = (await page.evaluate(() => Promise.all((window as unknown as { sentFrames: Promise<number[][]>[] }).sentFrames))).flat().map((bytes) => Buffer.from(bytes));
    expect(sentFrames).toHaveLength(2);
    for (const frame of sentFrames) {
      const meta = await sharp(frame).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 960, height: 1280 });
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
    }
    await expect.poll(() => page.getByTestId('face-status').textContent()).toContain('Profil Anda terverifikasi');
    await noHorizontalScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'face-verified-id-360.png'), fullPage: true });
    expect(await t.database.db.selectFrom('face_templates').select('member_id').where('member_id', '=', member.id).execute()).toHaveLength(1);
    expect(fs.existsSync(path.join(t.dataDir, 'media', 'members', member.id, 'face'))).toBe(false);

    // Another member sees the badge.
    const other = await signedIn(viewer.username);
    expect(await badgesSeenBy(other.page, member.id)).toEqual([member.id]);

    // Withdrawal on the page, with a confirmation step.
    await page.getByRole('button', { name: 'Tarik persetujuan dan hapus data wajah saya' }).click();
    await page.getByRole('button', { name: 'Ya, tarik dan hapus' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Persetujuan ditarik');
    await expect.poll(() => page.getByRole('heading', { name: 'Persetujuan Anda atas pemrosesan biometrik' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'face-withdrawn-id-360.png'), fullPage: true });
    expect(await t.database.db.selectFrom('face_templates').select('member_id').where('member_id', '=', member.id).execute()).toEqual([]);
    expect(await t.database.db.selectFrom('face_badges').select('member_id').where('member_id', '=', member.id).execute()).toEqual([]);
    expect(await badgesSeenBy(other.page, member.id)).toEqual([]);
    await other.context.close();
    await context.close();
  }, 240_000);
});
