// Face verification cost (issue 6): the server's RSS phase by phase through a working session (models
// loaded, sign-ups and sign-ins with argon2id, 12 MP phone selfies through the engine, whole checks
// over HTTPS, concurrent checks), with both threads' heaps, live tensors, the WASM heap and sharp's
// cache; time per frame and per verification; throughput of a pool of 1 and 2; and what running
// checks does to other requests (event-loop delay in the server, and the latency of GET /api/me and
// a chat history page as a separate client sees it; alternating busy/idle windows, the median of the
// busy/idle ratios).
//
// Three processes, so that the load generator never runs on the event loop it measures:
//   - the server (bench/face-server.ts): Kenalan with production settings over HTTPS on 127.0.0.1,
//     the allocator settings of `npm start`; it measures its own RSS, heaps and event-loop delay;
//   - the probe (bench/face-probe.ts): a signed-in member's requests, one at a time, every 5 ms;
//   - this process: sign-ups, sign-ins and the checks (challenge + multipart of 2 phone frames) over
//     HTTPS, and the report (a markdown table for bench/results/face.md).
// Usage: npx tsx bench/face.ts
//   BENCH_DATABASE_URL=postgres://…  an empty PostgreSQL database (unset = embedded PGlite, whose WASM
//                                    Postgres then counts in the server's RSS)
//   CHECKS=8 WINDOWS=5               sequential samples; busy/idle window pairs
//   WINDOW_CHECKS=4                  checks per busy window (2 members at once): longer windows, more samples per p99
//   BENCH_MALLOC=default              glibc's allocator defaults instead of the settings `npm start` uses
//   WINDOW_KINDS=checks,engine,none   busy windows of these kinds, each paired with an idle window: `checks`
//                                    (whole checks over HTTPS), `engine` (the same model work sent to the
//                                    engine over IPC: no upload, no HTTP, no database; a control), `none`
//                                    (nothing runs: an idle/idle pair, the measure's own noise)
//   WINDOW_FRAMES=web                 the frames the windows' checks upload: `web` (as the web page sends a
//                                    picked 12 MP photo: shrunk to ≤ 1280 px, FRAME_UPLOAD_MAX_SIDE) or `phone`
//                                    (the 12 MP photo as is, as an API client may send it)
//   ONLY_WINDOWS=1                    sign-ups and the windows only (no frame, sequential, refresh or pool phases)
//   MEMBER_PAUSE_MS=3000              challenge → frames in the "member's wait" measure (taking the frames)
//   CLIENT_NICE=19                    this load generator's nice value (it stands for phones elsewhere)
//   FACE_WORKER_CGROUP=auto           the server's setting (auto: the worker joins an idle cgroup where it can; off)
//   CPU_PROFILE=file.cpuprofile       a CPU profile of the server's main thread during the windows
//   BENCH_TSX=1                       the server from source under tsx (no compile step; ≈ 65 MB more RSS)
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FRAME_UPLOAD_MAX_SIDE } from '../src/common/face.js';
import { currentCpuCgroup } from '../src/server/platform/workers/idle-cgroup.js';
import type { ServerPhase } from './face-server.js';

// Kenalan's self-signed localhost certificate (the bench's own server on 127.0.0.1).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const root = path.resolve(import.meta.dirname, '..');
const CHECKS = Number(process.env.CHECKS ?? 8);
const WINDOWS = Number(process.env.WINDOWS ?? 5);
/** Checks per busy window, 2 members at once. */
const BUSY_CHECKS = Number(process.env.WINDOW_CHECKS ?? 4);
/** Members checking in one busy window: two lanes, each member at most 4 checks (5 attempts a day). */
const WINDOW_MEMBERS = 2 * Math.ceil(BUSY_CHECKS / 2 / 4);
const PROBE_INTERVAL_MS = 5;
type BusyKind = 'checks' | 'engine' | 'none';
const WINDOW_KINDS = (process.env.WINDOW_KINDS ?? 'checks').split(',') as BusyKind[];
if (WINDOW_KINDS.some((k) => k !== 'checks' && k !== 'engine' && k !== 'none')) throw new Error('WINDOW_KINDS: checks, engine and/or none');
const WINDOW_FRAMES = process.env.WINDOW_FRAMES ?? 'web';
if (WINDOW_FRAMES !== 'web' && WINDOW_FRAMES !== 'phone') throw new Error('WINDOW_FRAMES: web or phone');
const ONLY_WINDOWS = process.env.ONLY_WINDOWS === '1';
/** Between the challenge and the frames in the "member's wait" measure: the time to read, turn and take two photos. */
const MEMBER_PAUSE_MS = Number(process.env.MEMBER_PAUSE_MS ?? 3000);
// The load generator stands for phones on other machines: at a low priority it takes less of the
// two cores from the server it measures (Linux: the main thread, where fetch and TLS run).
if (process.env.CLIENT_NICE) os.setPriority(Number(process.env.CLIENT_NICE));
const loadAverages: number[] = [];
const load = () => {
  const l = os.loadavg()[0]!;
  loadAverages.push(l);
  return l;
};
load();

