import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../platform/http/app-error.js';
import type { LoginAttempt, LoginGuard } from './guard.js';

/**
 * What sign-in does at the brute-force seam, before the password is checked: wait the progressive
 * delay, or refuse with `429 login_locked` (Retry-After in seconds, the message in minutes). The
 * refusal is the same for a known and an unknown identifier, so it reveals no account.
 */
export async function passLoginGuard(guard: LoginGuard, attempt: LoginAttempt): Promise<void> {
  const decision = await guard.beforeAttempt(attempt);
  if (!decision.allowed) {
    throw new AppError('login_locked', 429, `sign-in refused (${decision.scope})`, {
      params: { seconds: decision.retryAfterSeconds, minutes: Math.ceil(decision.retryAfterSeconds / 60) },
    });
  }
  if (decision.delayMs > 0) await sleep(decision.delayMs);
}
