import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { verifyAuditLog } from '../audit/audit-log.js';
import { Keyring } from './keyring.js';
import { countRowsOnKeys, purgeRetiredKeys, rotateKeys } from './rotate.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
});
afterAll(() => t.close());

async function fileTicket(n: number) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/support/tickets',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': `10.0.0.${n}` },
    payload: { name: `Member ${n}`, email: `Member${n}@Example.ID`, topic: 'account', message: `Message number ${n}, please help.` },
  });
  expect(response.statusCode).toBe(201);
}

describe('key rotation', () => {
  it('re-encrypts every encrypted column, recomputes blind indexes and leaves no row on the old key', async () => {
    for (let n = 1; n <= 4; n++) await fileTicket(n);
    const db = t.database.db;
    const oldKeys = (await db.selectFrom('crypto_data_keys').select('id').execute()).map((k) => k.id);
    expect(await countRowsOnKeys(db, oldKeys)).toBeGreaterThan(0);

    const result = await rotateKeys(db, t.services.masterKey, 3);
    expect(result.retired.sort()).toEqual(oldKeys.sort());
    expect(result.remainingOnOldKeys).toBe(0);
    expect(result.rowsReencrypted).toBeGreaterThanOrEqual(4);
    expect(await countRowsOnKeys(db, oldKeys)).toBe(0);

    // Every value still decrypts, now under the new key, and the blind index finds it.
    const keyring = await Keyring.load(db, t.services.masterKey);
    const rows = await db.selectFrom('support_tickets').selectAll().orderBy('number').execute();
    expect(rows.map((r) => keyring.decrypt(r.name, 'support_tickets.name'))).toEqual(['Member 1', 'Member 2', 'Member 3', 'Member 4']);
    for (const row of rows) expect(Keyring.keyIdOf(row.email)).toBe(result.newFieldKey);
    const wanted = keyring.blindIndex('member3@example.id', 'support_tickets.email');
    expect(rows.filter((r) => r.email_bidx === wanted)).toHaveLength(1);

    // The running app picks the new keys up on refresh and keeps working.
    await t.services.keyring.refresh();
    await fileTicket(5);
    expect((await verifyAuditLog(db)).ok).toBe(true);

    expect((await purgeRetiredKeys(db)).sort()).toEqual(oldKeys.sort());
    expect(await db.selectFrom('crypto_data_keys').select('id').where('id', 'in', oldKeys).execute()).toEqual([]);
  });

  it('refuses to purge a retired key that rows still use', async () => {
    const db = t.database.db;
    await db
      .updateTable('crypto_data_keys')
      .set({ status: 'retired' })
      .where('kind', '=', 'field')
      .execute();
    await expect(purgeRetiredKeys(db)).rejects.toThrow(/still use a retired key/);
    expect(crypto).toBeDefined();
  });
});