// The server runs with the glibc allocator settings of `npm start` (package.json; why: bench/results/face.md).
const startScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const mallocEnv = process.env.BENCH_MALLOC === 'default' ? {} : Object.fromEntries([...startScript.matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
const nodeFlags = [...startScript.matchAll(/node ((?:--\S+ )*)dist\/server\/main\.js/g)].flatMap((m) => m[1]!.trim().split(/\s+/).filter(Boolean));

// The server runs compiled, with plain node, as `npm start` runs it: under tsx (its loader, esbuild's
// output and source maps) the same server holds ≈ 65 MB more RSS (175 vs 242 MB composed, measured
// 2026-11-27). BENCH_TSX=1 runs it from source instead (no compile step; RSS not comparable).
const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-face-build-'));
function compileServer(): string {
  const tsconfig = path.join(buildDir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(root, 'tsconfig.build.json'),
    compilerOptions: { rootDir: root, outDir: buildDir, sourceMap: false },
    include: [path.join(root, 'src/server'), path.join(root, 'src/common'), path.join(root, 'bench/face-server.ts')],
  }));
  // Type errors elsewhere in the tree (work in progress) do not stop the emit; a missing output does.
  spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: root, stdio: 'ignore' });
  const entry = path.join(buildDir, 'bench', 'face-server.js');
  if (!fs.existsSync(entry)) throw new Error('bench/face-server.ts did not compile');
  // What the server reads at run time besides code (scripts/copy-assets.mjs), and its packages.
  fs.copyFileSync(path.join(root, 'src/server/privacy/policy/policy.css'), path.join(buildDir, 'src/server/privacy/policy/policy.css'));
  for (const lang of ['en', 'id']) fs.copyFileSync(path.join(root, `src/common/i18n/${lang}.json`), path.join(buildDir, `src/common/i18n/${lang}.json`));
  fs.copyFileSync(path.join(root, 'package.json'), path.join(buildDir, 'package.json'));
  for (const link of ['node_modules', 'policy']) fs.symlinkSync(path.join(root, link), path.join(buildDir, link));
  return entry;
}
const useTsx = process.env.BENCH_TSX === '1';

