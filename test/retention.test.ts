import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_CHOICE_DAYS, COOKIE_CHOICE_PROOF_YEARS } from '../src/common/cookies.js';
import { DATA_MAP } from '../src/server/data-map.js';
import { PASSWORD, signUpMember } from '../src/server/identity/login-security/test-members.js';
import { pruneAuditLog, verifyAuditLog } from '../src/server/platform/audit/audit-log.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { KEPT_SINCE_COLUMN, declareTable, type TableDeclaration } from '../src/server/privacy/data-map/types.js';
import { keptFields } from '../src/server/privacy/erasure/plan.js';
import { makeErasureService } from '../src/server/privacy/erasure/service.js';
import { endedByOwnPeriod, keptPlan, retentionPlan, withoutAccountPlan, type RetentionPlan } from '../src/server/privacy/retention/plan.js';
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

/**
 * P4.3 for what erasure keeps: every `keep` field ends `forDays` after the erasure at the latest —
 * erasure stamps the kept rows and the job counts from the stamp, or the table's own `created`
 * period ends them earlier. Its own database: these sweeps run years ahead and the audit log is cut
 * by time, which the test above must not see.
 */
describe('rows kept after erasure (P4.3)', () => {
  const HOUR = 60 * 60 * 1000;
  let k: TestApp;
  beforeAll(async () => {
    k = await createTestApp({ workers: false });
  }, 120_000);
  afterAll(async () => k?.close());

  const declarationOf = (table: string) => DATA_MAP.find((d) => d.table === table)!;

  /** The chat message declaration with its delivery and read times kept `days` instead of 30: a row with two kept periods. */
  function withShorterChatTimes(days: number): TableDeclaration {
    const base = declarationOf('chat_messages');
    const shorter = (column: string) => {
      const field = base.personal[column]!;
      if (field.erasure.action !== 'keep') throw new Error(`${column} is not kept`);
      return { ...field, erasure: { ...field.erasure, forDays: days } };
    };
    return declareTable({ ...base, personal: { ...base.personal, delivered_at: shorter('delivered_at'), read_at: shorter('read_at') } });
  }

  async function nullable(table: string): Promise<Map<string, boolean>> {
    const rows = await sql<{ column_name: string; is_nullable: string }>`
      SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}`.execute(k.database.db);
    return new Map(rows.rows.map((r) => [r.column_name, r.is_nullable === 'YES']));
  }

  it('ends every field erasure keeps: from the erasure stamp at its own period, or earlier by the table’s own period', async () => {
    expect(() => DATA_MAP.map(keptPlan)).not.toThrow();
    const kept = keptFields();
    expect(kept.length).toBeGreaterThan(5);
    for (const field of kept) {
      const declaration = declarationOf(field.table);
      const plan = keptPlan(declaration);
      const where = `${field.table}.${field.column} (kept ${field.forDays} days)`;
      if (!plan) {
        expect(endedByOwnPeriod(declaration, field.column), `${where}: no stamp, so its own created period must end it`).toBe(true);
        continue;
      }
      const cleared = plan.clears.find((c) => c.columns.includes(field.column));
      expect(cleared ? cleared.days : plan.rowDays, where).toBe(field.forDays);
      const columns = await nullable(field.table);
      expect(columns.get(KEPT_SINCE_COLUMN), `${field.table}.${KEPT_SINCE_COLUMN} exists and is nullable`).toBe(true);
      if (cleared) expect(columns.get(field.column), `${where} is cleared before its row goes, so it must be nullable`).toBe(true);
    }
    // A `keep` the job could not end is refused (the column to count from is missing).
    const chat = declarationOf('chat_messages');
    const nonPersonal = Object.fromEntries(Object.entries(chat.nonPersonal).filter(([column]) => column !== KEPT_SINCE_COLUMN));
    expect(() => keptPlan({ ...chat, nonPersonal })).toThrow(KEPT_SINCE_COLUMN);
    // Several kept periods in one row: the longest decides the row, the shorter ones are cleared.
    const mixed = keptPlan(withShorterChatTimes(10))!;
    expect(mixed.rowDays).toBe(30);
    expect(mixed.clears).toEqual([{ days: 10, columns: ['delivered_at', 'read_at'] }]);
  });

  it('erases a member with every kind of kept row; each goes once its period after the erasure has passed, the partner’s history stays', async () => {
    const db = k.database.db;
    const member = await signUpMember(k, 621);
    const partner = await signUpMember(k, 622);
    const started = Date.now();
    const { erasureId } = await k.services.erasure.request(member.id, PASSWORD);

    // Every table with a kept field gets a row of the member (rights request and audit rows come from the request).
    const kept = keptFields();
    const keptTables = [...new Set(kept.map((f) => f.table))];
    const ctx: FixtureContext = { db, keyring: k.services.keyring, memberId: member.id, otherId: partner.id, declarations: DATA_MAP };
    const locate = (table: string) => {
      const locator = declarationOf(table).subject;
      if (locator?.kind !== 'column') throw new Error(`${table}: this test finds kept rows by a subject column`);
      return sql`${sql.ref(locator.column)}::text = ${member.id} ${sql.join(Object.entries(locator.where ?? {}).map(([c, v]) => sql`AND ${sql.ref(c)} = ${v}`), sql` `)}`;
    };
    const idsOf = async (table: string) =>
      (await sql<{ id: string }>`SELECT ${sql.ref(declarationOf(table).primaryKey)}::text AS id FROM ${sql.table(table)} WHERE ${locate(table)}`.execute(db)).rows.map((r) => r.id);
    for (const table of keptTables) {
      if ((await idsOf(table)).length > 0) continue;
      if (EXPLICIT_FIXTURES[table]) await EXPLICIT_FIXTURES[table]!(ctx);
      else {
        const locator = declarationOf(table).subject;
        await insertRow(ctx, table, locator && locator.kind !== 'none' ? locator : undefined);
      }
    }
    // A conversation both wrote in: the partner's reply is the partner's own history.
    const mine = await db.selectFrom('chat_messages').select(['id', 'conversation_id']).where('sender_id', '=', member.id).executeTakeFirstOrThrow();
    await sql`UPDATE chat_messages SET delivered_at = now(), read_at = now() WHERE id = ${mine.id}`.execute(db);
    const reply = crypto.randomUUID();
    await sql`INSERT INTO chat_messages (id, conversation_id, sender_id, client_key, body, created_at, delivered_at)
      VALUES (${reply}, ${mine.conversation_id}, ${partner.id}, ${'partner-reply-0001'}, ${k.services.keyring.encrypt('Halo juga!', 'chat_messages.body')}, now(), now())`.execute(db);
    const ids = new Map<string, string[]>();
    for (const table of keptTables) {
      ids.set(table, await idsOf(table));
      expect(ids.get(table)!.length, `${table} has a row of the member`).toBeGreaterThan(0);
    }

    const erasedAt = new Date(started + 15 * DAY);
    expect(await k.services.erasure.run(erasureId, { now: erasedAt })).toBe('done');
    // Rows found by their subject after the erasure too (the audit log records the erasure itself).
    for (const table of keptTables) ids.set(table, [...new Set([...ids.get(table)!, ...(await idsOf(table))])]);
    const inIds = (table: string) => sql`${sql.ref(declarationOf(table).primaryKey)}::text IN (${sql.join(ids.get(table)!)})`;
    const countWhere = async (table: string, condition: ReturnType<typeof sql>) =>
      Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)} WHERE ${inIds(table)} AND ${condition}`.execute(db)).rows[0]!.n);

    // Stamped with the moment of erasure where the job counts from it; nothing of the partner's is.
    for (const table of keptTables) {
      if (!keptPlan(declarationOf(table))) continue;
      expect(await countWhere(table, sql`${sql.ref(KEPT_SINCE_COLUMN)} = ${erasedAt}`), `${table} stamped`).toBe(ids.get(table)!.length);
    }
    const partnerConsent = await db.selectFrom('consent_ledger').select(['id', 'subject_erased_at']).where('subject_type', '=', 'member').where('subject_id', '=', partner.id).execute();
    expect(partnerConsent.length).toBeGreaterThan(0);
    expect(partnerConsent.every((r) => r.subject_erased_at === null)).toBe(true);
    // The consent ledger stays append-only: a living member's evidence cannot be stamped or deleted, a kept row cannot be rewritten.
    await expect(sql`UPDATE consent_ledger SET subject_erased_at = now() WHERE subject_type = 'member' AND subject_id = ${partner.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM consent_ledger WHERE subject_type = 'member' AND subject_id = ${partner.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE consent_ledger SET language = 'en' WHERE ${inIds('consent_ledger')}`.execute(db)).rejects.toThrow(/append-only/);

    const initial = new Map<string, number>();
    for (const f of kept) initial.set(`${f.table}.${f.column}`, await countWhere(f.table, sql`${sql.ref(f.column)} IS NOT NULL`));
    expect(initial.get('consent_ledger.subject_id')).toBeGreaterThan(0);

    // An hour before and after each declared period: what it covers goes, nothing before its time.
    const periods = [...new Set(kept.map((f) => f.forDays))].sort((a, b) => a - b);
    const sweeps: { at: Date; results: Awaited<ReturnType<ReturnType<typeof makeRetentionService>['sweep']>> }[] = [];
    for (const days of periods) {
      for (const offset of [-HOUR, HOUR]) {
        const elapsed = days * DAY + offset;
        const at = new Date(erasedAt.getTime() + elapsed);
        const results = await makeRetentionService({ db, logger: createLogger('silent'), clock: () => at }).sweep();
        expect(results.filter((r) => r.error), `errors at ${days} days`).toEqual([]);
        sweeps.push({ at, results });
        for (const f of kept) {
          const key = `${f.table}.${f.column}`;
          const left = await countWhere(f.table, sql`${sql.ref(f.column)} IS NOT NULL`);
          const when = `${key} (kept ${f.forDays} days) at ${days} days ${offset > 0 ? '+' : '-'} 1 hour`;
          if (elapsed >= f.forDays * DAY) expect(left, when).toBe(0);
          // Stamped rows stay to the hour; rows ended by their own period may go earlier (they were made before the erasure).
          else if (keptPlan(declarationOf(f.table)) || elapsed + (erasedAt.getTime() - started) + DAY < f.forDays * DAY) expect(left, when).toBe(initial.get(key));
        }
      }
    }
    for (const table of keptTables) expect(await countWhere(table, sql`true`), `${table}: no kept row is left`).toBe(0);

    // What the member shared stays with the partner: their reply, their conversation, their own evidence.
    const left = await db.selectFrom('chat_messages').select(['id', 'body', 'delivered_at']).where('conversation_id', '=', mine.conversation_id).execute();
    expect(left.map((m) => m.id)).toEqual([reply]);
    expect(k.services.keyring.decrypt(left[0]!.body!, 'chat_messages.body')).toBe('Halo juga!');
    expect(await db.selectFrom('consent_ledger').select('id').where('subject_id', '=', partner.id).execute()).toHaveLength(partnerConsent.length);

    // Audited like the other sweeps, with counts only; the chain still verifies.
    const audited = await db.selectFrom('audit_log').select(['details', 'subject_id']).where('action', '=', 'privacy.retention_swept').execute();
    const keptCounts = audited.map((a) => (a.details as { keptAfterErasure?: Record<string, { deleted: number }> }).keptAfterErasure ?? {});
    for (const table of keptTables.filter((tb) => keptPlan(declarationOf(tb)))) {
      expect(keptCounts.reduce((n, c) => n + (c[table]?.deleted ?? 0), 0), `${table} deletions audited`).toBe(ids.get(table)!.length);
    }
    expect(JSON.stringify(audited)).not.toContain(member.id);
    expect((await verifyAuditLog(db)).problems).toEqual([]);
  }, 180_000);

  it('clears a kept value whose period is shorter than its row’s, and deletes the row after the longest', async () => {
    const db = k.database.db;
    const variant = DATA_MAP.map((d) => (d.table === 'chat_messages' ? withShorterChatTimes(10) : d));
    const sender = await signUpMember(k, 623);
    const partner = await signUpMember(k, 624);
    // Later than the sweeps of the test above, so time only moves forward.
    let now = new Date(Date.now() + 2000 * DAY);
    const erasure = makeErasureService({
      db,
      keyring: k.services.keyring,
      jobs: k.services.jobs,
      mailer: k.services.mailer,
      dataDir: k.dataDir,
      publicUrl: k.config.PUBLIC_URL,
      logger: k.services.logger,
      graceDays: 14,
      clock: () => now,
      dataMap: variant,
    });
    const conversation = crypto.randomUUID();
    const [message, reply] = [crypto.randomUUID(), crypto.randomUUID()];
    await sql`INSERT INTO chat_conversations (id, created_at) VALUES (${conversation}, now())`.execute(db);
    await sql`INSERT INTO chat_messages (id, conversation_id, sender_id, client_key, body, created_at, delivered_at, read_at) VALUES
      (${message}, ${conversation}, ${sender.id}, ${'sender-message-01'}, ${k.services.keyring.encrypt('Apa kabar?', 'chat_messages.body')}, now(), now(), now()),
      (${reply}, ${conversation}, ${partner.id}, ${'partner-reply-001'}, ${k.services.keyring.encrypt('Baik!', 'chat_messages.body')}, now(), now(), now())`.execute(db);
    const { erasureId } = await erasure.request(sender.id, PASSWORD);
    const erasedAt = new Date(now.getTime() + 15 * DAY);
    now = erasedAt;
    expect(await erasure.run(erasureId, { now: erasedAt })).toBe('done');

    const sweepAt = async (elapsed: number) => {
      const results = await makeRetentionService({ db, logger: createLogger('silent'), clock: () => new Date(erasedAt.getTime() + elapsed), dataMap: variant }).sweep();
      expect(results.filter((r) => r.error)).toEqual([]);
      const rows = await db.selectFrom('chat_messages').select(['id', 'created_at', 'delivered_at', 'read_at']).where('conversation_id', '=', conversation).execute();
      return { mine: rows.find((r) => r.id === message), theirs: rows.find((r) => r.id === reply) };
    };
    let seen = await sweepAt(10 * DAY - HOUR);
    expect(seen.mine?.delivered_at).not.toBeNull();
    expect(seen.mine?.read_at).not.toBeNull();
    seen = await sweepAt(10 * DAY + HOUR);
    expect(seen.mine).toBeDefined();
    expect(seen.mine!.delivered_at).toBeNull();
    expect(seen.mine!.read_at).toBeNull();
    expect(seen.mine!.created_at).not.toBeNull();
    expect(seen.theirs?.delivered_at).not.toBeNull();
    seen = await sweepAt(30 * DAY - HOUR);
    expect(seen.mine).toBeDefined();
    seen = await sweepAt(30 * DAY + HOUR);
    expect(seen.mine).toBeUndefined();
    expect(seen.theirs?.read_at).not.toBeNull();
  }, 120_000);
});

describe('a visitor’s cookie choices (P4.3, P2.1)', () => {
  it('are deleted once the choice has lapsed and its proof period passed; the ledger lets nothing younger go', async () => {
    const db = t.database.db;
    const plan = withoutAccountPlan(DATA_MAP.find((d) => d.table === 'consent_ledger')!)!;
    expect(plan).toMatchObject({ action: 'delete', clock: ['at'], when: { subject_type: ['visitor'] }, rowDays: COOKIE_CHOICE_DAYS + COOKIE_CHOICE_PROOF_YEARS * 365 });
    // A rule for the whole table (no `when`) is refused: it would end members' evidence too.
    const ledger = DATA_MAP.find((d) => d.table === 'consent_ledger')!;
    expect(() => withoutAccountPlan({ ...ledger, withoutAccount: { ...ledger.withoutAccount!, when: {} } })).toThrow(/when/);

    // Real choices, recorded as the banner records them: a visitor, and a signed-in member (both subjects).
    const member = await signUpMember(t, 641);
    const choice = { preferences: true, analytics: false, marketing: false };
    const { visitorId } = await t.services.cookies.record(choice, { language: 'id', ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' });
    const signedIn = await t.services.cookies.record(choice, { memberId: member.id, language: 'en', ip: '198.51.100.8', userAgent: 'Mozilla/5.0' });
    const template = await db.selectFrom('consent_ledger').selectAll().where('subject_type', '=', 'visitor').where('subject_id', '=', visitorId).executeTakeFirstOrThrow();
    // The same visitor's earlier choices, made `days` ago.
    const now = Date.now();
    const aged = async (days: number) => {
      const id = crypto.randomUUID();
      await db.insertInto('consent_ledger').values({ ...template, id, at: new Date(now - days * DAY) }).execute();
      return id;
    };
    const justLapsed = await aged(COOKIE_CHOICE_DAYS + 1);
    const dueSoon = await aged(plan.rowDays - 1);
    const due = await aged(plan.rowDays + 1);
    const ids = async () => new Set((await db.selectFrom('consent_ledger').select('id').where('subject_type', '=', 'visitor').where('subject_id', '=', visitorId).execute()).map((r) => r.id));
    const memberRows = async () => (await db.selectFrom('consent_ledger').select('id').where('subject_type', '=', 'member').where('subject_id', '=', member.id).execute()).length;
    const memberBefore = await memberRows();
    expect(memberBefore).toBeGreaterThan(0);

    // Evidence of a choice still in force cannot be deleted, by the job or anyone; members' never.
    await expect(sql`DELETE FROM consent_ledger WHERE id = ${template.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM consent_ledger WHERE subject_type = 'member' AND subject_id = ${member.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE consent_ledger SET ip = NULL WHERE id = ${justLapsed}`.execute(db)).rejects.toThrow(/append-only/);

    const results = await makeRetentionService({ db, logger: createLogger('silent') }).sweep();
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.find((r) => r.plan === 'withoutAccount' && r.table === 'consent_ledger')?.deleted).toBe(1);
    const left = await ids();
    expect(left.has(due)).toBe(false);
    expect([template.id, justLapsed, dueSoon].every((id) => left.has(id))).toBe(true);
    expect(await memberRows()).toBe(memberBefore);
    expect(signedIn.visitorId).not.toBe(visitorId);
    // The sweep's audit entry counts it apart from the tables' own periods and from erasure's kept rows.
    const audit = await db.selectFrom('audit_log').select('details').where('action', '=', 'privacy.retention_swept').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const details = typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details;
    expect(details.withoutAccount).toEqual({ consent_ledger: { deleted: 1, cleared: 0 } });
  });
});
