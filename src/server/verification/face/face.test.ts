import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { grantStaffRole } from '../../ops/staff/guard.js';
import { faceWarmupEnabled, loadConfig } from '../../config.js';
import { verifiedMembers } from './badge.js';
import { cgroupDirectory, ownCpuCgroup } from '../../platform/workers/idle-cgroup.js';
import { makeFaceEngine, startFaceWarmup } from './engine.js';
import { DEMO_DIR, makeFaceFixture, type FaceFixture } from './test-faces.js';
import { makeFaceService } from './service.js';

// One app (and so one face worker, models loaded once) for the whole file.
let t: TestApp;
let fx: FaceFixture;
let n = 0;

beforeAll(async () => {
  t = await createTestApp({ workers: false });
  fx = await makeFaceFixture(t.services.face.engine);
  t.services.face.setChallengePickerForTests(() => fx.challenge);
}, 120_000);
afterAll(() => t?.close());

const db = () => t.database.db;

/** An active member whose profile photo is the fixture face, signed in; returns a cookie-carrying request helper. */
async function member(options: { photo?: Buffer } = {}) {
  const m = await signUpMember(t, 600 + ++n);
  const photo = await db().selectFrom('member_photos').select('storage_path').where('member_id', '=', m.id).executeTakeFirstOrThrow();
  fs.writeFileSync(path.join(t.dataDir, photo.storage_path), options.photo ?? fx.profile);
  const res = await signIn(t, m.username, PASSWORD, { ip: `198.51.100.${n}` });
  const session = sessionCookieOf(res)!;
  const headers = async () => {
    const csrf = await csrfHeaders(t.app);
    return { ...csrf, cookie: `${csrf.cookie}; ${session.name}=${session.value}`, 'accept-language': 'id' };
  };
  return { ...m, headers };
}

async function frames(m: { headers: () => Promise<Record<string, string>> }, checkId: string, images: Buffer[], type = 'image/jpeg') {
  const form = new FormData();
  form.append('checkId', checkId);
  for (const [i, image] of images.entries()) form.append('frames', new Blob([new Uint8Array(image)], { type }), `f${i}.jpg`);
  return t.app.inject({ method: 'POST', url: '/api/me/face/checks', headers: await m.headers(), payload: form });
}

async function challenge(m: { headers: () => Promise<Record<string, string>> }) {
  const res = await t.app.inject({ method: 'POST', url: '/api/me/face/challenge', headers: await m.headers() });
  return res;
}

