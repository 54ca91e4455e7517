import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_MAP } from '../src/server/data-map.js';
import { signUpMember } from '../src/server/identity/login-security/test-members.js';
import { pruneAuditLog, verifyAuditLog } from '../src/server/platform/audit/audit-log.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { retentionPlan, type RetentionPlan } from '../src/server/privacy/retention/plan.js';
import { makeRetentionService } from '../src/server/privacy/retention/service.js';
import { EXPLICIT_FIXTURES, insertRow, type FixtureContext } from './erasure-fixtures.js';
import { createTestApp, csrfHeaders, type TestApp } from './support/app.js';

/**
 * P4.3 "keep only as long as necessary": the retention job enforces every `created` / `closed`
 * period of the data map. Every table with a plan gets rows (the erasure scan's generic fixture),
 * their clocks start now, and the job runs at later moments: each period removes exactly what it
 * declares, and nothing still open or outside the plan's condition goes.
 */
const DAY = 24 * 60 * 60 * 1000;
let t: TestApp;
const plans = DATA_MAP.map(retentionPlan).filter((p): p is RetentionPlan => p !== undefined);

beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 120_000);
afterAll(async () => t?.close());

async function columnsOf(table: string) {
  const rows = await sql<{ column_name: string; is_nullable: string }>`
    SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}`.execute(t.database.db);
  return new Map(rows.rows.map((r) => [r.column_name, r.is_nullable === 'YES']));
}

