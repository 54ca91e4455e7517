import crypto from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Keyring } from '../src/server/platform/crypto/keyring.js';
import type { Database } from '../src/server/platform/db/schema.js';
import type { SubjectLocator, TableDeclaration } from '../src/server/privacy/data-map/types.js';

/**
 * Fixture rows for the erasure scan test (not a test file). The test first creates data through
 * the real APIs (sign-up, sign-in, export, support form, …); every other table of the data map
 * that has a member subject gets a row made from the database's own description of the table:
 * the subject column names the member, a foreign key to `members` names a second member (so the
 * row "mentions" someone else), a foreign key to another table points at an existing or new row
 * there, a CHECK list picks its first value, personal columns are filled (encrypted where
 * declared). A table this cannot fill (an unusual CHECK, say) needs an explicit fixture in
 * `EXPLICIT_FIXTURES` below — the test names the table and the database error.
 */

type Executor = Kysely<Database>;
interface Column {
  name: string;
  dataType: string;
  udt: string;
  nullable: boolean;
  hasDefault: boolean;
}
interface ForeignKey {
  column: string;
  refTable: string;
  refColumn: string;
}

export interface FixtureContext {
  db: Executor;
  keyring: Keyring;
  memberId: string;
  otherId: string;
  declarations: readonly TableDeclaration[];
}

/** Tables a module fills itself, when the generic row does not fit (key: table name). */
export const EXPLICIT_FIXTURES: Record<string, (ctx: FixtureContext) => Promise<void>> = {};

