import { DATA_MAP } from '../../data-map.js';
import { KEPT_SINCE_COLUMN, type PersonalField, type SubjectLocator, type TableDeclaration } from '../data-map/types.js';
import { keptPlan } from '../retention/plan.js';

/**
 * How erasure treats one declared table, derived only from the data map (ADR 0010):
 * - `rows`: every personal field says `delete` (or the table has none) → the member's rows are deleted;
 * - `keep`: every personal field says `keep` → the rows stay, under the fields' legal grounds;
 * - `fields`: a mix → the rows stay, `delete` fields are set to NULL, `anonymize` fields to their
 *   replacement (encrypted if the column is), `keep` fields untouched (e.g. a message kept for the
 *   partner with its text wiped and its author shown as "former member").
 * Rows that merely mention the member in a column that is not the subject are left to the foreign
 * keys (ON DELETE CASCADE / SET NULL) when the `members` row is deleted last.
 */
export type TablePlan =
  | { table: string; locator: Located; mode: 'rows' }
  | { table: string; locator: Located; mode: 'keep'; stamp?: string }
  | { table: string; locator: Located; mode: 'fields'; set: Record<string, { kind: 'null' } | { kind: 'value'; value: string; encrypted: boolean }>; stamp?: string };

export type Located = Exclude<SubjectLocator, { kind: 'none' }>;

/** Not walked by the engine: the member row is deleted last (so blind-index locators still work), and `erasures` is the engine's own state. */
export const ERASED_LAST = 'members';
export const ENGINE_STATE = 'erasures';

export function planTable(declaration: TableDeclaration): TablePlan | undefined {
  const locator = declaration.subject;
  if (!locator || locator.kind === 'none') return undefined;
  if (declaration.table === ERASED_LAST || declaration.table === ENGINE_STATE) return undefined;
  const fields = Object.entries(declaration.personal);
  if (fields.every(([, f]) => f.erasure.action === 'delete')) return { table: declaration.table, locator, mode: 'rows' };
  // Kept rows are stamped with the moment of erasure, from which the retention job counts their `forDays`
  // (unless the table's own `created` period already ends them in time: then there is no stamp).
  const stamp = keptPlan(declaration) ? { stamp: KEPT_SINCE_COLUMN } : {};
  if (fields.every(([, f]) => f.erasure.action === 'keep')) return { table: declaration.table, locator, mode: 'keep', ...stamp };
  const set: Extract<TablePlan, { mode: 'fields' }>['set'] = {};
  for (const [column, field] of fields) {
    if (field.erasure.action === 'delete') set[column] = { kind: 'null' };
    else if (field.erasure.action === 'anonymize') set[column] = { kind: 'value', value: field.erasure.replacement, encrypted: field.encrypted };
  }
  return { table: declaration.table, locator, mode: 'fields', set, ...stamp };
}

/**
 * Every table the engine walks, in the order it tries them: tables found through a parent row
 * first (their parent must still be there to find them), then the rest in data-map order. A step
 * refused by a foreign key is retried after the others (see service.ts).
 */
export function erasurePlans(map: readonly TableDeclaration[] = DATA_MAP): TablePlan[] {
  const plans = map.map(planTable).filter((p): p is TablePlan => p !== undefined);
  return [...plans.filter((p) => p.locator.kind === 'through'), ...plans.filter((p) => p.locator.kind !== 'through')];
}

export interface KeptField {
  table: string;
  column: string;
  label: { id: string; en: string };
  legalGround: { id: string; en: string };
  forDays: number;
}

/** What erasure keeps, and why, for how long: every `keep` field of a table that has a member subject. */
export function keptFields(map: readonly TableDeclaration[] = DATA_MAP): KeptField[] {
  const kept: KeptField[] = [];
  for (const declaration of map) {
    if (!declaration.subject || declaration.subject.kind === 'none') continue;
    for (const [column, field] of Object.entries(declaration.personal) as [string, PersonalField][]) {
      if (field.erasure.action === 'keep') {
        kept.push({ table: declaration.table, column, label: field.label, legalGround: field.erasure.legalGround, forDays: field.erasure.forDays });
      }
    }
  }
  return kept;
}

/** Labels of the fields erasure removes or replaces in one table (for the receipt). */
export function erasedLabels(table: string, map: readonly TableDeclaration[] = DATA_MAP): { id: string; en: string }[] {
  const declaration = map.find((d) => d.table === table);
  if (!declaration) return [];
  return Object.values(declaration.personal)
    .filter((f) => f.erasure.action !== 'keep' && !f.blindIndexOf)
    .map((f) => f.label);
}
