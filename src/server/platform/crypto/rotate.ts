import { sql, type Kysely } from 'kysely';
import { DATA_MAP } from '../../data-map.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { Keyring, wrapNewDataKey } from './keyring.js';
import type { MasterKey } from './master-key.js';

export interface RotationResult {
  newFieldKey: string;
  newBlindIndexKey: string;
  retired: string[];
  rowsReencrypted: number;
  remainingOnOldKeys: number;
}

/**
 * Key rotation driven by the data map: new active field and blind-index keys, then every
 * encrypted column of every declared table re-encrypted (and every blind index recomputed) in
 * batches, one transaction per batch. Ends by counting rows still on a retired key: must be 0.
 * Retired keys stay in the table (so an instance that has not reloaded yet can still read
 * what it wrote) until `purgeRetiredKeys` finds them unused.
 */
export async function rotateKeys(db: Kysely<Database>, master: MasterKey, batchSize = 500): Promise<RotationResult> {
  const fresh = { field: wrapNewDataKey(master, 'field'), blind_index: wrapNewDataKey(master, 'blind_index') };
  const retired = await db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom('crypto_data_keys').select('id').where('status', '=', 'active').execute();
    await trx.updateTable('crypto_data_keys').set({ status: 'retired', retired_at: new Date() }).where('status', '=', 'active').execute();
    for (const kind of ['field', 'blind_index'] as const) {
      await trx.insertInto('crypto_data_keys').values({ ...fresh[kind], kind, master_key_id: master.id, status: 'active' }).execute();
    }
    return old.map((k) => k.id);
  });
  const keyring = await Keyring.load(db, master);
  const newFieldKey = keyring.activeKeyId('field');
  const prefix = `enc:v1:${newFieldKey}:`;
  let rowsReencrypted = 0;

  for (const table of DATA_MAP) {
    const encrypted = Object.entries(table.personal).filter(([, f]) => f.encrypted).map(([c]) => c);
    if (encrypted.length === 0) continue;
    const indexes = Object.entries(table.personal).filter(([, f]) => f.blindIndexOf).map(([c, f]) => ({ column: c, of: f.blindIndexOf!.column, normalize: NORMALIZERS[f.blindIndexOf!.normalize] }));
    const stale = sql.join(encrypted.map((c) => sql`(${sql.ref(c)} LIKE 'enc:v1:%' AND ${sql.ref(c)} NOT LIKE ${prefix + '%'})`), sql` OR `);
    for (;;) {
      const done = await db.transaction().execute(async (trx) => {
        const { rows } = await sql<Record<string, string | null>>`
          SELECT ${sql.ref(table.primaryKey)} AS pk, ${sql.join(encrypted.map((c) => sql.ref(c)))}
          FROM ${sql.table(table.table)} WHERE ${stale} LIMIT ${batchSize} FOR UPDATE`.execute(trx);
        for (const row of rows) {
          const set: Record<string, string | null> = {};
          const plain: Record<string, string | null> = {};
          for (const column of encrypted) {
            const value = row[column];
            const context = `${table.table}.${column}`;
            plain[column] = value == null ? null : keyring.decrypt(value, context);
            set[column] = plain[column] == null ? null : keyring.encrypt(plain[column]!, context);
          }
          for (const index of indexes) {
            const source = plain[index.of];
            if (source != null) set[index.column] = keyring.blindIndex(index.normalize(source), `${table.table}.${index.of}`);
          }
          await sql`UPDATE ${sql.table(table.table)} SET ${sql.join(
            Object.entries(set).map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
          )} WHERE ${sql.ref(table.primaryKey)} = ${row.pk}`.execute(trx);
        }
        rowsReencrypted += rows.length;
        return rows.length < batchSize;
      });
      if (done) break;
    }
  }

  const remainingOnOldKeys = await countRowsOnKeys(db, retired);
  await db.transaction().execute((trx) =>
    appendAudit(
      trx,
      { type: 'system', id: 'keys:rotate' },
      { action: 'keys.rotated', subjectType: 'crypto_data_key', subjectId: newFieldKey, details: { kind: 'field+blind_index', retired, rows: rowsReencrypted } },
      { purpose: 'security' },
    ),
  );
  return { newFieldKey, newBlindIndexKey: keyring.activeKeyId('blind_index'), retired, rowsReencrypted, remainingOnOldKeys };
}

/** How many encrypted values, across every declared table, still use one of `keyIds`. */
export async function countRowsOnKeys(db: Kysely<Database>, keyIds: string[]): Promise<number> {
  if (keyIds.length === 0) return 0;
  let total = 0;
  for (const table of DATA_MAP) {
    for (const [column, field] of Object.entries(table.personal)) {
      if (!field.encrypted) continue;
      const matches = sql.join(keyIds.map((id) => sql`${sql.ref(column)} LIKE ${`enc:v1:${id}:%`}`), sql` OR `);
      const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table.table)} WHERE ${matches}`.execute(db);
      total += Number(rows[0]?.n ?? 0);
    }
  }
  return total;
}

/** Deletes retired keys that no row uses any more. Returns the ids deleted. */
export async function purgeRetiredKeys(db: Kysely<Database>): Promise<string[]> {
  const retired = await db.selectFrom('crypto_data_keys').select(['id', 'kind']).where('status', '=', 'retired').execute();
  const fieldKeys = retired.filter((k) => k.kind === 'field').map((k) => k.id);
  if ((await countRowsOnKeys(db, fieldKeys)) > 0) throw new Error('Some rows still use a retired key: run keys:rotate first');
  if (retired.length > 0) await db.deleteFrom('crypto_data_keys').where('status', '=', 'retired').execute();
  return retired.map((k) => k.id);
}
