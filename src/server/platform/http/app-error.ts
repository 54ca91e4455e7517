/** Stable, machine-readable error codes. Each has a member-facing message under `errors.<code>`. */
export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'bad_request'
  | 'rate_limited'
  | 'csrf_invalid'
  | 'idempotency_conflict'
  | 'not_ready'
  | 'dev_only'
  | 'signup_refused'
  | 'code_invalid'
  | 'code_expired'
  | 'too_many_attempts'
  | 'resend_too_soon'
  | 'guardian_link_invalid'
  | 'guardian_link_expired'
  | 'guardian_link_used'
  | 'challenge_invalid'
  | 'challenge_too_many_attempts'
  | 'mfa_code_invalid'
  | 'mfa_method_unavailable'
  | 'totp_already_enabled'
  | 'totp_not_enabled'
  | 'passkey_failed'
  | 'login_failed'
  | 'account_inactive'
  | 'account_locked'
  | 'login_locked'
  | 'unauthenticated'
  | 'cookie_invalid'
  | 'unsubscribe_invalid'
  | 'unsubscribe_used'
  | 'reauth_failed'
  | 'reauth_required'
  | 'export_not_ready'
  | 'export_expired'
  | 'contact_change_refused'
  // erasure: the account is in its grace period before deletion (sign-in offers to restore it)
  | 'account_deletion_pending'
  // social graph (kenalan requests, blocks, reports)
  | 'request_exists'
  | 'request_cooldown'
  | 'request_not_pending'
  | 'already_connected'
  | 'staff_only'
  // moderation: the case was already decided (reads 410, a second decision 409)
  | 'case_closed'
  | 'processing_restricted'
  | 'reveal_invalid'
  // policy changes: a material version the member has not yet accepted or declined (P7.1, P7.2)
  | 'policy_reconsent_required'
  | 'internal';

export interface FieldProblem {
  /** JSON pointer-ish field name, e.g. `email`. */
  field: string;
  /**
   * Key under `validation.` in the locale files, or (with `messageKey`) a module's own stable code,
   * e.g. `taken`, `birthDateMismatch`, `tooWeak`.
   */
  code: 'required' | 'tooShort' | 'tooLong' | 'email' | 'choice' | 'invalid' | (string & {});
  /** Full i18n key of the message when it is not `validation.<code>` (e.g. `identity.nik.length`). */
  messageKey?: string;
  params?: Record<string, string | number>;
}

/**
 * The one error type services throw. `message` is internal (logs); members see the localized
 * text for `code`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message?: string,
    readonly extra: { fields?: FieldProblem[]; params?: Record<string, string | number>; messageKey?: string } = {},
  ) {
    super(message ?? code);
    this.name = 'AppError';
  }
}
