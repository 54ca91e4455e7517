import type { ColumnType, Generated } from 'kysely';

/** Where one member's erasure stands (migration 0014_erasure). */
export type ErasureState = 'pending' | 'cancelled' | 'running' | 'erased' | 'done';

/** Per table: rows deleted, rows whose values were wiped or replaced, rows kept (counts only, never values). */
export interface ErasureSummary {
  tables?: Record<string, { deleted: number; anonymized: number; kept: number }>;
  files?: number;
  jobs?: number;
}

export interface ErasuresTable {
  id: string;
  member_id: string | null;
  request_id: string;
  state: ErasureState;
  language: 'id' | 'en';
  requested_at: Date;
  scheduled_for: Date;
  cancelled_at: Date | null;
  started_at: Date | null;
  erased_at: Date | null;
  finished_at: Date | null;
  /** jsonb: written as JSON text. */
  steps_done: ColumnType<string[], string | undefined, string>;
  summary: ColumnType<ErasureSummary, string | undefined, string>;
  receipt_email: string | null;
  attempts: Generated<number>;
  claimed_until: Date | null;
  last_error: string | null;
}

/** Kysely table types of erasure (account deletion, grace period, receipts); `Database` (platform/db/schema.ts) extends this. */
export interface ErasureTables {
  erasures: ErasuresTable;
}
