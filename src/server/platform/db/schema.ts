import type { ColumnType, Generated } from 'kysely';
import type { ErasureTables } from '../../privacy/erasure/tables.js';
import type { PolicyChangeTables } from '../../privacy/policy/change-tables.js';
import type { RightsTables } from '../../privacy/rights/tables.js';
import type { FaceTables } from '../../verification/face/tables.js';
import type { ProfilesTables } from '../../social/profiles/tables.js';
import type { SocialGraphTables } from '../../social/graph/tables.js';
import type { ChatTables } from '../../social/chat/tables.js';
import type { PostsTables } from '../../social/posts/tables.js';

/**
 * Row types of every table, as Kysely sees them. Keep in step with migrations/ (a test checks).
 * Newer modules keep their table types in their own tables.ts, which this interface extends.
 */
export interface Database
  extends ErasureTables,
    PolicyChangeTables,
    RightsTables,
    FaceTables,
    ProfilesTables,
    SocialGraphTables,
    ChatTables,
    PostsTables {
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
  login_rate_limits: LoginRateLimitsTable;
  member_devices: MemberDevicesTable;
  member_networks: MemberNetworksTable;
  members: MembersTable;
  member_photos: MemberPhotosTable;
  verification_codes: VerificationCodesTable;
  password_resets: PasswordResetsTable;
  contact_changes: ContactChangesTable;
  compromise_reports: CompromiseReportsTable;
  guardians: GuardiansTable;
  member_totp: MemberTotpTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  signin_challenges: SigninChallengesTable;
  webauthn_challenges: WebauthnChallengesTable;
  newsletters: NewslettersTable;
  newsletter_deliveries: NewsletterDeliveriesTable;
  newsletter_clicks: NewsletterClicksTable;
  rights_requests: RightsRequestsTable;
  data_exports: DataExportsTable;
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
  /** The first row still kept: retention cuts the oldest rows as a prefix (privacy/retention). */
  start_seq: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  /** The hash that row links to (the genesis hash until the first cut). */
  start_prev_hash: ColumnType<string, string | undefined, string>;
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
  /** Set when the ticket is closed; retention counts from it. */
  closed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
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
  /** Set by erasure on a row it keeps; the retention job ends the row `forDays` later (ADR 0016). */
  subject_erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type MemberStatus = 'pending_verification' | 'pending_guardian' | 'active' | 'suspended' | 'deleted' | 'locked' | 'deletion_pending';

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
  /** The day (YYYY-MM-DD, Jakarta) the member turns 18; null only until backfillAdultFrom runs. */
  adult_from: string | null;
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
  /** Order on the profile (0 first; profiles module, migration 0018). */
  position: ColumnType<number, number | undefined, number>;
  /** Who may see the photo (profiles module, migration 0018). */
  visibility: ColumnType<'everyone' | 'connections' | 'only_me', 'everyone' | 'connections' | 'only_me' | undefined, 'everyone' | 'connections' | 'only_me'>;
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
  /** The member's known device this session was started from (login-security, ADR 0009). */
  device_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Approximate place at sign-in ({city, country} JSON), encrypted. */
  place: ColumnType<string | null, string | null | undefined, string | null>;
  /** Browser location the member chose to share ({latitude, longitude, accuracy} JSON, ~1 km), encrypted. */
  location: ColumnType<string | null, string | null | undefined, string | null>;
  location_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** rate-limiter-flexible's RateLimiterPostgres table (key is an HMAC; expire in epoch ms, int8 as string). */
export interface LoginRateLimitsTable {
  key: string;
  points: number;
  expire: string | null;
}

export interface MemberDevicesTable {
  id: string;
  member_id: string;
  device_hash: string;
  device_label: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

export interface MemberNetworksTable {
  id: string;
  member_id: string;
  prefix_hash: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

export type GuardianStatus = 'pending' | 'consented' | 'refused' | 'withdrawn';

export interface GuardiansTable {
  id: string;
  member_id: string;
  email: string;
  phone: string;
  language: 'id' | 'en';
  status: GuardianStatus;
  invite_hash: string | null;
  invite_expires_at: Date | null;
  withdraw_hash: string | null;
  consented_at: Date | null;
  withdrawn_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Password resets (recovery module): the secret is stored only as a hash, set by the sending job. */
export interface PasswordResetsTable {
  id: string;
  member_id: string;
  channel: 'email' | 'sms';
  secret_hash: string | null;
  attempts: Generated<number>;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

/** Pending email/phone changes (recovery module); values encrypted, secrets hashed. */
export interface ContactChangesTable {
  id: string;
  member_id: string;
  kind: 'email' | 'phone';
  new_value: string;
  old_value: string | null;
  secret_hash: string | null;
  attempts: Generated<number>;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

/** Confirmations of "my account is compromised" reports made without a session (recovery module). */
export interface CompromiseReportsTable {
  id: string;
  member_id: string;
  secret_hash: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

/** A member's authenticator app (mfa module): secret encrypted, pending until `confirmed_at`. */
export interface MemberTotpTable {
  member_id: string;
  secret: string;
  confirmed_at: Date | null;
  last_used_step: number | null;
  created_at: Date;
}

/** One-time recovery codes (mfa module), argon2id hashes. */
export interface RecoveryCodesTable {
  id: string;
  member_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Date;
}

/** WebAuthn credentials (mfa module). `counter` is int8, read back as a string. */
export interface PasskeysTable {
  id: string;
  member_id: string;
  credential_id: string;
  public_key: string;
  counter: ColumnType<string, string | number, string | number>;
  transports: string | null;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** A sign-in that must pass a second step (mfa module); hashes only. */
export interface SigninChallengesTable {
  id: string;
  member_id: string;
  browser_hash: string;
  reason: 'mfa' | 'step_up';
  methods: string;
  attempts: Generated<number>;
  code_channel: 'email_code' | 'sms_code' | null;
  code_hash: string | null;
  code_expires_at: Date | null;
  code_requested_at: Date | null;
  codes_sent: Generated<number>;
  webauthn_challenge: string | null;
  /** The member asked to cancel their pending account deletion; done only once the challenge is passed. */
  restore_deletion: Generated<boolean>;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

/** WebAuthn challenges for passkey registration and passwordless sign-in (mfa module). */
export interface WebauthnChallengesTable {
  id: string;
  member_id: string | null;
  purpose: 'register' | 'signin';
  challenge: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export interface NewslettersTable {
  id: string;
  subject_id: string;
  subject_en: string;
  body_id: string;
  body_en: string;
  created_at: Date;
}

export interface NewsletterDeliveriesTable {
  id: string;
  newsletter_id: string;
  member_id: string;
  token_hash: string;
  language: 'id' | 'en';
  tracked: boolean;
  sent_at: Date;
  opened_at: Date | null;
  unsubscribed_at: Date | null;
}

export interface NewsletterClicksTable {
  id: string;
  delivery_id: string;
  link_index: number;
  at: Date;
}

export interface RightsRequestsTable {
  id: string;
  member_id: string;
  kind: 'access' | 'erasure' | 'correction' | 'restriction' | 'objection';
  received_at: Date;
  due_at: Date;
  completed_at: Date | null;
}

export interface DataExportsTable {
  id: string;
  member_id: string;
  request_id: string;
  status: 'queued' | 'ready' | 'failed' | 'expired';
  language: 'id' | 'en';
  file_path: string | null;
  /** The export file's AES-256-GCM key, wrapped by the keyring (migration 0016; null for files written before). */
  file_key: ColumnType<string | null, string | null | undefined, string | null>;
  bytes: number | null;
  created_at: Date;
  ready_at: Date | null;
  expires_at: Date | null;
  downloaded_at: Date | null;
}
