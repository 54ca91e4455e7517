import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { makeIdleStoppingPool } from '../../platform/workers/idle-pool.js';
import { checkPasswordStrength, type PasswordContext, type PasswordStrengthResult } from './strength.js';

/** Checks a candidate password against Kenalan's rules (strength.ts) off the event loop. Never throws. */
export interface PasswordStrengthChecker {
  check(password: string, context: PasswordContext): Promise<PasswordStrengthResult>;
  /** Whether the worker thread is running (it stops after `idleMs` without a check). */
  running(): boolean;
  close(): Promise<void>;
}

/** Where the worker is: compiled `.js` beside this file in dist/, or the `.ts` source run through tsx. */
function workerLocation(): { script: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./strength-worker.js', import.meta.url));
  if (fs.existsSync(js)) return { script: js, execArgv: [] };
  return { script: fileURLToPath(new URL('./strength-worker.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

/**
 * zxcvbn's matching takes ≈ 95 ms of CPU per password (sign-up, reset) and its dictionaries ≈ 30 MB:
 * on the event loop that was 95 ms during which no other request was answered. Here it runs in one
 * worker thread, started by the first check and stopped after `idleMs` without one (the dictionaries
 * build again in ≈ 0.3 s on the next). If the worker fails or times out, the check runs on the event
 * loop instead: a slow answer, never a weak password let through.
 */
export function makePasswordStrengthChecker(options: { idleMs?: number } = {}): PasswordStrengthChecker {
  const { script, execArgv } = workerLocation();
  const pool = makeIdleStoppingPool({
    idleMs: options.idleMs ?? 5 * 60_000,
    // The rules cap zxcvbn's input at 64 characters: a check takes ≤ 0.5 s even for the worst input.
    taskTimeoutMs: 10_000,
    create: () => workerpool.pool(script, { workerType: 'thread', minWorkers: 0, maxWorkers: 1, maxQueueSize: 256, workerThreadOpts: { execArgv } }),
  });
  return {
    async check(password, context) {
      try {
        return await pool.exec<PasswordStrengthResult>('check', [password, context]);
      } catch {
        return checkPasswordStrength(password, context);
      }
    },
    running: () => pool.running(),
    close: () => pool.close(),
  };
}
