import type { ColumnType } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';

/** What a published version changed (one row per version published after the first). */
export interface PolicyChangesTable {
  version: string;
  previous_version: string | null;
  material: boolean;
  reduces_rights: boolean;
  /** Which of section 7's material-change kinds (I–VI) apply. */
  kinds: ColumnType<string[], string, string>;
  affected_purposes: ColumnType<string[], string, string>;
  /** The list of what changed, in both languages. */
  summary: ColumnType<Record<Language, string[]>, string, string>;
}

/** One change notice email per member and version: claimed before sending, stamped once sent. */
export interface PolicyNoticesTable {
  version: string;
  member_id: string;
  claimed_at: Date;
  sent_at: Date | null;
}

/** A member's decision on a material version, and the version that governs them afterwards (P7.1). */
export interface PolicyDecisionsTable {
  id: string;
  member_id: string;
  version: string;
  decision: 'accepted' | 'declined';
  governing_version: string;
  at: ColumnType<Date, Date | undefined, never>;
}

/** Kysely table types of policy changes (material changes, re-consent); `Database` (platform/db/schema.ts) extends this. */
export interface PolicyChangeTables {
  policy_changes: PolicyChangesTable;
  policy_notices: PolicyNoticesTable;
  policy_decisions: PolicyDecisionsTable;
}
