import { sql, type Kysely } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { DATA_MAP } from '../../data-map.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { NORMALIZERS } from '../data-map/normalizers.js';
import { PURPOSES } from '../data-map/purposes.js';
import type { CounterpartField, DataCategory, PersonalField, SubjectLocator, TableDeclaration } from '../data-map/types.js';
import { LEGAL_BASIS_LABELS, RETENTION_FROM_LABELS } from './labels.js';
import { maskValue } from './mask.js';

/** At most this many distinct values per field are listed (the newest first); `count` is the number of records holding one. */
export const VALUES_SHOWN = 20;

export interface FieldView {
  table: string;
  column: string;
  label: string;
  display: 'plain' | 'masked' | 'secret';
  /** Shown values (masked where declared); empty for secrets. */
  values: string[];
  count: number;
  purposes: string[];
  legalBasis: string;
  retention: string;
  /** Who else received it. No recipient exists yet: always empty, and the page says so. */
  sharedWith: string[];
  /** For rows found in another role than the table's subject (the data map's `counterpart`): that role, e.g. `recipient`. */
  role?: string;
}

export interface CategoryView {
  category: DataCategory;
  fields: FieldView[];
}

export interface AccessView {
  at: string;
  /** `staff` entries carry the staff role (privacy_officer, moderator, …); others the actor type. */
  role: string;
  action: string;
  purpose: string | null;
  /** The purpose in the member's language. */
  purposeLabel: string | null;
  /** For a staff read: what was read (a code such as `rights_requests`), never a value. */
  what: string | null;
}

type Row = Record<string, unknown>;

/** Most personal first: who you are and how to reach you, then what you made, then traces of use. */
const CATEGORY_ORDER: DataCategory[] = ['identity', 'contact', 'biometric', 'financial', 'content', 'location', 'device', 'usage'];

/**
 * "Your data" (P0.1 transparency, UU PDP right of access): everything Kenalan holds about one
 * member, found through each table's declared `subject` locator in the data map — so a new table
 * is covered as soon as it is declared — grouped by category with purposes, legal basis and
 * retention; and every access by staff or a third party recorded in the audit log.
 */
