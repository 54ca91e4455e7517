import type { NormalizerName } from './normalizers.js';

/**
 * The data map: every column of every table is declared here once, as personal (with everything
 * the law and the policy need to know about it) or as non-personal (with the reason). Encryption,
 * log redaction, key rotation, and later the "your data" page, export, erasure and retention are
 * all derived from these declarations.
 */

export type DataCategory = 'identity' | 'contact' | 'biometric' | 'financial' | 'device' | 'location' | 'content' | 'usage';

/** UU PDP (Law 27/2022) Art. 4: specific data (biometric, financial, children's, …) or general data. */
export type PdpClass = 'general' | 'specific';

/** UU PDP Art. 20(2) lawful grounds. */
export type LegalBasis =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interest'
  | 'public_interest'
  | 'legitimate_interest';

/** Purposes the service needs to run (contract, legal obligation, legitimate interest). */
export type EssentialPurpose = 'account' | 'support' | 'service_notices' | 'security' | 'accountability' | 'development';

/** Purposes that need the member's prior, specific consent (policy 1.5); all start off (opt-in). */
export const CONSENT_PURPOSES = [
  'marketing_email',
  'email_tracking',
  'preference_cookies',
  'analytics_cookies',
  'marketing_cookies',
  'personalized_recommendations',
  'share_affiliates',
  'share_partners',
  'research',
  'biometric_verification',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export type Purpose = EssentialPurpose | ConsentPurpose;

export interface Retention {
  /** How long after `from` the value is kept. */
  days: number;
  from: 'created' | 'closed' | 'account_deleted';
  /** Why this long, in plain words (shown to members and auditors). */
  reason: string;
}

/**
 * What erasure does to a field. `keep` rows stay after the account is gone, under the legal ground,
 * for `forDays` days after the erasure at most: the retention job ends them (ADR 0016, amendment).
 * Either the field's own `created` period already ends it no later (its days ≤ `forDays`), or the
 * table declares the `KEPT_SINCE_COLUMN` column, which erasure stamps on the rows it keeps.
 */
export type ErasureAction =
  | { action: 'delete' }
  | { action: 'anonymize'; replacement: string }
  | { action: 'keep'; legalGround: { id: string; en: string }; forDays: number };

/**
 * The column (nullable timestamptz, declared non-personal) in which erasure records, on every row it
 * keeps, when the member the row is about was erased; the `keep` fields' `forDays` count from it.
 */
export const KEPT_SINCE_COLUMN = 'subject_erased_at';

/** Each code a column may hold → its words in both languages. */
export type CodeLabels = Record<string, { id: string; en: string }>;

export interface PersonalField {
  category: DataCategory;
  pdpClass: PdpClass;
  purposes: Purpose[];
  legalBasis: LegalBasis;
  retention: Retention;
  /** Stored as `enc:v1:…` ciphertext by the keyring. */
  encrypted: boolean;
  /** For a blind-index column: the encrypted column it is computed from, and how it is normalized first. */
  blindIndexOf?: { column: string; normalize: NormalizerName };
  label: { id: string; en: string };
  erasure: ErasureAction;
  /**
   * How the "your data" page shows the value: `plain` (default), `masked` (only the end shows until
   * the member reveals it), or `secret` (a hash or key: its existence is shown, never the value).
   * Blind-index columns are never shown (they are derived from a column that is).
   */
  display?: 'plain' | 'masked' | 'secret';
  /**
   * A column of codes (its CHECK constraint lists them): how each reads on "your data" and in the
   * export, in both languages. The data map's test requires a label for every allowed code.
   */
  codes?: CodeLabels;
  /**
   * Stored value → the value shown to this member (values not listed are shown as stored), for a
   * stored value they must not learn exactly (e.g. that a request ended because the other member
   * blocked them); `codes` then labels the shown value.
   */
  shownAs?: Record<string, string>;
}

/**
 * How to find one member's rows in a table — the "your data" page uses it, and export and erasure
 * will: a column holding the member id (optionally with fixed values in other columns), a
 * reference to a parent row that is the member's, a blind index of one of the member's own values,
 * or `none` with the reason the table holds nothing about a member.
 */
export type SubjectLocator =
  | { kind: 'column'; column: string; where?: Record<string, string> }
  | { kind: 'through'; column: string; parentTable: string; parentKey: string; parentMemberColumn: string }
  | { kind: 'blindIndex'; column: string; memberColumn: 'email' | 'phone' | 'nik'; normalize: NormalizerName; context: string }
  | { kind: 'none'; reason: string };

/**
 * Rows that concern a member in another role than the table's subject — the recipient of a kenalan
 * request the subject sent. "Your data" and the export (the member's right of access) include them
 * too: found through `column`, showing only the columns listed in `fields`, under labels written for
 * that role (`role` tells the two apart in the answer). `shownAs` replaces stored values the member
 * must not learn exactly (e.g. that the sender withdrew). Erasure and retention do not walk these
 * rows: they follow the table's subject and its foreign keys.
 */
export interface CounterpartView {
  role: string;
  column: string;
  fields: Record<string, CounterpartField>;
}

export type CounterpartField = Pick<PersonalField, 'category' | 'pdpClass' | 'purposes' | 'legalBasis' | 'retention' | 'encrypted' | 'label' | 'display' | 'codes' | 'shownAs'>;

/**
 * How the retention job (privacy/retention, ADR 0016) ends a table's rows once the periods of its
 * `created` / `closed` fields have passed (`account_deleted` periods belong to erasure).
 * - `clock`: the columns that say when the row was made or closed, first non-null wins (COALESCE);
 *   a NULL clock means the row is still open and never expires. `when`: only rows with one of these
 *   values in each named column.
 * - `delete`: the row goes once the longest of those periods has passed; a field with a shorter
 *   period is set to NULL when its own has passed (such columns must be nullable).
 * - `auditChain`: the audit log's oldest rows are cut as a prefix, the chain's new start recorded
 *   so it still verifies (platform/audit).
 * - `elsewhere`: the module deletes the rows the moment they close (e.g. lifting a restriction); the
 *   reason says where.
 */
export type Expiry =
  | { action: 'delete' | 'auditChain'; clock: string[]; when?: Record<string, string[]> }
  | { action: 'elsewhere'; reason: string };

export interface TableDeclaration {
  table: string;
  /** Column identifying the row, used by key rotation and erasure. */
  primaryKey: string;
  personal: Record<string, PersonalField>;
  /** Columns that hold no personal data, each with the reason. */
  nonPersonal: Record<string, string>;
  /** Whose rows these are; required for every table with personal columns (the data-map test checks). */
  subject?: SubjectLocator;
  /** Rows that concern another member in a second role (the recipient of a request), and what they see of them. */
  counterpart?: CounterpartView;
  /** Required when a personal field's retention counts from `created` or `closed` (the retention test checks). */
  expiry?: Expiry;
  /**
   * Rows whose subject never has an account (a visitor's cookie choice in the consent ledger): the
   * fields' `account_deleted` periods can never start for them, so they end `days` after `clock`
   * instead — only the rows matching `when`. The retention job enforces it (ADR 0016, session 11).
   */
  withoutAccount?: { when: Record<string, string[]>; clock: string[]; days: number; reason: { id: string; en: string } };
}

export function declareTable<T extends TableDeclaration>(declaration: T): T {
  for (const column of Object.keys(declaration.personal)) {
    if (column in declaration.nonPersonal) {
      throw new Error(`${declaration.table}.${column} is declared both personal and non-personal`);
    }
    const field = declaration.personal[column]!;
    if (field.blindIndexOf && !declaration.personal[field.blindIndexOf.column]?.encrypted) {
      throw new Error(`${declaration.table}.${column} indexes ${field.blindIndexOf.column}, which is not an encrypted personal column`);
    }
  }
  if (declaration.counterpart) {
    const declared = (column: string) => column in declaration.personal || column in declaration.nonPersonal;
    const { column, fields } = declaration.counterpart;
    if (!declared(column)) throw new Error(`${declaration.table}: counterpart column ${column} is not declared`);
    for (const [name, field] of Object.entries(fields)) {
      if (!declared(name)) throw new Error(`${declaration.table}: counterpart field ${name} is not declared`);
      // The same stored value: it is encrypted for the counterpart exactly when it is for the subject.
      if (field.encrypted !== (declaration.personal[name]?.encrypted ?? false)) throw new Error(`${declaration.table}.${name}: counterpart field disagrees on encryption`);
    }
  }
  return declaration;
}
