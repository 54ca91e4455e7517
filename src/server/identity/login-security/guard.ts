/**
 * The contract between sign-in (sessions, passkeys, step-up) and brute-force defence. The
 * implementation (per account and per IP, progressive delay then temporary lock, counters in a
 * store shared by every server instance) lives beside this file; sign-in code depends only on
 * this interface.
 */
export interface LoginAttempt {
  /** Client IP as Fastify resolved it (trustProxy aware). */
  ip: string;
  /**
   * Whose password is being tried: the member id when the identifier matched an account,
   * otherwise a keyed hash of the normalized identifier (so stuffing unknown names is counted too).
   */
  accountKey: string;
  /**
   * The request carried this member's known device cookie. A device the member has signed in from
   * before is not locked out by failures coming from elsewhere (so an attacker cannot lock the real
   * member out), but it still gets the progressive delay.
   */
  knownDevice?: boolean;
}

export type GuardDecision =
  | { allowed: true; /** Wait this long before answering (progressive delay); 0 for a clean record. */ delayMs: number }
  | { allowed: false; retryAfterSeconds: number; scope: 'ip' | 'account' };

export interface LoginGuard {
  /** Before a password (or code) is checked: go ahead (maybe after a delay) or refuse for a while. */
  beforeAttempt(attempt: LoginAttempt): Promise<GuardDecision>;
  /** A wrong password or code for this attempt. */
  recordFailure(attempt: LoginAttempt): Promise<void>;
  /** A successful sign-in: the account's failure record is cleared (the IP's is not). */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
  /** True while the account is temporarily locked. No factor — a passkey included — may bypass it. */
  isAccountLocked(memberId: string): Promise<boolean>;
  /** The member proved control another way (password reset by email/SMS): lift the account lock. */
  clearAccount(memberId: string): Promise<void>;
}
