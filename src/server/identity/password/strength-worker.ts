/**
 * The password strength check's worker thread (strength-pool.ts): zxcvbn's dictionaries are built
 * here once, and each check's matching — 10–100 ms of CPU and a few MB of short-lived objects —
 * happens on this thread, not on the server's event loop.
 */
import workerpool from 'workerpool';
import { checkPasswordStrength, type PasswordContext } from './strength.js';

workerpool.worker({
  check: (password: string, context: PasswordContext) => checkPasswordStrength(password, context),
});
