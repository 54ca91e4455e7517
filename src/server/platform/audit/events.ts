/**
 * Every audited action, as a typed union. Details hold identifiers and codes only — never a
 * personal value (the audit log is kept for years and is not encrypted).
 */
export type AuditEvent =
  // face verification (verification/face, ADR 0013): ids, challenge and reason codes only — never a score or template.
  | { action: 'face.check_started'; subjectType: 'member'; subjectId: string; details: { checkId: string; challenge: string } }
  | { action: 'face.check_completed'; subjectType: 'member'; subjectId: string; details: { checkId: string; outcome: 'verified' | 'review' | 'refused'; reason: string | null } }
  | { action: 'face.review_decided'; subjectType: 'member'; subjectId: string; details: { reviewId: string; checkId: string; decision: 'approved' | 'rejected'; reason: string | null } }
  | { action: 'face.data_deleted'; subjectType: 'member'; subjectId: string; details: { templates: number; badges: number; reviews: number; files: number } }
  | { action: 'profiles.updated'; subjectType: 'member'; subjectId: string; details: { fields: string[] } }
  | { action: 'profiles.photo_added' | 'profiles.photo_removed' | 'profiles.photo_changed'; subjectType: 'member'; subjectId: string; details: { photoId: string } }
  | { action: 'profiles.photos_reordered'; subjectType: 'member'; subjectId: string; details: { photos: number } }
  | { action: 'profiles.location_set'; subjectType: 'member'; subjectId: string; details: { source: 'precise' | 'city' | 'none'; restricted: boolean } }
  | { action: 'profiles.ranking_objection'; subjectType: 'member'; subjectId: string; details: { requestId: string | null; plain: boolean } }
  | { action: 'sessions.location_shared'; subjectType: 'member'; subjectId: string; details: { sessionId: string } }
  // chat (social/chat): deleting a message for both wipes it from the partner's view too — ids only.
  | { action: 'chat.message_deleted_for_both'; subjectType: 'chat_message'; subjectId: string; details: { conversationId: string } }
  | { action: 'sessions.location_removed'; subjectType: 'member'; subjectId: string; details: { sessionId: string } }
  | { action: 'privacy.export_requested'; subjectType: 'member'; subjectId: string; details: { exportId: string } }
  | { action: 'privacy.export_downloaded'; subjectType: 'member'; subjectId: string; details: { exportId: string } }
  // erasure (privacy/erasure/, ADR 0010): ids, dates and counts only.
  | { action: 'privacy.deletion_requested'; subjectType: 'member'; subjectId: string; details: { erasureId: string; requestId: string; scheduledFor: string; sessionsEnded: number } }
  | { action: 'privacy.deletion_cancelled'; subjectType: 'member'; subjectId: string; details: { erasureId: string; via: 'sign_in' } }
  | { action: 'privacy.erasure_started'; subjectType: 'member'; subjectId: string; details: { erasureId: string; attempt: number } }
  | { action: 'privacy.erased'; subjectType: 'member'; subjectId: string; details: { erasureId: string; requestId: string; tables: number; rowsDeleted: number; rowsAnonymized: number; rowsKept: number; files: number } }
  | { action: 'privacy.erasure_receipt_sent'; subjectType: 'erasure'; subjectId: string; details: { language: string } }
  // rights + staff (ADR 0012): staff reads carry the role and what was read, never the values.
  | { action: 'privacy.retention_swept'; subjectType: 'retention_sweep'; subjectId: string; details: { tables: Record<string, { deleted: number; cleared: number }>; keptAfterErasure: Record<string, { deleted: number; cleared: number }> } }
  | { action: 'privacy.export_expired'; subjectType: 'member'; subjectId: string; details: { exportId: string; fileDeleted: boolean } }
  | { action: 'staff.role_granted'; subjectType: 'member'; subjectId: string; details: { role: string; grantId: string; by: string } }
  | { action: 'staff.role_revoked'; subjectType: 'member'; subjectId: string; details: { role: string; grantId: string; by: string } }
  | { action: 'staff.data_read'; subjectType: 'member'; subjectId: string; details: { role: string; what: string } }
  | { action: 'staff.access_refused'; subjectType: 'member'; subjectId: string; details: { role: string; reason: 'staff_only' | 'reauth_required' } }
  | { action: 'member.data_revealed'; subjectType: 'member'; subjectId: string; details: { sessionId: string } }
  | { action: 'rights.corrected'; subjectType: 'member'; subjectId: string; details: { requestId: string; fields: string[] } }
  | { action: 'rights.restriction_changed'; subjectType: 'member'; subjectId: string; details: { requestId: string | null; category: string; restricted: boolean } }
  | { action: 'newsletter.queued'; subjectType: 'newsletter'; subjectId: string; details: { recipients: number } }
  | { action: 'newsletter.unsubscribed'; subjectType: 'member'; subjectId: string; details: { deliveryId: string } }
  | { action: 'support.ticket_filed'; subjectType: 'support_ticket'; subjectId: string; details: { number: string; topic: string } }
  | { action: 'policy.published'; subjectType: 'policy_version'; subjectId: string; details: { languages: string[]; missingSections: number } }
  // policy changes (P7.1, P7.2): what a version changed, and each member's decision on a material one.
  | { action: 'policy.changes_published'; subjectType: 'policy_version'; subjectId: string; details: { previous: string | null; material: boolean; reducesRights: boolean; kinds: string[]; purposes: string[]; changes: number } }
  | { action: 'policy.reconsent_decided'; subjectType: 'member'; subjectId: string; details: { version: string; decision: 'accepted' | 'declined'; governing: string; language: string } }
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
  | { action: 'accounts.suspended'; subjectType: 'member'; subjectId: string; details: { reason: 'guardian_withdrew'; sessionsEnded: number } | { reason: 'moderation'; caseId: string; sessionsEnded: number } }
  | { action: 'accounts.reinstated'; subjectType: 'member'; subjectId: string; details: { reason: 'moderation_reversed'; caseId: string; by: string } }
  | { action: 'guardians.requested'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.invited'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.consented'; subjectType: 'guardian'; subjectId: string; details: { memberId: string; version: string; language: string } }
  | { action: 'guardians.refused'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  | { action: 'guardians.withdrawn'; subjectType: 'guardian'; subjectId: string; details: { memberId: string } }
  // social graph: kenalan requests, connections, blocks, reports — ids and codes only (never the intro or report text).
  | { action: 'requests.sent'; subjectType: 'member'; subjectId: string; details: { requestId: string; toId: string } }
  | { action: 'requests.accepted' | 'requests.declined' | 'requests.withdrawn'; subjectType: 'member'; subjectId: string; details: { requestId: string; otherId: string } }
  | { action: 'connections.removed'; subjectType: 'member'; subjectId: string; details: { otherId: string } }
  | { action: 'blocks.added'; subjectType: 'member'; subjectId: string; details: { blockedId: string; connectionEnded: boolean; requestsCancelled: number; via: 'block' | 'report' } }
  | { action: 'blocks.removed'; subjectType: 'member'; subjectId: string; details: { blockedId: string } }
  // moderation (ops/moderation): the decision on a case, by a moderator — ids and codes only (never the note).
  | { action: 'moderation.case_decided'; subjectType: 'member'; subjectId: string; details: { caseId: string; decision: 'dismissed' | 'warned' | 'suspended'; category: string; reporterId: string | null } }
  | { action: 'reports.filed'; subjectType: 'member'; subjectId: string; details: { caseId: string; reportedId: string; category: string; evidence: number; blocked: boolean } }
  // updates (posts) and notifications: ids, counts and codes only (never the text or the country).
  | { action: 'posts.created'; subjectType: 'member'; subjectId: string; details: { postId: string; audience: string; photos: number; crossBorder: boolean } }
  | { action: 'posts.deleted'; subjectType: 'member'; subjectId: string; details: { postId: string; photos: number } }
  | { action: 'posts.comment_removed'; subjectType: 'member'; subjectId: string; details: { postId: string; commentId: string; by: 'author' | 'post_owner' } }
  | { action: 'notifications.preferences_changed'; subjectType: 'member'; subjectId: string; details: { email: string[] } }
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
