import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { DATA_MAP } from '../../data-map.js';
import { appendAudit, pruneAuditLog } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import type { TableDeclaration } from '../data-map/types.js';
import { keptPlan, retentionPlan, withoutAccountPlan, type KeptPlan, type RetentionPlan } from './plan.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Runs at start and then every six hours: every period is in days, so none overstays by more than a quarter of one. */
export const RETENTION_SWEEP_MS = 6 * 60 * 60 * 1000;

export interface TableSweep {
  table: string;
  /**
   * `period`: the table's `created`/`closed` periods; `kept`: rows erasure kept, ended `forDays` after
   * it; `withoutAccount`: rows of subjects who never have an account (visitors), ended after their own period.
   */
  plan: 'period' | 'kept' | 'withoutAccount';
  deleted: number;
  cleared: number;
  error?: string;
}

/**
 * The retention job (P4.3, ADR 0016): every period a personal field declares from `created` or
 * `closed` is enforced here, and every `keep` after erasure once its `forDays` have passed since the
 * erasure stamped the row, and every `withoutAccount` period of rows whose subject never has an
 * account (a visitor's cookie choice), from the data map alone — rows deleted, and values with a shorter
 * period than their row's cleared before it, in batches (one short transaction each, so a sweep never holds locks
 * long). A table that fails is reported and the others still run. One audit entry per sweep that
 * removed anything, with counts only.
 */
export function makeRetentionService({
  db,
  logger,
  clock = () => new Date(),
  dataMap = DATA_MAP,
  batchSize = 1000,
}: {
  db: Kysely<Database>;
  logger: Logger;
  clock?: () => Date;
  dataMap?: readonly TableDeclaration[];
  batchSize?: number;
}) {
  const plans = dataMap.map(retentionPlan).filter((p): p is RetentionPlan => p !== undefined);
  const kept = dataMap.map(keptPlan).filter((p): p is KeptPlan => p !== undefined);
  const withoutAccount = dataMap.map(withoutAccountPlan).filter((p): p is RetentionPlan => p !== undefined);
  const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;

  function clockOf(plan: RetentionPlan) {
    const refs = plan.clock.map((c) => sql.ref(c));
    return refs.length === 1 ? refs[0]! : sql`COALESCE(${sql.join(refs)})`;
  }

  function matching(plan: RetentionPlan, cutoff: Date) {
    const conditions = [sql`${clockOf(plan)} < ${cutoff}`, ...Object.entries(plan.when).map(([column, values]) => sql`${sql.ref(column)} IN (${sql.join(values)})`)];
    return sql.join(conditions, sql` AND `);
  }

  /** Repeats a batch statement until it touches fewer rows than a batch. */
  async function inBatches(statement: (trx: Transaction<Record<string, Record<string, unknown>>>) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await untyped.transaction().execute(statement);
      total += n;
      if (n < batchSize) return total;
    }
  }

  async function clearColumns(plan: RetentionPlan, days: number, columns: string[], now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const anySet = sql.join(columns.map((c) => sql`${sql.ref(c)} IS NOT NULL`), sql` OR `);
    const assignments = sql.join(columns.map((c) => sql`${sql.ref(c)} = NULL`));
    const key = sql.ref(plan.primaryKey);
    const table = sql.table(plan.table);
    return inBatches(async (trx) => {
      const result = await sql`UPDATE ${table} SET ${assignments} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${matching(plan, cutoff)} AND (${anySet}) LIMIT ${batchSize})`.execute(trx);
      return Number(result.numAffectedRows ?? 0n);
    });
  }

  async function deleteRows(plan: RetentionPlan, days: number, now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const key = sql.ref(plan.primaryKey);
    const table = sql.table(plan.table);
    return inBatches(async (trx) => {
      const result = await sql`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${matching(plan, cutoff)} LIMIT ${batchSize})`.execute(trx);
      return Number(result.numAffectedRows ?? 0n);
    });
  }

  async function sweepTable(plan: RetentionPlan, kind: TableSweep['plan'], now: Date): Promise<TableSweep> {
    let cleared = 0;
    let deleted = 0;
    for (const { days, columns } of plan.clears) cleared += await clearColumns(plan, days, columns, now);
    if (plan.action === 'delete') deleted = await deleteRows(plan, plan.rowDays, now);
    if (plan.action === 'auditChain') {
      deleted = await db.transaction().execute((trx) => pruneAuditLog(trx, new Date(now.getTime() - plan.rowDays * DAY_MS)));
    }
    return { table: plan.table, plan: kind, deleted, cleared };
  }

  return {
    plans,
    kept,
    withoutAccount,

    /** One pass over every table with a plan; returns what each removed (tables with nothing to do included). */
    async sweep(): Promise<TableSweep[]> {
      const now = clock();
      const results: TableSweep[] = [];
      // The tables' own periods first, then the rows erasure kept, then the rows of visitors.
      const all = [
        ...plans.map((plan) => ({ plan, kind: 'period' as const })),
        ...kept.map((plan) => ({ plan, kind: 'kept' as const })),
        ...withoutAccount.map((plan) => ({ plan, kind: 'withoutAccount' as const })),
      ];
      for (const { plan, kind } of all) {
        try {
          results.push(await sweepTable(plan, kind, now));
        } catch (err) {
          logger.error({ err, table: plan.table, plan: kind }, 'retention sweep of a table failed');
          results.push({ table: plan.table, plan: kind, deleted: 0, cleared: 0, error: err instanceof Error ? err.message : String(err) });
        }
      }
      const removed = results.filter((r) => r.deleted > 0 || r.cleared > 0);
      if (removed.length > 0) {
        const counts = (kind: TableSweep['plan']) => Object.fromEntries(removed.filter((r) => r.plan === kind).map((r) => [r.table, { deleted: r.deleted, cleared: r.cleared }]));
        const details = { tables: counts('period'), keptAfterErasure: counts('kept'), withoutAccount: counts('withoutAccount') };
        await db.transaction().execute((trx) => appendAudit(trx, { type: 'system' }, { action: 'privacy.retention_swept', subjectType: 'retention_sweep', subjectId: now.toISOString(), details }, { purpose: 'accountability', at: now }));
        logger.info(details, 'retention sweep');
      }
      return results;
    },

    /** Sweeps now and then every `intervalMs` (one sweep at a time); returns the function that stops it. */
    startSweeper(intervalMs = RETENTION_SWEEP_MS): () => void {
      let running = false;
      const run = async () => {
        if (running) return;
        running = true;
        try {
          await this.sweep();
        } catch (err) {
          logger.error({ err }, 'retention sweep failed');
        } finally {
          running = false;
        }
      };
      void run();
      const timer = setInterval(() => void run(), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
export type RetentionService = ReturnType<typeof makeRetentionService>;
