import type { ColumnType, Generated } from 'kysely';

/** Row types of every table, as Kysely sees them. Keep in step with migrations/ (a test checks). */
export interface Database {
  crypto_data_keys: CryptoDataKeysTable;
  audit_head: AuditHeadTable;
  audit_log: AuditLogTable;
  dev_mailbox: DevMailboxTable;
  dev_sms_outbox: DevSmsOutboxTable;
  policy_versions: PolicyVersionsTable;
  policy_documents: PolicyDocumentsTable;
  support_tickets: SupportTicketsTable;
  consent_ledger: ConsentLedgerTable;
  sessions: SessionsTable;
  members: MembersTable;
  member_photos: MemberPhotosTable;
  verification_codes: VerificationCodesTable;
}

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface CryptoDataKeysTable {
  id: string;
  kind: 'field' | 'blind_index';
  wrapped_key: string;
  master_key_id: string;
  status: 'active' | 'retired';
  created_at: CreatedAt;
  retired_at: Date | null;
}

export interface AuditHeadTable {
  id: number;
  seq: ColumnType<string, string | number | bigint, string | number | bigint>;
  hash: string;
}

export interface AuditLogTable {
  seq: ColumnType<string, string | number | bigint, never>;
  at: ColumnType<Date, Date, never>;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

export interface DevMailboxTable {
  id: string;
  to_address: string;
  subject: string;
  raw: string;
  created_at: CreatedAt;
}

export interface DevSmsOutboxTable {
  id: string;
  to_number: string;
  body: string;
  created_at: CreatedAt;
}

export interface PolicyVersionsTable {
  version: string;
  effective_at: Date;
  published_at: CreatedAt;
  parity_report: ColumnType<unknown, string, string>;
}

export interface PolicyDocumentsTable {
  version: string;
  language: 'id' | 'en';
  title: string;
  sha256: string;
  source_text: string;
  sections: ColumnType<unknown, string, string>;
}

export interface SupportTicketsTable {
  id: string;
  number: string;
  idempotency_key: string | null;
  name: string;
  email: string;
  email_bidx: string;
  topic: string;
  message: string;
  language: 'id' | 'en';
  status: Generated<string>;
  created_at: Date;
  due_at: Date;
}

export interface ConsentLedgerTable {
  id: string;
  subject_type: 'member' | 'guardian' | 'visitor';
  subject_id: string;
  event: 'policy_accepted' | 'consent_granted' | 'consent_withdrawn';
  purpose: string | null;
  policy_version: string;
  policy_sha256: string;
  language: 'id' | 'en';
  ip: string | null;
  user_agent: string | null;
  at: Date;
}

export type MemberStatus = 'pending_verification' | 'pending_guardian' | 'active' | 'suspended' | 'deleted';

export interface MembersTable {
  id: string;
  username: string;
  username_norm: string;
  nickname: string;
  gender: 'female' | 'male' | 'nonbinary' | 'unspecified';
  email: string;
  email_bidx: string;
  email_verified_at: Date | null;
  phone: string;
  phone_bidx: string;
  phone_verified_at: Date | null;
  nik: string;
  nik_bidx: string;
  nik_last4: string;
  date_of_birth: string;
  password_hash: string;
  language: 'id' | 'en';
  status: MemberStatus;
  idempotency_key: string | null;
  sms_requested_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface MemberPhotosTable {
  id: string;
  member_id: string;
  storage_path: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  created_at: Date;
}

export interface VerificationCodesTable {
  id: string;
  member_id: string;
  channel: 'phone' | 'email';
  secret_hash: string;
  attempts: Generated<number>;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  member_id: string;
  device_label: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}
