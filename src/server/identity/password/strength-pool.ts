import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { makeIdleStoppingPool } from '../../platform/workers/idle-pool.js';
import { checkPasswordStrength, type PasswordContext, type PasswordStrengthResult } from './strength.js';

/** Checks a candidate password against Kenalan's rules (strength.ts), off the event loop where it can. */
export type PasswordStrengthChecker = (password: string, context: PasswordContext) => Promise<PasswordStrengthResult>;

/** The check on the calling thread (tests and tools that compose a service without a pool). */
export const checkPasswordStrengthHere: PasswordStrengthChecker = async (password, context) => checkPasswordStrength(password, context);

/**
 * The worker thread: the compiled `.js` beside this file in dist/, or the `.ts` source through
 * tsx-thread.mjs, which registers tsx in the thread first.
 */
function workerLocation(): { script: string; workerThreadOpts: { workerData?: { tsModule: string } } } {
  const js = fileURLToPath(new URL('./strength-worker.js', import.meta.url));
  if (fs.existsSync(js)) return { script: js, workerThreadOpts: {} };
  return {
    script: fileURLToPath(new URL('../../platform/workers/tsx-thread.mjs', import.meta.url)),
    workerThreadOpts: { workerData: { tsModule: fileURLToPath(new URL('./strength-worker.ts', import.meta.url)) } },
  };
}

/**
 * zxcvbn's matching takes 10–100 ms of CPU per password (more on a slow machine) and leaves a few MB
 * of garbage; on the event loop that delays every other request by as much at each sign-up, reset or
 * change. Here it runs on one worker thread, started by the first check and stopped after `idleMs`
 * without one (its dictionaries — ≈ 14 MB of heap, ≈ 30 MB of RSS — go with it). Should the thread
 * fail — it never has — the check runs on the calling thread instead: the answer is the same, only the
 * event loop pays (a check is bounded: strength.ts scores at most 64 characters).
 */
export function makePasswordStrengthPool(
  options: { idleMs?: number; onFallback?: (error: unknown) => void; /** Tests: another worker script (one that fails to start). */ script?: string } = {},
): { check: PasswordStrengthChecker; close(): Promise<void> } {
  const { script, workerThreadOpts } = options.script ? { script: options.script, workerThreadOpts: {} } : workerLocation();
  // A small heap: each check leaves a few MB of garbage, and with V8's defaults the thread's heap grew
  // to ≈ 180 MB over 60 checks; with these limits ≈ 75 MB, each check ≈ 13 % slower (off the event
  // loop). Were a check ever to need more, the thread dies, that check runs here, and a new thread
  // takes the next one.
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };
  const pool = makeIdleStoppingPool({
    idleMs: options.idleMs ?? 10 * 60_000,
    taskTimeoutMs: 10_000,
    create: () => workerpool.pool(script, { workerType: 'thread', maxWorkers: 1, maxQueueSize: 256, workerThreadOpts: { ...workerThreadOpts, resourceLimits } }),
  });
  return {
    async check(password, context) {
      try {
        // Only strings cross to the thread: a value workerpool cannot clone would leave its worker
        // marked busy for good (workerpool 10), and every later check would wait for nothing.
        return await pool.exec<PasswordStrengthResult>('check', [typeof password === 'string' ? password : '', plainContext(context)]);
      } catch (error) {
        options.onFallback?.(error);
        return checkPasswordStrength(password, context);
      }
    },
    close: () => pool.close(),
  };
}

function plainContext(context: PasswordContext): PasswordContext {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    username: text(context.username),
    nickname: text(context.nickname),
    email: text(context.email),
    phone: text(context.phone),
    nik: text(context.nik),
    language: context.language === 'en' ? 'en' : 'id',
  };
}