// ---- Child processes with a small request/answer protocol over their IPC channels -------------------
interface Child { process: ChildProcess; call<T>(cmd: string, args?: object): Promise<T>; ready: Promise<{ port?: number }> }
function start(script: string, env: Record<string, string>, execArgv: string[] = [], compiled?: string): Child {
  const child = fork(compiled ?? path.join(root, 'bench', script), [], { cwd: root, env: { ...process.env, ...env }, execArgv: compiled ? execArgv : [...execArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let readyResolve: (v: { port?: number }) => void;
  const ready = new Promise<{ port?: number }>((resolve, reject) => {
    readyResolve = resolve;
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  child.on('message', (m: { id?: number; ready?: boolean; port?: number; result?: unknown; error?: string }) => {
    if (m.ready) return readyResolve({ port: m.port });
    const w = waiting.get(m.id!);
    waiting.delete(m.id!);
    if (m.error !== undefined) w?.reject(new Error(`${script}: ${m.error}`));
    else w?.resolve(m.result);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${script} exited with ${code}`));
  });
  return {
    process: child,
    ready,
    call: <T>(cmd: string, args: object = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, args });
      }),
  };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-face-'));
const databaseKind = process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
const server = start('face-server.ts', { ...mallocEnv, BENCH_DATA_DIR: dataDir }, nodeFlags, useTsx ? undefined : compileServer());
const probe = start('face-probe.ts', {});
const { port } = await server.ready;
await probe.ready;
const origin = `https://127.0.0.1:${port}`;
const stopAll = async () => {
  await server.call('close').catch(() => undefined);
  probe.process.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(buildDir, { recursive: true, force: true });
};

try {
  await server.call('phase', { name: 'composed (server ready, no face work yet)', worker: false });
  const loadMs = await server.call<number>('warmup');
  await server.call('phase', { name: 'models loaded (warm-up)' });

  // The fixture face (found with the server's engine), then blown up to 12 MP phone selfies here: encoding
  // 12 MP JPEGs is the phone's work, not the server's.
  const fixtureDir = path.join(dataDir, 'fixture');
  fs.mkdirSync(fixtureDir);
  await server.call('fixture', { dir: fixtureDir });
  for (const name of ['straight', 'turned']) {
    await sharp(path.join(fixtureDir, `${name}.jpg`)).resize({ width: 3024, height: 4032, fit: 'cover' }).jpeg({ quality: 88 }).toFile(path.join(fixtureDir, `${name}-12mp.jpg`));
  }
  // What the web page uploads for such a photo (src/web/media/shrink-image.ts): ≤ 1280 px, JPEG at 0.9, no metadata.
  for (const name of ['straight', 'turned']) {
    await sharp(path.join(fixtureDir, `${name}-12mp.jpg`)).resize({ width: FRAME_UPLOAD_MAX_SIDE, height: FRAME_UPLOAD_MAX_SIDE, fit: 'inside' }).jpeg({ quality: 90 }).toFile(path.join(fixtureDir, `${name}-web.jpg`));
  }
  const phoneStraightFile = path.join(fixtureDir, 'straight-12mp.jpg');
  const webStraightFile = path.join(fixtureDir, 'straight-web.jpg');
  const [phoneStraight, phoneTurned, webStraight, webTurned] = ['straight-12mp', 'turned-12mp', 'straight-web', 'turned-web'].map((n) => fs.readFileSync(path.join(fixtureDir, `${n}.jpg`))) as [Buffer, Buffer, Buffer, Buffer];
  const webMeta = await sharp(webStraight).metadata();
  const windowFrames: [Buffer, Buffer] = WINDOW_FRAMES === 'web' ? [webStraight, webTurned] : [phoneStraight, phoneTurned];
  const windowFrameFile = WINDOW_FRAMES === 'web' ? webStraightFile : phoneStraightFile;
  const profilePhoto = fs.readFileSync(path.join(fixtureDir, 'profile.jpg'));
  await server.call('phase', { name: 'fixture analysed (3 small photos)' });

  // ---- Members over HTTPS: sign-up (argon2id 64 MiB), activation, sign-in, biometric consent ---------
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  type Member = { id: string; ip: string; session: string; headers: () => Promise<Record<string, string>> };
  async function csrf(session = ''): Promise<Record<string, string>> {
    const res = await fetch(`${origin}/api/csrf`);
    const token = ((await res.json()) as { token: string }).token;
    return { cookie: [...cookiesOf(res), session].filter(Boolean).join('; '), 'x-csrf-token': token };
  }
  async function member(n: number): Promise<Member> {
    const ip = `192.0.2.${n}`;
    const form = new FormData();
    const fields = { username: `bench_face_${n}`, nickname: 'Bench', gender: 'female', email: `bench.face.${n}${'\u0040'}contoh.id`, phone: `0812${String(40_000_000 + n)}`, nik: `317405520390${String(5000 + n)}`, dateOfBirth: '1990-03-12', password: 'Senja merah di Pelabuhan Ratu 77', language: 'id', acceptPolicy: 'true' };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('photo', new Blob([new Uint8Array(profilePhoto)], { type: 'image/jpeg' }), 'me.jpg');
    const res = await fetch(`${origin}/api/accounts`, { method: 'POST', headers: { ...(await csrf()), 'x-forwarded-for': ip }, body: form });
    const { id } = (await res.json()) as { id: string };
    if (!id) throw new Error(`sign-up failed: ${res.status}`);
    await server.call('activate', { id });
    const login = await fetch(`${origin}/api/sessions`, { method: 'POST', headers: { ...(await csrf()), 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ identifier: fields.username, password: fields.password }) });
    await login.arrayBuffer();
    const session = cookiesOf(login).find((c) => c.startsWith('__Host-kenalan-session='));
    if (!session) throw new Error(`sign-in failed: ${login.status}`);
    const headers = async () => ({ ...(await csrf(session)), 'x-forwarded-for': ip });
    const consent = await fetch(`${origin}/api/me/face/consent`, { method: 'PUT', headers: { ...(await headers()), 'content-type': 'application/json' }, body: JSON.stringify({ granted: true }) });
    await consent.arrayBuffer();
    if (consent.status !== 200) throw new Error(`face consent failed: ${consent.status}`);
    return { id, ip, session, headers };
  }
  // 5 attempts a day each: 4 sequential checks per member, three times (web, phone, web with a pause).
  const sequentialMembers = Math.ceil(CHECKS / 4);
  const members: Member[] = [];
  // Sequential checks, WINDOW_MEMBERS per window, 1 for the warm-up window, the viewer and the chat partner.
  for (let i = 0; i < 3 * sequentialMembers + WINDOWS * WINDOW_MEMBERS + 3; i++) members.push(await member(i + 1));
  await server.call('phase', { name: `${members.length} sign-ups + sign-ins over HTTPS (argon2id 64 MiB each)` });

  /**
   * One whole check over HTTPS: challenge, then (after `pauseMs`, the member taking the frames) a
   * multipart with 2 frames (the web page's by default). `answerMs`: the POST of the frames alone.
   */
  async function httpCheck(m: Member, [straight, turned]: [Buffer, Buffer] = windowFrames, pauseMs = 0): Promise<{ status: string; answerMs: number }> {
    const c = await fetch(`${origin}/api/me/face/challenge`, { method: 'POST', headers: await m.headers() });
    const { id } = (await c.json()) as { id: string };
    if (!id) throw new Error(`challenge failed: ${c.status}`);
    const form = new FormData();
    form.append('checkId', id);
    form.append('frames', new Blob([new Uint8Array(straight)], { type: 'image/jpeg' }), 'f0.jpg');
    form.append('frames', new Blob([new Uint8Array(turned)], { type: 'image/jpeg' }), 'f1.jpg');
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const headers = await m.headers();
    const posted = performance.now();
    const res = await fetch(`${origin}/api/me/face/checks`, { method: 'POST', headers, body: form });
    const { status } = (await res.json()) as { status: string };
    return { status, answerMs: performance.now() - posted };
  }

  // ---- 1. One frame: a 12 MP phone selfie through the engine (header check, shrink-on-load, detect) ----
  const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1)))]!;
  const median = (xs: number[]) => quantile(xs, 0.5);
  const r = (x: number) => Math.round(x);
  const frameMs = ONLY_WINDOWS ? [] : await server.call<number[]>('frames', { file: phoneStraightFile, n: CHECKS });
  const webFrameMs = ONLY_WINDOWS ? [] : await server.call<number[]>('frames', { file: webStraightFile, n: CHECKS });
  const loadFrames = load();
  if (!ONLY_WINDOWS) await server.call('phase', { name: `${CHECKS} phone frames (12 MP) and ${CHECKS} as the web page sends them analysed` });

  // ---- 2. Whole verifications over HTTPS (2 frames + the stored profile photo), one at a time ----------
  // As the web page sends a picked phone photo (shrunk), then the 12 MP photos as is (an API client).
  async function sequentialChecks(frames: [Buffer, Buffer], memberOffset: number, pauseMs = 0) {
    const ms: number[] = [];
    const answerMs: number[] = [];
    let verified = 0;
    for (let i = 0; i < (ONLY_WINDOWS ? 0 : CHECKS); i++) {
      const s = performance.now();
      const check = await httpCheck(members[memberOffset + Math.floor(i / 4)]!, frames, pauseMs);
      ms.push(performance.now() - s - pauseMs);
      answerMs.push(check.answerMs);
      if (check.status === 'verified') verified++;
    }
    return { ms, answerMs, verified };
  }
  const webChecks = await sequentialChecks([webStraight, webTurned], 0);
  const phoneChecks = await sequentialChecks([phoneStraight, phoneTurned], sequentialMembers);
  // As a member does it: the frames go MEMBER_PAUSE_MS after the challenge (the profile photos are analysed meanwhile).
  const pausedChecks = await sequentialChecks([webStraight, webTurned], 2 * sequentialMembers, MEMBER_PAUSE_MS);
  const loadChecks = load();
  if (!ONLY_WINDOWS) await server.call('phase', { name: `${3 * CHECKS} whole checks over HTTPS, one at a time (web page frames, 12 MP, web page frames after a pause)` });

  // ---- 3. Other requests while checks run: alternating busy / idle windows -------------------------
  const viewer = members.at(-2)!;
  const partner = members.at(-1)!;
  await server.call('chat', { a: viewer.id, b: partner.id, messages: 60 });
  const probePaths = ['/api/me', `/api/chats/${partner.id}/messages?limit=30`];
  interface Loop { p50: number; p99: number; max: number; mean: number; samples: number }
  interface Window { kind: BusyKind | 'idle'; loop: Loop; latencies: Record<string, number[]>; checks: number; seconds: number; load: number }
  let lastBusyMs = 0;
  let lastBusyKind: BusyKind = 'checks';
  async function window(kind: BusyKind | 'idle', busyMembers: Member[]): Promise<Window> {
    if (kind !== 'idle') lastBusyKind = kind;
    // An idle window's lateness is pooled with the idle windows that follow the same kind of busy one.
    await server.call('windowStart', { kind: kind === 'idle' ? `idle-after-${lastBusyKind}` : kind });
    await probe.call('start', { origin, cookie: viewer.session, paths: probePaths, intervalMs: PROBE_INTERVAL_MS });
    const started = performance.now();
    let checks = 0;
    if (kind === 'engine') {
      // The model's work alone, as long as the last checks window: what any use of the second core costs.
      checks = await server.call<number>('engineFor', { file: windowFrameFile, ms: Math.max(1500, lastBusyMs) });
    } else if (kind === 'checks') {
      // Two members at once; a lane moves to its next member after 4 checks (5 attempts a day each).
      const lanes = busyMembers.length > 1 ? [busyMembers.filter((_, i) => i % 2 === 0), busyMembers.filter((_, i) => i % 2 === 1)] : [busyMembers];
      const perLane = Math.min(BUSY_CHECKS / lanes.length, 4 * Math.min(...lanes.map((l) => l.length)));
      await Promise.all(
        lanes.map(async (lane) => {
          for (let k = 0; k < perLane; k++) {
            await httpCheck(lane[Math.floor(k / 4)]!);
            checks++;
          }
        }),
      );
      lastBusyMs = performance.now() - started;
    } else {
      // Idle, or a `none` window (the noise of the measure): as long as the last checks window (at least 1.5 s).
      await new Promise((resolve) => setTimeout(resolve, Math.max(1500, lastBusyMs)));
    }
    const latencies = await probe.call<Record<string, number[]>>('stop');
    const loop = await server.call<Loop>('windowStop');
    return { kind, loop, latencies, checks, seconds: (performance.now() - started) / 1000, load: load() };
  }
  if (process.env.CPU_PROFILE) await server.call('profileStart');
  const idleWindows: Window[] = [];
  const busyWindows: Window[] = [];
  const controlWindows: { engine: Window; idle: Window }[] = [];
  const noiseWindows: { none: Window; idle: Window }[] = [];
  // A warm-up pair first (not reported): the probe's connection, JIT of the probed routes.
  await window('checks', [members.at(-3)!]);
  await window('idle', []);
  await server.call('pooledReset');
  for (let w = 0; w < WINDOWS; w++) {
    const windowMembers = members.slice(3 * sequentialMembers + WINDOW_MEMBERS * w, 3 * sequentialMembers + WINDOW_MEMBERS * (w + 1));
    if (WINDOW_KINDS.includes('checks')) {
      busyWindows.push(await window('checks', windowMembers));
      idleWindows.push(await window('idle', []));
    }
    if (WINDOW_KINDS.includes('engine')) {
      if (!WINDOW_KINDS.includes('checks')) lastBusyMs = 2000;
      const engineWindow = await window('engine', []);
      controlWindows.push({ engine: engineWindow, idle: await window('idle', []) });
    }
    if (WINDOW_KINDS.includes('none')) {
      if (!WINDOW_KINDS.includes('checks')) lastBusyMs = 2000;
      const noneWindow = await window('none', []);
      noiseWindows.push({ none: noneWindow, idle: await window('idle', []) });
    }
  }
  if (process.env.CPU_PROFILE) await server.call('profileStop', { file: path.resolve(process.env.CPU_PROFILE) });
  const peakRss = await server.call<number>('peak');
  await server.call('phase', { name: `${WINDOWS * BUSY_CHECKS} checks, 2 at a time, with other requests (end of the working session)`, gc: true });
  // The memory at rest again: the server replaces the used worker by a fresh one with the models loaded
  // after FACE_REFRESH_IDLE_SECONDS (default 120) without a check.
  if (!ONLY_WINDOWS) {
    const refreshWaitMs = await server.call<number>('awaitRefresh', { timeoutMs: 300_000 });
    await server.call('phase', { name: `then ${Math.round(refreshWaitMs / 1000)} s without a check: the used worker replaced by a fresh one with the models loaded (FACE_REFRESH_IDLE_SECONDS)`, gc: true });
  }

  // ---- 4. Throughput of the bare engine, pool of 1 vs 2 (8 phone frames queued at once) -----------------
  const noPool = { perSecond: Number.NaN, rss: Number.NaN, rssAfter: Number.NaN };
  const pool1 = ONLY_WINDOWS ? noPool : await server.call<{ perSecond: number; rss: number }>('throughput', { size: 1, file: phoneStraightFile });
  const pool2 = ONLY_WINDOWS ? noPool : await server.call<{ perSecond: number; rss: number; rssAfter: number }>('throughput', { size: 2, file: phoneStraightFile });
  const phases = await server.call<ServerPhase[]>('phases');

  // ---- Report (markdown, for bench/results/face.md) ----------------------------------------------------
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const fmt = (x: number) => x.toFixed(1);
  const pct = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs(Math.round((x - 1) * 100))} %`;
  const ratio = (busy: number[], idle: number[]) => median(busy.map((b, i) => b / idle[i]!));
  const env = Object.keys(mallocEnv).length > 0 ? `server allocator: ${Object.entries(mallocEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : 'server allocator: glibc defaults (BENCH_MALLOC=default)';
  const lastWorker = phases.findLast((p) => p.worker)?.worker;
  // The idle cgroup, where the worker joined one (FACE_WORKER_CGROUP); the server is this process's child, in its cgroup.
  const serverCgroup = currentCpuCgroup();
  const workerCgroup = lastWorker?.cgroup && lastWorker.cgroup !== serverCgroup ? lastWorker.cgroup : undefined;
  const loadRange = `${Math.min(...loadAverages).toFixed(1)}–${Math.max(...loadAverages).toFixed(1)}`;
  console.log(`\n## Face bench ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average (1 min) ${loadRange} during the run; database: ${databaseKind}; ${env}${nodeFlags.length ? `; node ${nodeFlags.join(' ')}` : ''}; server ${useTsx ? 'run from source under tsx (BENCH_TSX=1: RSS ≈ 65 MB higher than `npm start`)' : 'compiled, plain node as `npm start` runs it'}; server (with its face worker process at SCHED_IDLE, ${workerCgroup ? `in the cgroup ${workerCgroup}` : 'in the server\'s cgroup'}), probe and load generator in separate processes, HTTPS on 127.0.0.1`);
  console.log(`\nmodel load (pool of 1): ${r(loadMs)} ms\n`);
  console.log('| phase | server RSS MB (main + face worker processes) | RSS after GC | PSS MB | main process RSS (anonymous) | face worker RSS | main heap used / total | main external (array buffers) | worker heap used / total | worker external (array buffers) | tensors | WASM heap | sharp cache |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const p of phases) {
    const w = p.worker;
    console.log(`| ${p.name} | **${mb(p.rss)}** | ${p.rssAfterGc === null || Number.isNaN(p.rssAfterGc) ? '—' : mb(p.rssAfterGc)} | ${mb(p.pss)} | ${mb(p.mainRss)} (${mb(p.mainAnon)}) | ${w ? mb(w.memory.rss) : '—'} | ${mb(p.main.heapUsed)} / ${mb(p.main.heapTotal)} | ${mb(p.main.external)} (${mb(p.main.arrayBuffers)}) | ${w ? `${mb(w.memory.heapUsed)} / ${mb(w.memory.heapTotal)}` : '—'} | ${w ? `${mb(w.memory.external)} (${mb(w.memory.arrayBuffers)})` : '—'} | ${w?.loaded ? w.tensors : '—'} | ${w?.loaded ? mb(w.wasmHeap) : '—'} | ${w ? `${mb(w.sharpCache.memory)} MB, ${w.sharpCache.items} ops` : '—'} |`);
  }
  console.log(`\npeak RSS while checks ran concurrently: ${mb(peakRss)} MB${ONLY_WINDOWS ? '' : `; after the pool-of-2 run (closed again): ${mb(pool2.rssAfter)} MB`}\n`);
  const busyChecks = busyWindows.reduce((a, w) => a + w.checks, 0);
  const busySeconds = busyWindows.reduce((a, w) => a + w.seconds, 0);
  console.log('| measure | result | load avg |');
  console.log('|---|---|---|');
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  if (!ONLY_WINDOWS) {
    console.log(`| one 12 MP phone frame (3024×4032 JPEG, ${kb(phoneStraight.length)} → ≤ 800 px → detect), in the server | p50 ${r(median(frameMs))} ms, p95 ${r(quantile(frameMs, 0.95))} ms (n=${CHECKS}) | ${loadFrames.toFixed(1)} |`);
    console.log(`| one frame as the web page sends it (${webMeta.width}×${webMeta.height} JPEG, ${kb(webStraight.length)}), in the server | p50 ${r(median(webFrameMs))} ms, p95 ${r(quantile(webFrameMs, 0.95))} ms (n=${CHECKS}) | ${loadFrames.toFixed(1)} |`);
    const row = (what: string, c: { ms: number[]; verified: number }) =>
      console.log(`| one verification over HTTPS, ${what} (challenge + upload of 2 frames + the stored profile photo, decision, template sealed, badge) | p50 ${r(median(c.ms))} ms, p95 ${r(quantile(c.ms, 0.95))} ms (n=${CHECKS}, ${c.verified} verified) | ${loadChecks.toFixed(1)} |`);
    row(`frames as the web page sends them (${kb(webStraight.length + webTurned.length)})`, webChecks);
    row(`12 MP frames as is (${kb(phoneStraight.length + phoneTurned.length)}, an API client)`, phoneChecks);
    console.log(`| the member's wait after pressing "check" (frames as the web page sends them, ${MEMBER_PAUSE_MS / 1000} s after the challenge, as a member takes them; the profile photo analysed meanwhile) | p50 ${r(median(pausedChecks.answerMs))} ms, p95 ${r(quantile(pausedChecks.answerMs, 0.95))} ms (n=${CHECKS}, ${pausedChecks.verified} verified; the same POST without the pause: p50 ${r(median(webChecks.answerMs))} ms) | ${loadChecks.toFixed(1)} |`);
  }
  console.log(`| pool busy (2 members checking at once) | ${busyChecks} verifications in ${busySeconds.toFixed(1)} s = ${(busyChecks / busySeconds).toFixed(2)}/s (${r((busyChecks / busySeconds) * 60)}/min) | — |`);
  if (!ONLY_WINDOWS) console.log(`| engine throughput, 8 phone frames queued | pool 1 ${pool1.perSecond.toFixed(2)} frames/s (RSS ${mb(pool1.rss)} MB); pool 2 ${pool2.perSecond.toFixed(2)} frames/s (RSS ${mb(pool2.rss)} MB) | ${load().toFixed(1)} |`);
  const [mePath, chatPath] = probePaths as [string, string];
  const stat = (w: Window, p: string, q: number) => quantile(w.latencies[p]!, q);
  const pooled = (ws: Window[], p: string, q: number) => quantile(ws.flatMap((w) => w.latencies[p]!), q);
  const pooledLoop = await server.call<Record<string, { p50: number; p99: number; max: number; samples: number }>>('pooledLoop');
  /** One table of busy/idle pairs of a kind, the median of the per-pair ratios, and the pooled percentiles. */
  function reportPairs(kind: BusyKind, busy: Window[], idle: Window[]) {
    const frames = WINDOW_FRAMES === 'web' ? `frames as the web page sends them, ${webMeta.width}×${webMeta.height}` : '12 MP frames';
    const what =
      kind === 'checks'
        ? `whole checks over HTTPS (${BUSY_CHECKS} per window, 2 members at once; ${frames})`
        : kind === 'engine'
          ? `the engine alone (${frames} sent over IPC, one after another: no upload, no HTTP, no database; a control)`
          : 'nothing at all (an idle window paired with an idle window: how much the measure moves by itself)';
    console.log(`\nother requests, ${busy.length} pairs of a busy window — ${what} — and an idle window as long (server event loop: monitorEventLoopDelay at 1 ms resolution, so ≈ 1 ms is its floor; probe: GET /api/me and GET a 30-message chat history page, alternating, one request every ${PROBE_INTERVAL_MS} ms, from a separate process over HTTPS keep-alive):\n`);
    console.log('| window | loop p99 idle → busy | loop max idle → busy | /api/me p50 idle → busy | /api/me p99 idle → busy | chat history p50 idle → busy | chat history p99 idle → busy | load avg |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (let w = 0; w < busy.length; w++) {
      const i = idle[w]!;
      const b = busy[w]!;
      console.log(
        `| ${w + 1} | ${fmt(i.loop.p99)} → ${fmt(b.loop.p99)} ms | ${fmt(i.loop.max)} → ${fmt(b.loop.max)} ms | ${fmt(stat(i, mePath, 0.5))} → ${fmt(stat(b, mePath, 0.5))} ms | ${fmt(stat(i, mePath, 0.99))} → ${fmt(stat(b, mePath, 0.99))} ms | ${fmt(stat(i, chatPath, 0.5))} → ${fmt(stat(b, chatPath, 0.5))} ms | ${fmt(stat(i, chatPath, 0.99))} → ${fmt(stat(b, chatPath, 0.99))} ms | ${i.load.toFixed(1)} / ${b.load.toFixed(1)} |`,
      );
    }
    const ratioOf = (f: (w: Window) => number) => pct(ratio(busy.map(f), idle.map(f)));
    console.log(
      `\nmedian of the busy/idle ratios (target: p99 within +20 %): event-loop p99 ${ratioOf((w) => w.loop.p99)}; /api/me p99 ${ratioOf((w) => stat(w, mePath, 0.99))}, p50 ${ratioOf((w) => stat(w, mePath, 0.5))}; chat history p99 ${ratioOf((w) => stat(w, chatPath, 0.99))}, p50 ${ratioOf((w) => stat(w, chatPath, 0.5))}; requests per window ${r(median(busy.map((w) => w.latencies[mePath]!.length + w.latencies[chatPath]!.length)))} busy / ${r(median(idle.map((w) => w.latencies[mePath]!.length + w.latencies[chatPath]!.length)))} idle`,
    );
    const loopBusy = pooledLoop[kind]!;
    const loopIdle = pooledLoop[`idle-after-${kind}`]!;
    const n = (p: string, ws: Window[]) => ws.reduce((a, w) => a + w.latencies[p]!.length, 0);
    console.log(
      `\npooled over all ${busy.length} pairs (idle → busy, change): event-loop delay p99 ${fmt(loopIdle.p99)} → ${fmt(loopBusy.p99)} ms (${pct(loopBusy.p99 / loopIdle.p99)}; ${loopIdle.samples} / ${loopBusy.samples} samples of a 1 ms timer); /api/me p99 ${fmt(pooled(idle, mePath, 0.99))} → ${fmt(pooled(busy, mePath, 0.99))} ms (${pct(pooled(busy, mePath, 0.99) / pooled(idle, mePath, 0.99))}; n = ${n(mePath, idle)} / ${n(mePath, busy)}); chat history p99 ${fmt(pooled(idle, chatPath, 0.99))} → ${fmt(pooled(busy, chatPath, 0.99))} ms (${pct(pooled(busy, chatPath, 0.99) / pooled(idle, chatPath, 0.99))}; n = ${n(chatPath, idle)} / ${n(chatPath, busy)})`,
    );
  }
  if (busyWindows.length > 0) reportPairs('checks', busyWindows, idleWindows);
  if (controlWindows.length > 0) reportPairs('engine', controlWindows.map((c) => c.engine), controlWindows.map((c) => c.idle));
  if (noiseWindows.length > 0) reportPairs('none', noiseWindows.map((c) => c.none), noiseWindows.map((c) => c.idle));
} finally {
  await stopAll();
}