export function makeYourDataService({ db, keyring }: { db: Kysely<Database>; keyring: Keyring }) {
  async function memberValue(memberId: string, column: 'email' | 'phone' | 'nik'): Promise<string | undefined> {
    const row = await sql<{ value: string }>`SELECT ${sql.ref(column)} AS value FROM members WHERE id::text = ${memberId}`.execute(db);
    const stored = row.rows[0]?.value;
    return stored === undefined ? undefined : keyring.decrypt(stored, `members.${column}`);
  }

  async function rowsOf(declaration: TableDeclaration, locator: Exclude<SubjectLocator, { kind: 'none' }>, memberId: string, columns: string[]): Promise<Row[]> {
    const table = sql.table(declaration.table);
    const select = sql.join(columns.map((c) => sql.ref(c)));
    let where;
    if (locator.kind === 'column') {
      const extra = Object.entries(locator.where ?? {}).map(([c, v]) => sql`AND ${sql.ref(c)} = ${v}`);
      where = sql`${sql.ref(locator.column)}::text = ${memberId} ${sql.join(extra, sql` `)}`;
    } else if (locator.kind === 'through') {
      where = sql`${sql.ref(locator.column)} IN (SELECT ${sql.ref(locator.parentKey)} FROM ${sql.table(locator.parentTable)} WHERE ${sql.ref(locator.parentMemberColumn)}::text = ${memberId})`;
    } else {
      const value = await memberValue(memberId, locator.memberColumn);
      if (value === undefined) return [];
      where = sql`${sql.ref(locator.column)} = ${keyring.blindIndex(NORMALIZERS[locator.normalize](value), locator.context)}`;
    }
    const result = await sql<Row>`SELECT ${select} FROM ${table} WHERE ${where} ORDER BY ${sql.ref(declaration.primaryKey)} DESC`.execute(db);
    return result.rows;
  }

  function show(declaration: TableDeclaration, column: string, field: PersonalField | CounterpartField, raw: unknown, reveal: boolean, language: Language): string | undefined {
    if (raw === null || raw === undefined) return undefined;
    let value = raw instanceof Date ? raw.toISOString() : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    if (field.encrypted) value = keyring.decrypt(value, `${declaration.table}.${column}`);
    if (field.shownAs && Object.hasOwn(field.shownAs, value)) value = field.shownAs[value]!;
    // A code reads as words in the member's language (the data map's test makes every code have them).
    if (field.codes && Object.hasOwn(field.codes, value)) value = field.codes[value]![language];
    return field.display === 'masked' && !reveal ? maskValue(value) : value;
  }

  return {
    /**
     * `reveal` (the export, after re-authentication): masked values in full and every value, not
     * only the first ones. `unmask` (the page, with a reveal token after re-authentication): masked
     * values in full, still at most VALUES_SHOWN. Secrets (hashes, keys) are never included either way.
     */
    async forMember(
      memberId: string,
      language: Language,
      { reveal = false, unmask = false }: { reveal?: boolean; unmask?: boolean } = {},
    ): Promise<{ categories: CategoryView[]; accesses: AccessView[] }> {
      const byCategory = new Map<DataCategory, FieldView[]>();
      const add = (declaration: TableDeclaration, rows: Row[], fields: [string, PersonalField | CounterpartField][], role?: string) => {
        for (const [column, field] of fields) {
          const present = rows.filter((r) => r[column] !== null && r[column] !== undefined);
          if (present.length === 0) continue;
          const display = field.display ?? 'plain';
          const view: FieldView = {
            table: declaration.table,
            column,
            label: field.label[language],
            display,
            values:
              display === 'secret'
                ? []
                : [...new Set(present.map((r) => show(declaration, column, field, r[column], reveal || unmask, language)!))].slice(0, reveal ? undefined : VALUES_SHOWN),
            count: present.length,
            purposes: field.purposes.map((p) => PURPOSES[p][language]),
            legalBasis: LEGAL_BASIS_LABELS[field.legalBasis][language],
            retention: RETENTION_FROM_LABELS[field.retention.from][language](field.retention.days),
            sharedWith: [],
            ...(role === undefined ? {} : { role }),
          };
          byCategory.set(field.category, [...(byCategory.get(field.category) ?? []), view]);
        }
      };
      for (const declaration of DATA_MAP) {
        const locator = declaration.subject;
        const fields = Object.entries(declaration.personal).filter(([, f]) => !f.blindIndexOf);
        if (locator && locator.kind !== 'none' && fields.length > 0) {
          const rows = await rowsOf(declaration, locator, memberId, fields.map(([c]) => c));
          add(declaration, rows, fields);
        }
        // Rows that concern the member in a second role (requests sent to them): only what that role may see.
        const counterpart = declaration.counterpart;
        if (counterpart) {
          const shown = Object.entries(counterpart.fields);
          const rows = await rowsOf(declaration, { kind: 'column', column: counterpart.column }, memberId, shown.map(([c]) => c));
          add(declaration, rows, shown, counterpart.role);
        }
      }
      const accesses = await db
        .selectFrom('audit_log')
        .select(['at', 'actor_type', 'action', 'purpose', 'details'])
        .where('subject_type', '=', 'member')
        .where('subject_id', '=', memberId)
        .where('actor_type', 'not in', ['member', 'anonymous', 'system'])
        .orderBy('seq', 'desc')
        .limit(200)
        .execute();
      return {
        categories: CATEGORY_ORDER.filter((c) => byCategory.has(c)).map((category) => ({
          category,
          // The account's own record first, then the rest in data-map order.
          fields: [...byCategory.get(category)!].sort((a, b) => Number(b.table === 'members') - Number(a.table === 'members')),
        })),
        accesses: accesses.map((a) => {
          const details = (a.details ?? {}) as { role?: unknown; what?: unknown };
          return {
            at: a.at.toISOString(),
            role: a.actor_type === 'staff' && typeof details.role === 'string' ? details.role : a.actor_type,
            action: a.action,
            purpose: a.purpose,
            purposeLabel: a.purpose && a.purpose in PURPOSES ? PURPOSES[a.purpose as keyof typeof PURPOSES][language] : null,
            what: typeof details.what === 'string' ? details.what : null,
          };
        }),
      };
    },
  };
}
export type YourDataService = ReturnType<typeof makeYourDataService>;