async function consent(m: { headers: () => Promise<Record<string, string>> }, granted: boolean) {
  return t.app.inject({ method: 'PUT', url: '/api/me/face/consent', headers: await m.headers(), payload: { granted } });
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('face engine pool', () => {
  it('survives garbage, truncated and oversized images and a crashing task, then still detects faces', async () => {
    const engine = t.services.face.engine;
    expect(await engine.analyse(Buffer.from('not an image at all'))).toEqual({ ok: false, error: 'unsupportedType' });
    expect(await engine.analyse(fx.straight.subarray(0, Math.floor(fx.straight.length / 2)))).toEqual({ ok: false, error: 'corrupt' });
    // 9000 × 5000 = 45 MP (over 40 MP) but a tiny PNG: refused from the header, never decoded.
    const bomb = await sharp({ create: { width: 9000, height: 5000, channels: 3, background: '#888' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(10 * 1024 * 1024);
    expect(await engine.analyse(bomb)).toEqual({ ok: false, error: 'tooLarge' });
    expect(await engine.analyse(Buffer.concat([fx.straight, Buffer.alloc(10 * 1024 * 1024)]))).toEqual({ ok: false, error: 'tooLarge' });
    expect(await engine.crashOnce('throw')).toBe('failed');
    const after = await engine.analyse(fx.straight);
    expect(after.ok && after.faces.length).toBe(1);
    expect(after.ok && after.faces[0]!.embedding.length).toBe(1024);
    // The worker process dies mid-task: that analysis fails, a new worker (models loaded again) takes the next.
    const pidBefore = (await engine.stats()).pid;
    expect(await engine.crashOnce('exit')).toBe('failed');
    const again = await engine.analyse(fx.turned);
    expect(again.ok && again.faces.length).toBe(1);
    expect((await engine.stats()).pid).not.toBe(pidBefore);
  }, 60_000);

  it('analyses a profile photo without the anti-spoofing, liveness and expression models, to the same embedding', async () => {
    const engine = t.services.face.engine;
    const asFrame = await engine.analyse(fx.profile);
    const asProfile = await engine.analyse(fx.profile, 'profile');
    if (!asFrame.ok || !asProfile.ok) throw new Error('fixture not analysed');
    expect(asProfile.faces).toHaveLength(1);
    const [frame, profile] = [asFrame.faces[0]!, asProfile.faces[0]!];
    expect(frame.real).toBeGreaterThan(0);
    expect(frame.live).toBeGreaterThan(0);
    expect(Object.keys(frame.emotion).length).toBeGreaterThan(0);
    expect(profile).toMatchObject({ real: 0, live: 0, emotion: {} });
    expect(profile.box).toEqual(frame.box);
    expect(profile.embedding).toEqual(frame.embedding);
    // The next frame gets every model again (detect() keeps the last configuration it was given).
    const next = await engine.analyse(fx.straight);
    expect(next.ok && next.faces[0]!.real).toBeGreaterThan(0);
  }, 60_000);

  it('kills a worker whose task runs past the task timeout: that task fails and a new worker takes the next', async () => {
    // No model load in this test (stats and the hang task need none): under a loaded machine the worker,
    // at SCHED_IDLE, may take seconds to load them, and the timeout counts for every task alike.
    const engine = makeFaceEngine({ size: 1, taskTimeoutMs: 10_000, priority: 'normal' });
    try {
      const pid = (await engine.stats()).pid;
      expect(await engine.crashOnce('hang')).toBe('failed');
      // The hung worker was killed and a new one answers.
      expect((await engine.stats()).pid).not.toBe(pid);
      await expect.poll(() => fs.existsSync(`/proc/${pid}`), { timeout: 5_000 }).toBe(false);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('runs the models in a separate process whose every thread is SCHED_IDLE at the production priority (Linux with chrt)', async () => {
    // The test app's engine runs at normal priority (test/support/app.ts); this one as in production.
    const engine = makeFaceEngine({ size: 1, priority: 'idle' });
    try {
      const stats = await engine.stats();
      expect(stats.pid).not.toBe(process.pid);
      if (process.platform === 'linux' && fs.existsSync('/usr/bin/chrt')) {
        // The inference, libuv's pool (sharp's decoding) and V8's helper threads: all of them give way to the server.
        expect(stats.scheduling!.threads).toBeGreaterThan(4);
        expect(stats.scheduling!.idle).toBe(stats.scheduling!.threads);
      }
      const normal = await t.services.face.engine.stats();
      expect(normal.pid).not.toBe(process.pid);
      expect(normal.scheduling?.idle ?? 0).toBe(0);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('puts the idle worker process in a cgroup marked cpu.idle where the server may make one, and removes it when the engine closes', async () => {
    const engine = makeFaceEngine({ size: 1, priority: 'idle', cgroup: 'auto' });
    const testCgroup = process.platform === 'linux' ? ownCpuCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')) : undefined;
    const dir = testCgroup && cgroupDirectory(fs.readFileSync('/proc/self/mountinfo', 'utf8'), testCgroup);
    const made = dir ? path.join(dir, `kenalan-face-${process.pid}`) : undefined;
    try {
      const { cpuGroup } = await engine.warmup();
      const stats = await engine.stats();
      if (cpuGroup.startsWith('idle cgroup')) {
        // Linux where this process may write the cgroup tree (root on v1, as on CI): the worker is in it.
        expect(cpuGroup).toBe(`idle cgroup ${made}`);
        expect(stats.cgroup).toBe(path.posix.join(testCgroup!.path, `kenalan-face-${process.pid}`));
        const idleMark = path.join(made!, 'cpu.idle');
        expect(fs.readFileSync(fs.existsSync(idleMark) ? idleMark : path.join(made!, testCgroup!.version === 1 ? 'cpu.shares' : 'cpu.weight'), 'utf8').trim()).toMatch(/^[12]$/);
        // The worker still answers from there.
        const answer = await engine.analyse(fx.straight);
        expect(answer.ok && answer.faces.length).toBe(1);
      } else {
        // Elsewhere the worker stays in the server's cgroup and the log says why.
        expect(cpuGroup).toMatch(/^own cgroup \(.+\)$/);
        expect(stats.cgroup).toBe(testCgroup?.path ?? null);
      }
    } finally {
      await engine.close();
    }
    if (made) expect(fs.existsSync(made)).toBe(false);
  }, 120_000);
});

describe('face model warm-up at start (FACE_WARMUP)', () => {
  it('loads in the background: requests are answered meanwhile, and a frame sent during the load waits for the models', async () => {
    const engine = makeFaceEngine({ size: 1, priority: 'normal' });
    const logged: string[] = [];
    const logger = { info: (_: object, msg: string) => logged.push(`info: ${msg}`), warn: (_: object, msg: string) => logged.push(`warn: ${msg}`) };
    try {
      let warm = false;
      const warming = startFaceWarmup(engine, logger as unknown as Parameters<typeof startFaceWarmup>[1]).then(() => (warm = true));
      // Loading takes 0.5–8 s in the worker process; the event loop answers a request long before that.
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(warm).toBe(false);
      const early = await engine.analyse(fx.straight);
      expect(early.ok && early.faces.length).toBe(1);
      await warming;
      expect(logged).toEqual(['info: face models loaded']);
      const stats = await engine.stats();
      expect(stats.loaded).toBe(true);
      // Every tensor of the frame was disposed: only the models' own weights stay alive.
      const before = stats.tensors;
      await engine.analyse(fx.turned);
      expect((await engine.stats()).tensors).toBe(before);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('stops the worker processes after FACE_IDLE_MINUTES without a task, and starts them again for the next check', async () => {
    const engine = makeFaceEngine({ size: 1, idleMs: 400, priority: 'normal' });
    try {
      expect(engine.running()).toBe(false);
      const first = await engine.analyse(fx.straight);
      expect(first.ok && first.faces.length).toBe(1);
      const pid = (await engine.stats()).pid;
      expect(engine.running()).toBe(true);
      // Stopped: the worker process is gone, and with it the models' memory.
      await expect.poll(() => engine.running(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => fs.existsSync(`/proc/${pid}`), { timeout: 5_000 }).toBe(false);
      const again = await engine.analyse(fx.turned);
      expect(again.ok && again.faces.length).toBe(1);
      expect((await engine.stats()).pid).not.toBe(pid);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('replaces a worker that analysed photos by a fresh one with the models loaded after FACE_REFRESH_IDLE_SECONDS, and gives the grown memory back', async () => {
    const engine = makeFaceEngine({ size: 1, refreshIdleMs: 500, priority: 'normal' });
    try {
      await engine.warmup();
      const loaded = await engine.stats();
      // Neither the warm-up nor a diagnostics read is work: the loaded worker stays as it is.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(engine.refreshes()).toBe(0);
      expect((await engine.stats()).pid).toBe(loaded.pid);
      const first = await engine.analyse(fx.straight);
      expect(first.ok && first.faces.length).toBe(1);
      const used = await engine.stats();
      // The model memory grew with the analysis, and a WebAssembly memory never shrinks.
      expect(used.wasmHeap).toBeGreaterThan(loaded.wasmHeap);
      await expect.poll(() => engine.refreshes(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => fs.existsSync(`/proc/${used.pid}`), { timeout: 5_000 }).toBe(false);
      const fresh = await engine.stats();
      expect(fresh.pid).not.toBe(used.pid);
      // The fresh worker loaded its models before any check asked (the refresh warmed it).
      expect(fresh.loaded).toBe(true);
      expect(fresh.wasmHeap).toBe(loaded.wasmHeap);
      // And answers the next check exactly as the used one did.
      const again = await engine.analyse(fx.straight);
      expect(again.ok && again.faces[0]!.embedding).toEqual(first.ok && first.faces[0]!.embedding);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('is on by default except in tests, and FACE_WARMUP decides when set', () => {
    expect(faceWarmupEnabled(loadConfig({ NODE_ENV: 'test' }))).toBe(false);
    expect(faceWarmupEnabled(loadConfig({ NODE_ENV: 'development' }))).toBe(true);
    expect(faceWarmupEnabled(loadConfig({ NODE_ENV: 'test', FACE_WARMUP: 'true' }))).toBe(true);
    expect(faceWarmupEnabled(loadConfig({ NODE_ENV: 'development', FACE_WARMUP: 'false' }))).toBe(false);
    expect(() => loadConfig({ FACE_WARMUP: 'sometimes' })).toThrow(/FACE_WARMUP/);
  });
});

describe('face verification over HTTP', () => {
  it('refuses a check without biometric consent, and the generic consents page cannot give it', async () => {
    const m = await member();
    const res = await challenge(m);
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('persetujuan');
    const viaPrivacyPage = await t.app.inject({ method: 'PUT', url: '/api/me/consents/biometric_verification', headers: await m.headers(), payload: { granted: true } });
    expect(viaPrivacyPage.statusCode).toBe(409);
    expect(viaPrivacyPage.json().detail).toContain('Verifikasi wajah');
    const ledger = await db().selectFrom('consent_ledger').select('event').where('subject_id', '=', m.id).where('purpose', '=', 'biometric_verification').execute();
    expect(ledger).toEqual([]);
  });

  it('analyses the profile photos while the member takes the frames, and again only if a photo changed meanwhile', async () => {
    // The app's engine, counting what it is asked to analyse.
    const asked: string[] = [];
    const engine = t.services.face.engine;
    const counting = { ...engine, analyse: (image: Uint8Array, purpose: 'frame' | 'profile' = 'frame') => (asked.push(purpose), engine.analyse(image, purpose)) };
    const svc = makeFaceService({ db: db(), keyring: t.services.keyring, consent: t.services.consent, engine: counting, dataDir: t.dataDir, logger: t.services.logger, pickChallenge: () => fx.challenge });
    const m = await member();
    await consent(m, true);
    const profiles = () => asked.filter((p) => p === 'profile').length;

    // The challenge starts the profile photo's analysis; the check then waits only for its frames.
    const c1 = await svc.startChallenge(m.id);
    await expect.poll(profiles, { timeout: 30_000 }).toBe(1);
    expect(await svc.check(m.id, c1.id, [fx.straight, fx.turned])).toEqual({ status: 'verified' });
    expect(asked).toEqual(['profile', 'frame', 'frame']);

    // The photo replaced between challenge and check: analysed again, and the new face decides.
    asked.length = 0;
    const c2 = await svc.startChallenge(m.id);
    await expect.poll(profiles, { timeout: 30_000 }).toBe(1);
    const photo = await db().selectFrom('member_photos').select('storage_path').where('member_id', '=', m.id).executeTakeFirstOrThrow();
    fs.writeFileSync(path.join(t.dataDir, photo.storage_path), fx.other);
    expect(await svc.check(m.id, c2.id, [fx.straight, fx.turned])).toEqual({ status: 'refused', reason: 'no_match' });
    expect(asked).toEqual(['profile', 'frame', 'frame', 'profile']);

    // A check refused on its frames, or a withdrawal, forgets the prefetched faces at once.
    fs.writeFileSync(path.join(t.dataDir, photo.storage_path), fx.profile);
    const c3 = await svc.startChallenge(m.id);
    expect(svc.profileFacesHeld()).toBe(1);
    expect(await svc.check(m.id, c3.id, [fx.straight, fx.straight])).toMatchObject({ status: 'refused', reason: 'challenge_not_followed' });
    expect(svc.profileFacesHeld()).toBe(0);
    await svc.startChallenge(m.id);
    expect(svc.profileFacesHeld()).toBe(1);
    await consent(m, false); // the consents ledger calls the last face service registered: svc
    expect(svc.profileFacesHeld()).toBe(0);
    expect(await svc.status(m.id)).toMatchObject({ consent: false, hasTemplate: false, verified: false });
  }, 120_000);

  it('verifies with the challenge followed, badges the member, keeps only an encrypted template, and withdrawal deletes it all at once', async () => {
    const m = await member();
    const viewer = await member();
    expect((await consent(m, true)).json().consent).toBe(true);
    const ledger = await db().selectFrom('consent_ledger').select(['event', 'purpose']).where('subject_id', '=', m.id).where('purpose', '=', 'biometric_verification').execute();
    expect(ledger).toEqual([{ event: 'consent_granted', purpose: 'biometric_verification' }]);

    // A still photo as every frame fails the challenge.
    const c1 = (await challenge(m)).json();
    expect(c1.challenge).toBe(fx.challenge);
    expect(c1.instruction).toMatch(/Tolehkan/);
    const not = await frames(m, c1.id, [fx.straight, fx.straight, fx.straight]);
    expect(not.json()).toMatchObject({ status: 'refused', reason: 'challenge_not_followed' });
    expect(not.json().message).toContain('Gerakan yang diminta');
    // The check is closed: the same challenge cannot be retried.
    expect((await frames(m, c1.id, [fx.straight, fx.turned])).statusCode).toBe(400);

    // Not an image: a request error, nothing analysed; the challenge stays open for real frames.
    const c2 = (await challenge(m)).json();
    const text = await frames(m, c2.id, [Buffer.from('hello'), Buffer.from('world')], 'image/jpeg');
    expect(text.statusCode).toBe(415);
    expect(text.json().detail).toContain('bukan foto');
    const ok = await frames(m, c2.id, [fx.straight, fx.turned]);
    expect(ok.json()).toMatchObject({ status: 'verified', reason: null });

    const status = (await t.app.inject({ method: 'GET', url: '/api/me/face', headers: await m.headers() })).json();
    expect(status).toMatchObject({ consent: true, verified: true, hasTemplate: true, method: 'automatic', attemptsLeft: 3, lastCheck: { status: 'verified', reason: null, reasonMessage: null, decidedBy: 'automatic' } });
    const template = await db().selectFrom('face_templates').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(template.data_key).toMatch(/^enc:v1:/);
    expect(template.embedding).toMatch(/^enc:v1:/);
    const floats = await t.services.face.template(m.id);
    expect(floats?.length).toBe(1024);
    // No frame was written anywhere.
    expect(filesUnder(path.join(t.dataDir, 'media', 'members', m.id, 'face'))).toEqual([]);

    // Another member sees the badge.
    const badges = await t.app.inject({ method: 'GET', url: `/api/face/badges?ids=${m.id},${viewer.id}`, headers: await viewer.headers() });
    expect(badges.json().verified).toEqual([m.id]);

    // Withdrawal from the generic consents page deletes template and badge in the same transaction.
    const off = await t.app.inject({ method: 'PUT', url: '/api/me/consents/biometric_verification', headers: await m.headers(), payload: { granted: false } });
    expect(off.statusCode).toBe(200);
    expect(await db().selectFrom('face_templates').select('id').where('member_id', '=', m.id).execute()).toEqual([]);
    expect(await verifiedMembers(db(), [m.id])).toEqual(new Set());
    const deleted = await db().selectFrom('audit_log').select('details').where('action', '=', 'face.data_deleted').where('subject_id', '=', m.id).execute();
    expect(deleted.map((d) => d.details)).toEqual([{ templates: 1, badges: 1, reviews: 0, files: 0 }]);
    expect((await challenge(m)).statusCode).toBe(403);
    // Consent given again: the checks from before the withdrawal are not reported any more.
    expect((await consent(m, true)).json()).toMatchObject({ consent: true, verified: false, lastCheck: null });
  }, 120_000);

  it('says why a check is refused, in the member’s language, and limits attempts to 5 a day', async () => {
    const m = await member();
    await consent(m, true);
    const cases: [Buffer[], string][] = [
      [[fx.straight, fx.other], 'frames_differ'],
      [[fx.straight, fx.straight.subarray(0, 3000)], 'bad_image'],
      [[await sharp({ create: { width: 400, height: 400, channels: 3, background: '#6a8' } }).jpeg().toBuffer(), fx.turned], 'no_face'],
      [[await sharp(fx.straight).linear(0.08, 0).jpeg().toBuffer(), fx.turned], 'too_dark'],
    ];
    for (const [images, reason] of cases) {
      const c = (await challenge(m)).json();
      const res = await frames(m, c.id, images);
      expect(res.json(), reason).toMatchObject({ status: 'refused', reason });
    }
    // After a reload the page still knows why: the last check's outcome, reason and message in the member's language.
    const afterReload = await t.app.inject({ method: 'GET', url: '/api/me/face', headers: await m.headers() });
    expect(afterReload.json().lastCheck).toMatchObject({ status: 'refused', reason: 'too_dark', decidedBy: 'automatic' });
    expect(afterReload.json().lastCheck.reasonMessage).toContain('terlalu gelap');
    expect(Date.parse(afterReload.json().lastCheck.at)).toBeGreaterThan(Date.now() - 10 * 60 * 1000);
    const inEnglish = await t.app.inject({ method: 'GET', url: '/api/me/face', headers: { ...(await m.headers()), 'accept-language': 'en' } });
    expect(inEnglish.json().lastCheck.reasonMessage).toContain('too dark');
    const fifth = (await challenge(m)).json();
    expect(fifth.attemptsLeft).toBe(0);
    const sixth = await challenge(m);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().detail).toContain('5');
    const rows = await db().selectFrom('face_checks').select(['status', 'reason']).where('member_id', '=', m.id).orderBy('created_at').execute();
    expect(rows.map((r) => r.reason)).toEqual(['frames_differ', 'bad_image', 'no_face', 'too_dark', null]);
    expect(rows.at(-1)!.status).toBe('open');
    // Several faces, and someone else's face against the profile photo, with a fresh member.
    const other = await member({ photo: fx.other });
    await consent(other, true);
    const group = await sharp(fs.readFileSync(path.join(DEMO_DIR, 'sample1.jpg'))).resize({ width: 800 }).jpeg().toBuffer();
    const c1 = (await challenge(other)).json();
    expect((await frames(other, c1.id, [group, group])).json()).toMatchObject({ status: 'refused', reason: 'several_faces' });
    const c2 = (await challenge(other)).json();
    const noMatch = await frames(other, c2.id, [fx.straight, fx.turned]);
    expect(noMatch.json()).toMatchObject({ status: 'refused', reason: 'no_match' });
    expect(noMatch.json().message).toContain('tidak cocok');
  }, 180_000);

  it('sends a borderline check to a face reviewer, who sees the encrypted frames only while the case is open (audited)', async () => {
    // A service with the automatic threshold out of reach puts a genuine match in the review band.
    const strict = makeFaceService({ db: db(), keyring: t.services.keyring, consent: t.services.consent, engine: t.services.face.engine, dataDir: t.dataDir, logger: t.services.logger, thresholds: { match: 0.9999 }, pickChallenge: () => fx.challenge });
    const m = await member();
    await consent(m, true);
    const c = await strict.startChallenge(m.id);
    // The first frame carries the phone's GPS position in its EXIF block (as an API client could send it).
    const withGps = await sharp(fx.straight).withExif({ IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '6/1 10/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 49/1 0/1' } }).jpeg({ quality: 90 }).toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    expect(withGps.includes(Buffer.from('Exif\0\0'))).toBe(true);
    expect(await strict.check(m.id, c.id, [withGps, fx.turned])).toEqual({ status: 'review' });
    const dir = path.join(t.dataDir, 'media', 'members', m.id, 'face');
    const stored = filesUnder(dir);
    expect(stored).toHaveLength(2);
    for (const file of stored) expect(fs.readFileSync(file).subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(await verifiedMembers(db(), [m.id])).toEqual(new Set());

    const staff = await member();
    await grantStaffRole(db(), staff.username, 'face_reviewer');
    // A member without the role is refused.
    expect((await t.app.inject({ method: 'GET', url: '/api/staff/face-reviews', headers: await m.headers() })).statusCode).toBe(403);
    const list = (await t.app.inject({ method: 'GET', url: '/api/staff/face-reviews', headers: await staff.headers() })).json();
    const id = list.cases.find((x: { id: string }) => x.id)!.id as string;
    const one = await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}`, headers: await staff.headers() });
    expect(one.json().memberId).toBe(m.id);
    expect(one.json().scores.similarity).toBeGreaterThan(0.72);
    const frame = await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/frames/0`, headers: await staff.headers() });
    expect(frame.statusCode).toBe(200);
    // The reviewer sees a copy re-encoded from the pixels: the same picture, without the GPS position (P4.6).
    const shown = await sharp(frame.rawPayload).metadata();
    expect(shown).toMatchObject({ format: 'jpeg', width: 480, height: 480 });
    expect(shown.exif).toBeUndefined();
    expect(frame.rawPayload.includes(Buffer.from('Exif\0\0'))).toBe(false);
    const reads = await db().selectFrom('audit_log').select('details').where('action', '=', 'staff.data_read').where('subject_id', '=', m.id).execute();
    expect(reads.map((r) => (r.details as { what: string }).what).sort()).toEqual(['face_review_frame', 'face_review_scores']);

    const decided = await t.app.inject({ method: 'POST', url: `/api/staff/face-reviews/${id}/decision`, headers: await staff.headers(), payload: { decision: 'approved' } });
    expect(decided.json()).toEqual({ status: 'approved' });
    expect(filesUnder(dir)).toEqual([]);
    const row = await db().selectFrom('face_reviews').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'approved', data_key: null, embedding: null, decided_by: staff.id });
    expect((await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/frames/0`, headers: await staff.headers() })).statusCode).toBe(404);
    expect(await db().selectFrom('face_badges').select('method').where('member_id', '=', m.id).executeTakeFirst()).toEqual({ method: 'review' });
    const meFace = async () => (await t.app.inject({ method: 'GET', url: '/api/me/face', headers: await m.headers() })).json();
    expect((await meFace()).lastCheck).toMatchObject({ status: 'verified', reason: null, decidedBy: 'reviewer' });

    // A borderline case a reviewer rejects: the member sees it is refused, why and by whom, after a reload too.
    const rejectedCase = await strict.startChallenge(m.id);
    expect(await strict.check(m.id, rejectedCase.id, [fx.straight, fx.turned])).toEqual({ status: 'review' });
    expect((await meFace()).lastCheck).toMatchObject({ status: 'review', reason: null, decidedBy: 'automatic' });
    const rejectedId = (await db().selectFrom('face_reviews').select('id').where('check_id', '=', rejectedCase.id).executeTakeFirstOrThrow()).id;
    const rejection = await t.app.inject({ method: 'POST', url: `/api/staff/face-reviews/${rejectedId}/decision`, headers: await staff.headers(), payload: { decision: 'rejected', reason: 'no_match' } });
    expect(rejection.json()).toEqual({ status: 'rejected' });
    const refusedByReviewer = (await meFace()).lastCheck;
    expect(refusedByReviewer).toMatchObject({ status: 'refused', reason: 'no_match', decidedBy: 'reviewer' });
    expect(refusedByReviewer.reasonMessage).toContain('tidak cocok');
    const decidedAt = await db().selectFrom('face_reviews').select('decided_at').where('id', '=', rejectedId).executeTakeFirstOrThrow();
    expect(refusedByReviewer.at).toBe(decidedAt.decided_at!.toISOString());

    // A second borderline case, then withdrawal: keys, frames, template and badge go together.
    const c2 = await strict.startChallenge(m.id);
    expect(await strict.check(m.id, c2.id, [fx.straight, fx.turned])).toEqual({ status: 'review' });
    expect(filesUnder(dir)).toHaveLength(2);
    expect((await consent(m, false)).json()).toMatchObject({ consent: false, verified: false, hasTemplate: false, inReview: false });
    expect(filesUnder(dir)).toEqual([]);
    const open = await db().selectFrom('face_reviews').select(['status', 'data_key']).where('member_id', '=', m.id).where('check_id', '=', c2.id).executeTakeFirstOrThrow();
    expect(open).toEqual({ status: 'withdrawn', data_key: null });
  }, 180_000);

  it('lets a reviewer see how long a case waited and the profile photos, requires a reason to reject, and shows every read on the member’s access log', async () => {
    // The case was opened two hours ago (the service's clock), so the queue reports the wait.
    const twoHoursAgo = () => new Date(Date.now() - 2 * 3600 * 1000);
    const strict = makeFaceService({ db: db(), keyring: t.services.keyring, consent: t.services.consent, engine: t.services.face.engine, dataDir: t.dataDir, logger: t.services.logger, thresholds: { match: 0.9999 }, pickChallenge: () => fx.challenge, clock: twoHoursAgo });
    const m = await member();
    await consent(m, true);
    const c = await strict.startChallenge(m.id);
    expect(await strict.check(m.id, c.id, [fx.straight, fx.turned])).toEqual({ status: 'review' });
    const dir = path.join(t.dataDir, 'media', 'members', m.id, 'face');
    const staff = await member();
    await grantStaffRole(db(), staff.username, 'face_reviewer');

    const list = (await t.app.inject({ method: 'GET', url: '/api/staff/face-reviews', headers: await staff.headers() })).json() as { cases: { id: string; createdAt: string; waitedSeconds: number }[] };
    const entry = list.cases.find((x) => Date.parse(x.createdAt) < Date.now() - 3600 * 1000)!;
    expect(entry.waitedSeconds).toBeGreaterThanOrEqual(2 * 3600 - 5);
    expect(entry.waitedSeconds).toBeLessThan(2 * 3600 + 600);
    expect(list.cases.map((x) => x.createdAt)).toEqual([...list.cases.map((x) => x.createdAt)].sort());
    const id = entry.id;
    const one = (await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}`, headers: await staff.headers() })).json();
    expect(one).toMatchObject({ memberId: m.id, profilePhotos: 1, rejectReasons: ['no_match', 'spoof_suspected', 'challenge_not_followed', 'frames_differ'], thresholds: { match: 0.72, review: 0.62 } });
    const photo = await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/profile-photos/0`, headers: await staff.headers() });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['cache-control']).toBe('no-store, private');
    expect(photo.rawPayload.equals(fx.profile)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/profile-photos/1`, headers: await staff.headers() })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/frames/1`, headers: await staff.headers() })).statusCode).toBe(200);
    // Neither the member nor another member may read the case's images.
    expect((await t.app.inject({ method: 'GET', url: `/api/staff/face-reviews/${id}/profile-photos/0`, headers: await m.headers() })).statusCode).toBe(403);

    // Bad decisions: a clear localized error, and the case stays open with its frames.
    const decide = async (payload: object) => t.app.inject({ method: 'POST', url: `/api/staff/face-reviews/${id}/decision`, headers: await staff.headers(), payload });
    const noReason = await decide({ decision: 'rejected' });
    expect(noReason.statusCode).toBe(400);
    expect(JSON.stringify(noReason.json())).toContain('Pilih alasan');
    const reasonWithApproval = await decide({ decision: 'approved', reason: 'no_match' });
    expect(reasonWithApproval.statusCode).toBe(400);
    expect(JSON.stringify(reasonWithApproval.json())).toContain('tidak memerlukan alasan');
    expect((await decide({ decision: 'rejected', reason: 'looks_odd' })).statusCode).toBe(400);
    expect(await db().selectFrom('face_reviews').select('status').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'open' });
    expect(filesUnder(dir)).toHaveLength(2);

    // A rejection with a reason: the member's attempt is refused with it; nothing of the case can be read any more.
    expect((await decide({ decision: 'rejected', reason: 'spoof_suspected' })).json()).toEqual({ status: 'rejected' });
    expect(await db().selectFrom('face_checks').select(['status', 'reason']).where('id', '=', c.id).executeTakeFirstOrThrow()).toEqual({ status: 'refused', reason: 'spoof_suspected' });
    const decided = await db().selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'face.review_decided').where('subject_id', '=', m.id).execute();
    expect(decided).toEqual([{ actor_id: staff.id, details: { reviewId: id, checkId: c.id, decision: 'rejected', reason: 'spoof_suspected' } }]);
    expect(filesUnder(dir)).toEqual([]);
    for (const url of [`/api/staff/face-reviews/${id}`, `/api/staff/face-reviews/${id}/frames/0`, `/api/staff/face-reviews/${id}/profile-photos/0`]) {
      expect((await t.app.inject({ method: 'GET', url, headers: await staff.headers() })).statusCode, url).toBe(404);
    }
    expect((await decide({ decision: 'approved' })).statusCode).toBe(404);
    expect(await verifiedMembers(db(), [m.id])).toEqual(new Set());
    expect((await t.app.inject({ method: 'GET', url: '/api/staff/face-reviews', headers: await staff.headers() })).json().cases.map((x: { id: string }) => x.id)).not.toContain(id);

    // The member's "your data" access log shows each staff read: role, purpose and what was read.
    const data = (await t.app.inject({ method: 'GET', url: '/api/me/data', headers: await m.headers() })).json() as { accesses: { role: string; purpose: string; what: string | null }[] };
    const reads = data.accesses.filter((a) => a.what !== null);
    expect(reads.map((a) => a.what).sort()).toEqual(['face_review_frame', 'face_review_profile_photo', 'face_review_scores']);
    for (const read of reads) expect(read).toMatchObject({ role: 'face_reviewer', purpose: 'biometric_verification' });
  }, 180_000);
});
