import type { Expiry, TableDeclaration } from '../data-map/types.js';

/** What the retention job does to one table (derived from its data-map declaration alone). */
export interface RetentionPlan {
  table: string;
  primaryKey: string;
  action: 'delete' | 'auditChain';
  clock: string[];
  when: Record<string, string[]>;
  /** Columns set to NULL once `days` have passed on the clock (periods shorter than the row's). */
  clears: { days: number; columns: string[] }[];
  /** The row goes once this many days have passed. */
  rowDays: number;
}

/** Personal fields whose period the job enforces; `account_deleted` periods are erasure's. */
function clockedFields(declaration: TableDeclaration): [string, number][] {
  return Object.entries(declaration.personal)
    .filter(([, field]) => field.retention.from === 'created' || field.retention.from === 'closed')
    .map(([column, field]) => [column, field.retention.days]);
}

/**
 * The table's plan, or undefined when the job has nothing to do there (no `created` / `closed`
 * periods, or the module deletes rows itself). Throws on a declaration the job cannot honour, so
 * the data-map test fails instead of a period going unenforced.
 */
export function retentionPlan(declaration: TableDeclaration): RetentionPlan | undefined {
  const fields = clockedFields(declaration);
  const expiry: Expiry | undefined = declaration.expiry;
  if (fields.length === 0) {
    if (expiry && expiry.action !== 'elsewhere') throw new Error(`${declaration.table}: expiry declared but no personal field counts from created/closed`);
    return undefined;
  }
  if (!expiry) throw new Error(`${declaration.table}: personal fields counted from created/closed need an expiry (data-map/types.ts)`);
  if (expiry.action === 'elsewhere') return undefined;
  if (expiry.clock.length === 0) throw new Error(`${declaration.table}: an expiry needs a clock column`);
  const byDays = new Map<number, string[]>();
  for (const [column, days] of fields) byDays.set(days, [...(byDays.get(days) ?? []), column]);
  const periods = [...byDays.keys()].sort((a, b) => a - b);
  const rowDays = periods[periods.length - 1]!;
  const clears = periods.filter((days) => days !== rowDays).map((days) => ({ days, columns: byDays.get(days)! }));
  return {
    table: declaration.table,
    primaryKey: declaration.primaryKey,
    action: expiry.action,
    clock: expiry.clock,
    when: expiry.when ?? {},
    clears,
    rowDays,
  };
}
