import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import type { DatabaseHandle } from '../db/database.js';
import { appendAudit, verifyAuditLog } from './audit-log.js';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const event = (n: number) =>
  ({ action: 'support.ticket_filed', subjectType: 'support_ticket', subjectId: `t-${n}`, details: { number: `KNL-${n}`, topic: 'other' } }) as const;

async function append(n: number) {
  await database.db.transaction().execute((trx) => appendAudit(trx, { type: 'system' }, event(n)));
}

/** Simulates an attacker with database superuser rights, who can switch the append-only trigger off. */
async function tamper(statement: ReturnType<typeof sql>) {
  await database.db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
    await statement.execute(trx);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
  });
}

describe('audit log', () => {
  it('chains concurrent appends without forks', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(i + 1)));
    const result = await verifyAuditLog(database.db);
    expect(result).toMatchObject({ ok: true, rows: 20 });
  });

  it('rolls back with the transaction it belongs to', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await appendAudit(trx, { type: 'system' }, event(99));
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect((await verifyAuditLog(database.db)).rows).toBe(20);
  });

  it('refuses UPDATE and DELETE from the application', async () => {
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE seq = 1`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE seq = 1`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('detects an edited row', async () => {
    await tamper(sql`UPDATE audit_log SET subject_id = 'someone-else' WHERE seq = 5`);
    const result = await verifyAuditLog(database.db);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('row 5 was altered (hash mismatch)');
    await tamper(sql`UPDATE audit_log SET subject_id = 't-5' WHERE seq = 5`);
  });

  it('detects a deleted row in the middle and at the end', async () => {
    const fresh = await createTestDatabase();
    try {
      for (let i = 1; i <= 5; i++) await fresh.db.transaction().execute((trx) => appendAudit(trx, { type: 'system' }, event(i)));
      expect((await verifyAuditLog(fresh.db)).ok).toBe(true);
      await fresh.db.transaction().execute(async (trx) => {
        await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
        await sql`DELETE FROM audit_log WHERE seq = 3`.execute(trx);
        await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
      });
      const middle = await verifyAuditLog(fresh.db);
      expect(middle.ok).toBe(false);
      expect(middle.problems.join('\n')).toMatch(/rows 3\.\.3 are missing/);

      await fresh.db.transaction().execute(async (trx) => {
        await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
        await sql`DELETE FROM audit_log WHERE seq = 5`.execute(trx);
        await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
      });
      expect((await verifyAuditLog(fresh.db)).problems.join('\n')).toMatch(/rows were removed from the end/);
    } finally {
      await fresh.close();
    }
  });
});
