/**
 * Every audited action, as a typed union. Details hold identifiers and codes only — never a
 * personal value (the audit log is kept for years and is not encrypted).
 */
export type AuditEvent =
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
  | { action: 'accounts.login_failed'; subjectType: 'member'; subjectId: string; details: { reason: 'password' } }
  | { action: 'accounts.logged_in'; subjectType: 'member'; subjectId: string; details: { sessionId: string } };

export interface AuditActor {
  type: 'member' | 'staff' | 'system' | 'anonymous';
  id?: string | null;
}
