import type { ColumnType } from 'kysely';

/** Kysely table types of the social graph; `Database` (platform/db/schema.ts) extends this. */
export interface SocialGraphTables {
  connections: ConnectionsTable;
  blocks: BlocksTable;
  kenalan_requests: KenalanRequestsTable;
  moderation_cases: ModerationCasesTable;
}

/** One row per direction: a connection between A and B is (A, B) and (B, A). */
export interface ConnectionsTable {
  member_id: string;
  other_id: string;
  created_at: Date;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Date;
}

export type KenalanRequestStatus = 'pending' | 'accepted' | 'declined' | 'withdrawn' | 'expired' | 'cancelled';

export interface KenalanRequestsTable {
  id: string;
  from_id: string;
  to_id: string;
  /** Encrypted (`kenalan_requests.intro`), ≤ 300 characters before encryption; null when none was written. */
  intro: string | null;
  status: KenalanRequestStatus;
  idempotency_key: string | null;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
}

export const REPORT_CATEGORIES = ['spam', 'scam', 'harassment', 'hate', 'sexual_content', 'minor_safety', 'impersonation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export interface ModerationCasesTable {
  id: string;
  reporter_id: string | null;
  reported_id: string;
  category: ReportCategory;
  /** Encrypted (`moderation_cases.message`), ≤ 1000 characters before encryption. */
  message: string | null;
  /** Chat message ids the reporter pointed to (ids only; staff read the messages through chat). */
  evidence_message_ids: ColumnType<string[], string, string>;
  reporter_blocked: boolean;
  status: ColumnType<'open' | 'in_review' | 'closed', 'open' | 'in_review' | 'closed' | undefined, 'open' | 'in_review' | 'closed'>;
  created_at: Date;
  /** Set when the case is closed; retention counts from it. */
  closed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Set by erasure on a row it keeps; the retention job ends the row `forDays` later (ADR 0016). */
  subject_erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The moderator's decision when closed (ops/moderation, migration 0025). */
  decision: ColumnType<ModerationDecision | null, ModerationDecision | null | undefined, ModerationDecision | null>;
  /** The moderator who decided (member id); NULL while open or once their account is erased. */
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Encrypted (`moderation_cases.staff_note`): the moderator's note on the decision. */
  staff_note: ColumnType<string | null, string | null | undefined, string | null>;
}

export const MODERATION_DECISIONS = ['dismissed', 'warned', 'suspended'] as const;
export type ModerationDecision = (typeof MODERATION_DECISIONS)[number];