async function columnsOf(db: Executor, table: string): Promise<Column[]> {
  const rows = await sql<{ column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null; is_identity: string; is_generated: string }>`
    SELECT column_name, data_type, udt_name, is_nullable, column_default, is_identity, is_generated
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
  return rows.rows.map((r) => ({
    name: r.column_name,
    dataType: r.data_type,
    udt: r.udt_name,
    nullable: r.is_nullable === 'YES',
    hasDefault: r.column_default !== null || r.is_identity === 'YES' || r.is_generated === 'ALWAYS',
  }));
}

async function foreignKeysOf(db: Executor, table: string): Promise<ForeignKey[]> {
  const rows = await sql<ForeignKey>`
    SELECT a.attname AS "column", cf.relname AS "refTable", af.attname AS "refColumn"
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    JOIN pg_class cf ON cf.oid = c.confrelid
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND n.nspname = 'public' AND cl.relname = ${table}`.execute(db);
  return rows.rows;
}

async function checksOf(db: Executor, table: string): Promise<string[]> {
  const rows = await sql<{ def: string }>`
    SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE c.contype = 'c' AND n.nspname = 'public' AND cl.relname = ${table}`.execute(db);
  return rows.rows.map((r) => r.def);
}

/** The first literal a CHECK allows for the column (`col = ANY (ARRAY['a'::text, …])` / `col IN ('a', …)`). */
function checkValue(checks: string[], column: string): string | undefined {
  for (const def of checks) {
    const match = new RegExp(`\\(?\\b${column}\\b\\)?(?:::text)?\\s*(?:=\\s*ANY\\s*\\(\\s*\\(?ARRAY\\[|IN\\s*\\(|=\\s*)'([^']*)'`).exec(def);
    if (match) return match[1];
  }
  return undefined;
}

function valueFor(col: Column, table: string, ctx: FixtureContext, checks: string[]): RawBuilder<unknown> {
  const declaration = ctx.declarations.find((d) => d.table === table);
  const personal = declaration?.personal[col.name];
  const allowed = checkValue(checks, col.name);
  switch (col.dataType) {
    case 'uuid':
      return sql`${crypto.randomUUID()}::uuid`;
    case 'integer':
    case 'smallint':
    case 'bigint':
    case 'numeric':
    case 'real':
    case 'double precision':
      return sql`${allowed ?? '1'}::${sql.raw(col.dataType === 'double precision' ? 'float8' : col.udt)}`;
    case 'boolean':
      return sql`false`;
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return sql`now()`;
    case 'date':
      return sql`${'2026-01-01'}::date`;
    case 'jsonb':
    case 'json':
      return sql`${'{}'}::${sql.raw(col.dataType)}`;
    case 'bytea':
      return sql`${'\\x00'}::bytea`;
    case 'ARRAY':
      return sql.raw(`'{}'::${col.udt.replace(/^_/, '')}[]`);
    case 'inet':
      return sql`${'192.0.2.1'}::inet`;
    default: {
      if (allowed !== undefined) return sql`${allowed}`;
      if (personal?.encrypted) return sql`${ctx.keyring.encrypt(`fixture ${col.name}`, `${table}.${col.name}`)}`;
      return sql`${`fixture-${crypto.randomBytes(4).toString('hex')}`}`;
    }
  }
}

/** A row in `table` (any existing one, preferring the member's), or a new one; returns the value of `column`. */
async function rowIn(ctx: FixtureContext, table: string, column: string, depth: number): Promise<unknown> {
  if (table === 'members') return ctx.memberId;
  const declaration = ctx.declarations.find((d) => d.table === table);
  const locator = declaration?.subject;
  if (locator?.kind === 'column') {
    const mine = await sql<{ v: unknown }>`SELECT ${sql.ref(column)} AS v FROM ${sql.table(table)} WHERE ${sql.ref(locator.column)}::text = ${ctx.memberId} LIMIT 1`.execute(ctx.db);
    if (mine.rows[0]) return mine.rows[0].v;
  }
  const any = await sql<{ v: unknown }>`SELECT ${sql.ref(column)} AS v FROM ${sql.table(table)} LIMIT 1`.execute(ctx.db);
  if (any.rows[0]) return any.rows[0].v;
  if (depth > 3) throw new Error(`fixture: no row in ${table} to point at`);
  return insertRow(ctx, table, locator && locator.kind !== 'none' ? locator : undefined, depth + 1, column);
}

/** Inserts one row about the member; returns the value of `returning` (default: the first column). */
export async function insertRow(ctx: FixtureContext, table: string, locator: Exclude<SubjectLocator, { kind: 'none' }> | undefined, depth = 0, returning?: string): Promise<unknown> {
  const columns = await columnsOf(ctx.db, table);
  const fks = await foreignKeysOf(ctx.db, table);
  const checks = await checksOf(ctx.db, table);
  const declaration = ctx.declarations.find((d) => d.table === table);
  let lastError: unknown;
  // First with every personal column filled, then with only what the table requires.
  for (const full of [true, false]) {
    const names: string[] = [];
    const values: RawBuilder<unknown>[] = [];
    for (const col of columns) {
      const fk = fks.find((f) => f.column === col.name);
      const isPersonal = declaration?.personal[col.name] !== undefined;
      let value: RawBuilder<unknown> | undefined;
      if (locator?.kind === 'column' && col.name === locator.column) value = sql`${ctx.memberId}`;
      else if (locator?.kind === 'column' && locator.where?.[col.name] !== undefined) value = sql`${locator.where[col.name]}`;
      else if (locator?.kind === 'through' && col.name === locator.column) {
        value = sql`${await rowIn(ctx, locator.parentTable, locator.parentKey, depth)}`;
      } else if (fk) {
        if (col.nullable && !full) continue;
        value = fk.refTable === 'members' ? sql`${ctx.otherId}` : sql`${await rowIn(ctx, fk.refTable, fk.refColumn, depth)}`;
      } else if (!col.nullable && !col.hasDefault) value = valueFor(col, table, ctx, checks);
      else if (full && isPersonal && !col.hasDefault) value = valueFor(col, table, ctx, checks);
      if (value === undefined) continue;
      names.push(col.name);
      values.push(sql`${value}`);
    }
    if (locator?.kind === 'column' && !names.includes(locator.column)) continue;
    try {
      const ret = returning ?? columns[0]!.name;
      const result = await sql<{ v: unknown }>`INSERT INTO ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))}) VALUES (${sql.join(values)}) RETURNING ${sql.ref(ret)} AS v`.execute(ctx.db);
      return result.rows[0]?.v;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`fixture for ${table} failed: ${(lastError as Error | undefined)?.message ?? 'no subject column'}`);
}
