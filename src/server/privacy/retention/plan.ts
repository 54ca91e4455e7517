import { KEPT_SINCE_COLUMN, type Expiry, type TableDeclaration } from '../data-map/types.js';

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

/**
 * What the job does to the rows erasure kept in one table (`keep` fields, ADR 0016 amendment):
 * erasure stamped them with `KEPT_SINCE_COLUMN`; a `keep` field with a shorter `forDays` than the
 * row's longest is set to NULL when its own has passed, and the row goes after the longest.
 */
export interface KeptPlan extends RetentionPlan {
  action: 'delete';
  /** Always `[KEPT_SINCE_COLUMN]`. */
  clock: string[];
}

/** `keep` fields of a table erasure walks (one with a member subject), with their periods after erasure. */
function keptFieldsOf(declaration: TableDeclaration): [string, number][] {
  if (!declaration.subject || declaration.subject.kind === 'none') return [];
  return Object.entries(declaration.personal).flatMap(([column, field]) => (field.erasure.action === 'keep' ? [[column, field.erasure.forDays] as [string, number]] : []));
}

/**
 * True when the table's own `created` period already ends the kept field no later than its
 * `forDays` after erasure: the row existed before the erasure, so creation + days ≤ erasure +
 * forDays (the audit log, kept five years from each entry, and the rights requests). Not when the
 * table's plan has a `when` condition: then its period may never start.
 */
export function endedByOwnPeriod(declaration: TableDeclaration, column: string): boolean {
  const field = declaration.personal[column];
  if (!field || field.erasure.action !== 'keep') return false;
  const plan = retentionPlan(declaration);
  return plan !== undefined && Object.keys(plan.when).length === 0 && field.retention.from === 'created' && field.retention.days <= field.erasure.forDays;
}

/**
 * The plan for the rows erasure keeps in this table, or undefined when every `keep` field is
 * already ended by the table's own `created` period (or it has none). Throws when the table needs
 * the stamp column and does not declare it, so the data-map and retention tests fail rather than a
 * kept row living forever.
 */
export function keptPlan(declaration: TableDeclaration): KeptPlan | undefined {
  const fields = keptFieldsOf(declaration);
  if (fields.every(([column]) => endedByOwnPeriod(declaration, column))) return undefined;
  if (!(KEPT_SINCE_COLUMN in declaration.nonPersonal)) {
    throw new Error(`${declaration.table}: fields kept after erasure need a ${KEPT_SINCE_COLUMN} column (nullable timestamptz, declared non-personal) so the retention job can end them`);
  }
  const byDays = new Map<number, string[]>();
  for (const [column, days] of fields) byDays.set(days, [...(byDays.get(days) ?? []), column]);
  const periods = [...byDays.keys()].sort((a, b) => a - b);
  const rowDays = periods[periods.length - 1]!;
  return {
    table: declaration.table,
    primaryKey: declaration.primaryKey,
    action: 'delete',
    clock: [KEPT_SINCE_COLUMN],
    when: {},
    clears: periods.filter((days) => days !== rowDays).map((days) => ({ days, columns: byDays.get(days)! })),
    rowDays,
  };
}

/**
 * The plan for the table's rows whose subject never has an account (`withoutAccount`: a visitor's
 * cookie choice), or undefined when it has none: the row goes `days` after its clock. Throws on a
 * declaration the job cannot honour.
 */
export function withoutAccountPlan(declaration: TableDeclaration): RetentionPlan | undefined {
  const rule = declaration.withoutAccount;
  if (!rule) return undefined;
  if (rule.clock.length === 0) throw new Error(`${declaration.table}: withoutAccount needs a clock column`);
  if (Object.keys(rule.when).length === 0) throw new Error(`${declaration.table}: withoutAccount must say which rows (when), never the whole table`);
  if (!(rule.days > 0)) throw new Error(`${declaration.table}: withoutAccount needs a period in days`);
  return { table: declaration.table, primaryKey: declaration.primaryKey, action: 'delete', clock: rule.clock, when: rule.when, clears: [], rowDays: rule.days };
}
