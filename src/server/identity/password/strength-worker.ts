/**
 * The password-strength worker thread (see strength-pool.ts): zxcvbn's dictionaries live here, and
 * its matching runs here, never on the server's event loop.
 */
import workerpool from 'workerpool';
import { checkPasswordStrength, type PasswordContext } from './strength.js';

workerpool.worker({ check: (password: string, context: PasswordContext) => checkPasswordStrength(password, context) });
