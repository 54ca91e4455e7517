/**
 * Every audited action, as a typed union. Details hold identifiers and codes only — never a
 * personal value (the audit log is kept for years and is not encrypted).
 */
export type AuditEvent =
  | { action: 'sessions.location_shared'; subjectType: 'member'; subjectId: string; details: { sessionId: string } }
  | { action: 'sessions.location_removed'; subjectType: 'member'; subjectId: string; details: { sessionId: string } }
  | { action: 'privacy.export_requested'; subjectType: 'member'; subjectId: string; details: { exportId: string } }
  | { action: 'privacy.export_downloaded'; subjectType: 'member'; subjectId: string; details: { exportId: string } }
  | { action: 'newsletter.queued'; subjectType: 'newsletter'; subjectId: string; details: { recipients: number } }
  | { action: 'newsletter.unsubscribed'; subjectType: 'member'; subjectId: string; details: { deliveryId: string } }
  | { action: 'support.ticket_filed'; subjectType: 'support_ticket'; subjectId: string; details: { number: string; topic: string } }
  | { action: 'policy.published'; subjectType: 'policy_version'; subjectId: string; details: { languages: string[]; missingSections: number } }
  | { action: 'keys.rotated'; subjectType: 'crypto_data_key'; subjectId: string; details: { kind: string; retired: string[]; rows: number } }
  | { action: 'dev.mailbox_read'; subjectType: 'dev_mailbox'; subjectId: string; details: Record<string, never> }
  | { action: 'consent.policy_accepted'; subjectType: 'member' | 'guardian' | 'visitor'; subjectId: string; details: { version: string; language: string } }
  | { action: 'consent.changed'; subjectType: 'member' | 'guardian' | 'visitor'; subjectId: string; details: { purpose: string; granted: boolean; version: string } }
  | { action: 'accounts.signed_up'; subjectType: 'member'; subjectId: string; details: { status: string; photoId: string; language: string } }
  | { action: 'accounts.phone_verified'; subjectType: 'member'; subjectId: string; details: Record<string, never> }
  | { action: 'accounts.email_verified'; subjectType: 'member'; subjectId: string; details: Record<string, never> }
  | { action: 'accounts.activated'; subjectType: 'member'; subjectId: string; details: { from: string } }
  | { action: 'recovery.reset_requested'; subjectType: 'member'; subjectId: string; details: { resetId: string; channel: 'email' | 'sms' } }
  | { action: 'recovery.password_reset'; subjectType: 'member'; subjectId: string; details: { resetId: string; channel: 'email' | 'sms'; unlocked: boolean; sessionsEnded: number } }
  | { action: 'recovery.contact_change_requested'; subjectType: 'member'; subjectId: string; details: { changeId: string; kind: 'email' | 'phone' } }
  | { action: 'recovery.contact_changed'; subjectType: 'member'; subjectId: string; details: { changeId: string; kind: 'email' | 'phone' } }
  | { action: 'recovery.compromise_report_requested'; subjectType: 'member'; subjectId: string; details: { reportId: string } }
  | { action: 'recovery.account_compromised'; subjectType: 'member'; subjectId: string; details: { via: 'session' | 'email_link'; reportId: string | null; ticketId: string; locked: boolean; sessionsEnded: number } }
  | { action: 'accounts.deleted'; subjectType: 'member'; subjectId: string; details: { reason: 'guardian_refused'; photos: number } }
  | { action: 'accounts.suspended'; subjectType: 'member'; subjectId: string; details: { reason: 'guardian_withdrew'; sessionsEnded: number } }
  | { action: 'guardians.requested'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.invited'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.consented'; subjectType: 'guardian'; subjectId: string; details: { memberId: string; version: string; language: string } }
  | { action: 'guardians.refused'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.withdrawn'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'accounts.login_failed'; subjectType: 'member'; subjectId: string; details: { reason: 'password' } }
  | { action: 'accounts.logged_in'; subjectType: 'member'; subjectId: string; details: { sessionId: string; method?: 'password' | 'challenge' | 'passkey'; challengeId?: string; factor?: string } }
  // mfa (ADR 0008): sign-in challenges and second factors — ids, methods and outcomes only.
  | { action: 'mfa.challenge_opened'; subjectType: 'member'; subjectId: string; details: { challengeId: string; reason: 'mfa' | 'step_up'; methods: string[] } }
  | { action: 'mfa.challenge_passed'; subjectType: 'member'; subjectId: string; details: { challengeId: string; method: string } }
  | { action: 'mfa.challenge_failed'; subjectType: 'member'; subjectId: string; details: { challengeId: string; method: string; reason: 'code' | 'expired' | 'browser' | 'attempts' | 'method' | 'refused'; attempts: number } }
  | { action: 'mfa.challenge_code_sent'; subjectType: 'member'; subjectId: string; details: { challengeId: string; method: 'email_code' | 'sms_code' } }
  | { action: 'mfa.totp_setup_started'; subjectType: 'member'; subjectId: string; details: Record<string, never> }
  | { action: 'mfa.totp_enabled'; subjectType: 'member'; subjectId: string; details: { recoveryCodes: number } }
  | { action: 'mfa.totp_disabled'; subjectType: 'member'; subjectId: string; details: { recoveryCodesRemoved: number } }
  | { action: 'mfa.recovery_codes_regenerated'; subjectType: 'member'; subjectId: string; details: { recoveryCodes: number } }
  | { action: 'mfa.change_refused'; subjectType: 'member'; subjectId: string; details: { operation: 'confirm' | 'disable' | 'regenerate'; reason: 'password' | 'code' } }
  | { action: 'mfa.passkey_registered'; subjectType: 'member'; subjectId: string; details: { passkeyId: string; deviceType: string; backedUp: boolean } }
  | { action: 'mfa.passkey_renamed'; subjectType: 'member'; subjectId: string; details: { passkeyId: string } }
  | { action: 'mfa.passkey_removed'; subjectType: 'member'; subjectId: string; details: { passkeyId: string } }
  | { action: 'mfa.passkey_signin_refused'; subjectType: 'member'; subjectId: string; details: { passkeyId: string; reason: 'locked' | 'inactive' } }
  // login-security (ADR 0009): subjects are member ids, or an HMAC reference for an identifier/network — never an IP.
  | { action: 'login.locked'; subjectType: 'member' | 'login_identifier' | 'network'; subjectId: string; details: { scope: 'account' | 'ip'; seconds: number; failures: number; lockNumber?: number } }
  | { action: 'login.refused'; subjectType: 'member' | 'login_identifier' | 'network'; subjectId: string; details: { scope: 'account' | 'ip'; retryAfterSeconds: number; refusedSoFar: number } }
  | { action: 'login.unlocked'; subjectType: 'member'; subjectId: string; details: Record<string, never> }
  | { action: 'login.risk_assessed'; subjectType: 'member'; subjectId: string; details: { assessmentId: string; score: number; level: 'low' | 'medium' | 'high'; reasons: string[]; stepUp: boolean } }
  | { action: 'login.device_recorded'; subjectType: 'member'; subjectId: string; details: { sessionId: string; deviceId: string | null; newDevice: boolean; newDeviceEmail: boolean; assessmentId?: string } };

export interface AuditActor {
  type: 'member' | 'staff' | 'system' | 'anonymous' | 'guardian';
  id?: string | null;
}