const where = (plan: RetentionPlan) => sql.join([sql`true`, ...Object.entries(plan.when).map(([c, v]) => sql`${sql.ref(c)} IN (${sql.join(v)})`)], sql` AND `);
async function count(plan: RetentionPlan, extra = sql`true`): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(plan.table)} WHERE ${where(plan)} AND ${extra}`.execute(t.database.db);
  return Number(r.rows[0]!.n);
}
const notNull = (columns: string[]) => sql.join(columns.map((c) => sql`${sql.ref(c)} IS NOT NULL`), sql` OR `);

describe('retention (P4.3)', () => {
  it('has a plan the job can carry out for every table whose periods count from creation or closing', async () => {
    expect(() => DATA_MAP.map(retentionPlan)).not.toThrow();
    for (const declaration of DATA_MAP) {
      const clocked = Object.values(declaration.personal).some((f) => f.retention.from === 'created' || f.retention.from === 'closed');
      expect(declaration.expiry !== undefined, `${declaration.table} needs an expiry`).toBe(clocked);
      if (declaration.expiry?.action === 'elsewhere') expect(declaration.expiry.reason.length, declaration.table).toBeGreaterThan(20);
    }
    for (const plan of plans) {
      const columns = await columnsOf(plan.table);
      for (const c of [...plan.clock, ...Object.keys(plan.when), plan.primaryKey]) expect(columns.has(c), `${plan.table}.${c} exists`).toBe(true);
      // Values cleared while the row stays must be nullable.
      for (const c of plan.clears.flatMap((x) => x.columns)) expect(columns.get(c), `${plan.table}.${c} is nullable`).toBe(true);
    }
    expect(plans.length).toBeGreaterThan(20);
  });

  it('removes each table’s rows and values exactly when their declared period has passed, and nothing still open', async () => {
    const db = t.database.db;
    const member = await signUpMember(t, 601);
    const partner = await signUpMember(t, 602);
    for (const n of [1, 2]) {
      const ticket = await t.app.inject({
        method: 'POST',
        url: '/api/support/tickets',
        headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': `198.51.100.${20 + n}` },
        payload: { name: 'Dewi', email: member.email, topic: 'privacy', message: `Pertanyaan nomor ${n} tentang data saya.` },
      });
      expect(ticket.statusCode, ticket.body).toBe(201);
    }
    const ctx: FixtureContext = { db, keyring: t.services.keyring, memberId: member.id, otherId: partner.id, declarations: DATA_MAP };
    for (const plan of plans) {
      if ((await count({ ...plan, when: {} })) > 0) continue;
      const declaration = DATA_MAP.find((d) => d.table === plan.table)!;
      const locator = declaration.subject && declaration.subject.kind !== 'none' && declaration.subject.kind !== 'blindIndex' ? declaration.subject : undefined;
      if (EXPLICIT_FIXTURES[plan.table]) await EXPLICIT_FIXTURES[plan.table]!(ctx);
      else await insertRow(ctx, plan.table, locator);
    }
    // Every row's clock starts now (closed now, for `closed` clocks), and matches the plan's condition.
    const start = new Date();
    for (const plan of plans) {
      // The audit log cannot be rewritten: its rows were written just now, which is what the test needs.
      if (plan.action === 'auditChain') continue;
      const sets = [sql`${sql.ref(plan.clock[0]!)} = ${start}`, ...Object.entries(plan.when).map(([c, v]) => sql`${sql.ref(c)} = ${v[0]}`)];
      await sql`UPDATE ${sql.table(plan.table)} SET ${sql.join(sets)}`.execute(db);
      expect(await count(plan), `${plan.table} has a row`).toBeGreaterThan(0);
    }
    // Outside the job's reach: a ticket still open (no closing time) and an export not yet swept of its file.
    const open = await db.selectFrom('support_tickets').select('id').limit(1).executeTakeFirstOrThrow();
    await db.updateTable('support_tickets').set({ closed_at: null }).where('id', '=', open.id).execute();
    const exportPlan = plans.find((p) => p.table === 'data_exports')!;
    await insertRow(ctx, 'data_exports', { kind: 'column', column: 'member_id' });
    await db.updateTable('data_exports').set({ status: 'ready', created_at: start }).where('status', '!=', 'expired').execute();

    const valuesBefore = new Map<string, number>();
    for (const plan of plans) for (const { columns } of plan.clears) valuesBefore.set(`${plan.table}:${columns}`, await count(plan, notNull(columns)));

    // Half a day later: every period is at least a day, nothing goes.
    const halfDay = await makeRetentionService({ db, logger: createLogger('silent'), clock: () => new Date(start.getTime() + DAY / 2) }).sweep();
    expect(halfDay.filter((r) => r.error)).toEqual([]);
    expect(halfDay.filter((r) => r.deleted + r.cleared > 0)).toEqual([]);

    // Then at each declared period (+ an hour): what that period covers goes, the longer ones stay.
    const periods = [...new Set(plans.flatMap((p) => [...p.clears.map((c) => c.days), p.rowDays]))].sort((a, b) => a - b);
    for (const days of periods) {
      const at = new Date(start.getTime() + days * DAY + 60 * 60 * 1000);
      const results = await makeRetentionService({ db, logger: createLogger('silent'), clock: () => at }).sweep();
      expect(results.filter((r) => r.error), `errors at ${days} days`).toEqual([]);
      // An export whose file the sweeper has not removed yet outlives its period (its rights request goes later, and takes it along).
      if (days === exportPlan.rowDays) expect(await count({ ...exportPlan, when: { status: ['ready'] } })).toBe(1);
      for (const plan of plans) {
        // Rows still open (no clock) never expire; they are checked at the end.
        const rows = await count(plan, sql`COALESCE(${sql.join(plan.clock.map((c) => sql.ref(c)))}) IS NOT NULL`);
        if (plan.action === 'delete') expect(rows, `${plan.table} at ${days} days (period ${plan.rowDays})`).toBe(plan.rowDays <= days ? 0 : rows || -1);
        // The log's rows from before the test's start are the old ones; each sweep appends a new row.
        if (plan.action === 'auditChain') expect((await count(plan, sql`at <= ${start}`)) > 0, `audit rows at ${days} days`).toBe(plan.rowDays > days);
        if (plan.action === 'delete' && plan.rowDays <= days) continue;
        for (const clear of plan.clears) {
          const left = await count(plan, notNull(clear.columns));
          expect(left, `${plan.table}.${clear.columns} at ${days} days (period ${clear.days})`).toBe(clear.days <= days ? 0 : valuesBefore.get(`${plan.table}:${clear.columns}`));
        }
      }
    }
    // What was outside the plans is still there.
    expect(await db.selectFrom('support_tickets').select('id').where('id', '=', open.id).executeTakeFirst()).toBeDefined();
    // The audit chain was cut as a prefix and still verifies; each sweep that removed something is on it, with counts only.
    const verification = await verifyAuditLog(db);
    expect(verification.problems).toEqual([]);
    const sweeps = await db.selectFrom('audit_log').select(['details', 'subject_id']).where('action', '=', 'privacy.retention_swept').execute();
    expect(sweeps.length).toBeGreaterThan(0);
    expect(JSON.stringify(sweeps)).not.toContain(member.id);
  }, 120_000);

  it('cuts the audit log only as a prefix: the kept chain verifies, and tampering with it is still caught', async () => {
    const db = t.database.db;
    const head = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    const kept = await db.selectFrom('audit_log').select(['seq', 'at']).orderBy('seq').execute();
    expect(kept.length).toBeGreaterThan(1);
    // Cut everything before the last row's time.
    const cutAt = kept[kept.length - 1]!.at;
    const cut = await db.transaction().execute((trx) => pruneAuditLog(trx, cutAt));
    expect(cut).toBeGreaterThanOrEqual(0);
    expect((await verifyAuditLog(db)).problems).toEqual([]);
    const again = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    expect(BigInt(again.start_seq)).toBeGreaterThanOrEqual(BigInt(head.start_seq));
    // Rows of the kept chain cannot be deleted, not even its first; only the cut prefix could.
    await expect(db.deleteFrom('audit_log').where('seq', '=', again.start_seq).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('audit_log').set({ action: 'x' }).where('seq', '=', again.start_seq).execute()).rejects.toThrow(/append-only/);
    // A head moved by hand to hide rows is caught: the kept chain no longer links to its recorded start.
    await db.updateTable('audit_head').set({ start_prev_hash: 'f'.repeat(64) }).execute();
    expect((await verifyAuditLog(db)).ok).toBe(false);
  });
});
