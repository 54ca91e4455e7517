import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import { DATA_MAP, FOREIGN_SCHEMAS, FOREIGN_TABLES } from '../../data-map.js';
import { Keyring } from '../../platform/crypto/keyring.js';
import { toMasterKey } from '../../platform/crypto/master-key.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { makeYourDataService } from '../your-data/service.js';
import { PURPOSES } from './purposes.js';
import { declareTable, type CounterpartField, type PersonalField } from './types.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function liveColumns(): Promise<Map<string, Set<string>>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public'`.execute(database.db);
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    if ((FOREIGN_TABLES as readonly string[]).includes(row.table_name)) continue;
    if (!tables.has(row.table_name)) tables.set(row.table_name, new Set());
    tables.get(row.table_name)!.add(row.column_name);
  }
  return tables;
}

describe('data map (the spine)', () => {
  it('declares every column of every table in the migrated schema, and nothing that is not there', async () => {
    const live = await liveColumns();
    const undeclared: string[] = [];
    for (const [table, columns] of live) {
      const declaration = DATA_MAP.find((d) => d.table === table);
      for (const column of columns) {
        if (!declaration || (!(column in declaration.personal) && !(column in declaration.nonPersonal))) undeclared.push(`${table}.${column}`);
      }
    }
    expect(undeclared, 'columns stored but not declared in the data map').toEqual([]);

    const stale: string[] = [];
    for (const declaration of DATA_MAP) {
      for (const column of [...Object.keys(declaration.personal), ...Object.keys(declaration.nonPersonal)]) {
        if (!live.get(declaration.table)?.has(column)) stale.push(`${declaration.table}.${column}`);
      }
    }
    expect(stale, 'declared columns that the schema does not have').toEqual([]);
  });

  it('keeps other schemas to the known foreign ones (the job queue), which hold identifiers only', async () => {
    const { rows } = await sql<{ schema_name: string }>`
      SELECT DISTINCT table_schema AS schema_name FROM information_schema.tables
      WHERE table_schema NOT IN ('public', 'pg_catalog', 'information_schema')`.execute(database.db);
    expect(rows.map((r) => r.schema_name).sort()).toEqual([...FOREIGN_SCHEMAS].sort());
  });

  it('gives every personal field a known purpose, a retention period, labels in both languages and an erasure rule', () => {
    for (const declaration of DATA_MAP) {
      for (const [column, field] of Object.entries(declaration.personal)) {
        const where = `${declaration.table}.${column}`;
        expect(field.purposes.length, where).toBeGreaterThan(0);
        for (const purpose of field.purposes) expect(PURPOSES[purpose], `${where} purpose ${purpose}`).toBeDefined();
        expect(field.retention.days, where).toBeGreaterThan(0);
        expect(field.retention.reason.length, where).toBeGreaterThan(10);
        expect(field.label.id.length && field.label.en.length, where).toBeTruthy();
        if (field.pdpClass === 'specific') expect(field.encrypted, `${where}: specific data must be encrypted`).toBe(true);
      }
      // What a member sees of rows that concern them in a second role (a request sent to them) is declared the same way.
      for (const [column, field] of Object.entries(declaration.counterpart?.fields ?? {})) {
        const where = `${declaration.table}.${column} (${declaration.counterpart!.role})`;
        expect(field.purposes.length, where).toBeGreaterThan(0);
        for (const purpose of field.purposes) expect(PURPOSES[purpose], `${where} purpose ${purpose}`).toBeDefined();
        expect(field.retention.days, where).toBeGreaterThan(0);
        expect(field.label.id.length && field.label.en.length, where).toBeTruthy();
        expect(field.encrypted, `${where} encryption`).toBe(declaration.personal[column]?.encrypted ?? false);
        if (field.pdpClass === 'specific') expect(field.encrypted, `${where}: specific data must be encrypted`).toBe(true);
      }
    }
  });

  it('labels, in both languages, every code a personal column may hold (the CHECK constraints), so "your data" never shows a bare code', async () => {
    // `status IN ('a', 'b')` reads back as `CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))`.
    const { rows } = await sql<{ table_name: string; definition: string }>`
      SELECT conrelid::regclass::text AS table_name, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`.execute(database.db);
    const allowed = new Map<string, string[]>();
    for (const { table_name, definition } of rows) {
      const match = /^CHECK \(\(\(?(\w+)\)?(?:::text)? = ANY \(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)\)$/.exec(definition);
      if (match) allowed.set(`${table_name}.${match[1]}`, [...match[2]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!));
    }
    expect(allowed.get('members.status'), 'the constraint parser reads members.status').toContain('active');
    const problems: string[] = [];
    for (const declaration of DATA_MAP) {
      const fields: [string, PersonalField | CounterpartField, string][] = [
        ...Object.entries(declaration.personal).map(([c, f]): [string, PersonalField, string] => [c, f, c]),
        ...Object.entries(declaration.counterpart?.fields ?? {}).map(([c, f]): [string, CounterpartField, string] => [c, f, `${c} (${declaration.counterpart!.role})`]),
      ];
      for (const [column, field, name] of fields) {
        const codes = allowed.get(`${declaration.table}.${column}`);
        const where = `${declaration.table}.${name}`;
        if (!codes) {
          if (field.codes) problems.push(`${where}: codes declared but the column has no list of allowed values`);
          continue;
        }
        const shown = [...new Set(codes.map((c) => field.shownAs?.[c] ?? c))];
        for (const code of shown) {
          const label = field.codes?.[code];
          if (!label?.id || !label.en) problems.push(`${where}: no label for '${code}'`);
        }
        for (const code of Object.keys(field.codes ?? {})) if (!shown.includes(code)) problems.push(`${where}: label for '${code}', which it cannot hold`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('says for every table with personal data whose rows they are (the "your data" page, export and erasure rely on it)', async () => {
    const { db } = database;
    for (const declaration of DATA_MAP) {
      if (Object.keys(declaration.personal).length === 0) continue;
      const subject = declaration.subject;
      expect(subject, `${declaration.table} declares its subject`).toBeDefined();
      if (!subject) continue;
      const columns = [...Object.keys(declaration.personal), ...Object.keys(declaration.nonPersonal)];
      if (subject.kind === 'none') expect(subject.reason.length, declaration.table).toBeGreaterThan(20);
      else expect(columns, `${declaration.table}: locator column`).toContain(subject.column);
      if (subject.kind === 'column') for (const c of Object.keys(subject.where ?? {})) expect(columns, `${declaration.table}: ${c}`).toContain(c);
      if (subject.kind === 'through') {
        const parent = DATA_MAP.find((d) => d.table === subject.parentTable);
        expect(parent, `${declaration.table}: parent ${subject.parentTable}`).toBeDefined();
        expect(parent?.subject?.kind, `${subject.parentTable} locates by column`).toBe('column');
      }
      if (subject.kind === 'blindIndex') expect(declaration.personal[subject.column]?.blindIndexOf, `${declaration.table}.${subject.column} is a blind index`).toBeDefined();
    }
    // And the locators run: every one as a query against the real schema.
    const keyring = await Keyring.load(db, toMasterKey(crypto.randomBytes(32)));
    const service = makeYourDataService({ db, keyring });
    await expect(service.forMember('00000000-0000-4000-8000-000000000000', 'en', { reveal: true })).resolves.toMatchObject({ accesses: [] });
  });

  it('rejects contradictory declarations', () => {
    expect(() =>
      declareTable({
        table: 't',
        primaryKey: 'id',
        personal: {
          email_bidx: {
            category: 'contact',
            pdpClass: 'general',
            purposes: ['support'],
            legalBasis: 'consent',
            retention: { days: 1, from: 'created', reason: 'test only, one day' },
            encrypted: false,
            blindIndexOf: { column: 'email', normalize: 'email' },
            label: { id: 'x', en: 'x' },
            erasure: { action: 'delete' },
          },
        },
        nonPersonal: { id: 'row id' },
      }),
    ).toThrow(/not an encrypted personal column/);
    const intro: Omit<CounterpartField, 'encrypted'> = { category: 'content', pdpClass: 'general', purposes: ['account'], legalBasis: 'contract', retention: { days: 1, from: 'created', reason: 'test only, one day' }, label: { id: 'x', en: 'x' } };
    const withCounterpart = (counterpart: NonNullable<Parameters<typeof declareTable>[0]['counterpart']>) =>
      declareTable({ table: 't', primaryKey: 'id', personal: { intro: { ...intro, encrypted: true, erasure: { action: 'delete' } } }, nonPersonal: { id: 'row id', to_id: 'recipient' }, counterpart });
    expect(() => withCounterpart({ role: 'recipient', column: 'to_id', fields: { intro: { ...intro, encrypted: false } } })).toThrow(/disagrees on encryption/);
    expect(() => withCounterpart({ role: 'recipient', column: 'nobody', fields: {} })).toThrow(/counterpart column nobody is not declared/);
    expect(() => withCounterpart({ role: 'recipient', column: 'to_id', fields: { secret: { ...intro, encrypted: false } } })).toThrow(/counterpart field secret is not declared/);
  });
});
