import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { isLanguage, type Language } from '../../../common/i18n/index.js';
import { DATA_MAP } from '../../data-map.js';
import { verifyPassword } from '../../identity/password/hash.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { NORMALIZERS } from '../data-map/normalizers.js';
import type { TableDeclaration } from '../data-map/types.js';
import { RIGHTS_REQUEST_DUE_MS } from '../export/service.js';
import { receiptEmail, restoredEmail, scheduledEmail, type ReceiptContent } from './emails.js';
import { erasedLabels, erasurePlans, keptFields, type Located, type TablePlan } from './plan.js';
import type { ErasureSummary, ErasuresTable } from './tables.js';

const DAY_MS = 24 * 3600 * 1000;
/** A run holds its erasure this long; a run that died (kill -9, power loss) is resumed after it by the retried job or the sweep. */
export const ERASURE_LEASE_MS = 10 * 60 * 1000;

export interface ErasureDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  jobs: JobQueue;
  mailer: Mailer;
  dataDir: string;
  publicUrl: string;
  logger: Logger;
  graceDays: number;
  /** The session service's in-memory cache is dropped for the member once their sessions are revoked. */
  forgetSessions?: (memberId: string) => void;
  clock?: () => Date;
  /** Called before each step of a run (tests throw from it to simulate a crash mid-run). */
  beforeStep?: (step: string) => void | Promise<void>;
  /** The data map to walk (tests and benchmarks may pass another; the app uses DATA_MAP). */
  dataMap?: readonly TableDeclaration[];
}

type Executor = Kysely<Database> | Transaction<Database>;
type Erasure = Selectable<ErasuresTable>;

export type RunOutcome = 'done' | 'not_due' | 'busy' | 'cancelled' | 'missing';

/**
 * "Delete my account" (UU PDP right to erasure; P4.2, P4.3): immediate deactivation and a grace
 * period, then an erasure driven only by the data map, crash-safe and resumable, ending with a
 * receipt by email. See ADR 0010.
 */
export function makeErasureService(deps: ErasureDeps) {
  const { db, keyring, jobs, mailer, dataDir, publicUrl, logger, graceDays } = deps;
  const clock = deps.clock ?? (() => new Date());
  const dataMap = deps.dataMap ?? DATA_MAP;
  const plans = erasurePlans(dataMap);
  const exportsDir = path.join(dataDir, 'exports');

  async function markStep(trx: Transaction<Database>, erasure: Erasure, step: string, summary?: ErasureSummary): Promise<void> {
    const steps = [...erasure.steps_done, step];
    erasure.steps_done = steps;
    if (summary) erasure.summary = summary;
    await trx
      .updateTable('erasures')
      .set({ steps_done: JSON.stringify(steps), ...(summary ? { summary: JSON.stringify(summary) } : {}) })
      .where('id', '=', erasure.id)
      .execute();
  }

  async function memberValue(executor: Executor, memberId: string, column: 'email' | 'phone' | 'nik'): Promise<string | undefined> {
    const row = await executor.selectFrom('members').select(column).where('id', '=', memberId).executeTakeFirst();
    const stored = row?.[column as keyof typeof row] as string | undefined;
    return stored === undefined ? undefined : keyring.decrypt(stored, `members.${column}`);
  }

  /** The WHERE clause that finds the member's rows of one table (the same locators as "your data"). */
  async function whereMember(executor: Executor, locator: Located, memberId: string) {
    if (locator.kind === 'column') {
      const extra = Object.entries(locator.where ?? {}).map(([c, v]) => sql`AND ${sql.ref(c)} = ${v}`);
      return sql`${sql.ref(locator.column)}::text = ${memberId} ${sql.join(extra, sql` `)}`;
    }
    if (locator.kind === 'through') {
      return sql`${sql.ref(locator.column)} IN (SELECT ${sql.ref(locator.parentKey)} FROM ${sql.table(locator.parentTable)} WHERE ${sql.ref(locator.parentMemberColumn)}::text = ${memberId})`;
    }
    const value = await memberValue(executor, memberId, locator.memberColumn);
    if (value === undefined) return undefined;
    return sql`${sql.ref(locator.column)} = ${keyring.blindIndex(NORMALIZERS[locator.normalize](value), locator.context)}`;
  }

  /**
   * Subject columns whose foreign key to `members` is ON DELETE SET NULL (e.g. a chat message's
   * sender): erasure sets them to NULL in the same UPDATE that wipes the fields, which is exactly
   * what the foreign key would do when the member row goes, without touching every row twice.
   */
  let setNullSubjects: Promise<Set<string>> | undefined;
  const subjectsSetNull = () =>
    (setNullSubjects ??= sql<{ tbl: string; col: string }>`
      SELECT cl.relname AS tbl, a.attname AS col FROM pg_constraint c
      JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'members'::regclass AND c.confdeltype = 'n' AND n.nspname = 'public'`
      .execute(db)
      .then((r) => new Set(r.rows.map((row) => `${row.tbl}.${row.col}`))));

  /** One table, in the caller's transaction: delete the rows, wipe/replace fields, or count what is kept. */
  async function eraseTable(trx: Transaction<Database>, plan: TablePlan, memberId: string, now: Date): Promise<{ deleted: number; anonymized: number; kept: number }> {
    const where = await whereMember(trx, plan.locator, memberId);
    const counts = { deleted: 0, anonymized: 0, kept: 0 };
    if (!where) return counts;
    const table = sql.table(plan.table);
    if (plan.mode === 'rows') {
      const result = await sql`DELETE FROM ${table} WHERE ${where}`.execute(trx);
      counts.deleted = Number(result.numAffectedRows ?? 0);
    } else if (plan.mode === 'keep' && plan.stamp) {
      // The retention job ends these rows `forDays` after this moment (ADR 0016); an earlier stamp stays.
      const result = await sql`UPDATE ${table} SET ${sql.ref(plan.stamp)} = COALESCE(${sql.ref(plan.stamp)}, ${now}) WHERE ${where}`.execute(trx);
      counts.kept = Number(result.numAffectedRows ?? 0);
    } else if (plan.mode === 'keep') {
      const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`.execute(trx);
      counts.kept = Number(result.rows[0]?.n ?? 0);
    } else {
      const assignments = Object.entries(plan.set).map(([column, change]) =>
        change.kind === 'null'
          ? sql`${sql.ref(column)} = NULL`
          : sql`${sql.ref(column)} = ${change.encrypted ? keyring.encrypt(change.value, `${plan.table}.${column}`) : change.value}`,
      );
      if (plan.locator.kind === 'column' && !(plan.locator.column in plan.set) && (await subjectsSetNull()).has(`${plan.table}.${plan.locator.column}`)) {
        assignments.push(sql`${sql.ref(plan.locator.column)} = NULL`);
      }
      if (plan.stamp) assignments.push(sql`${sql.ref(plan.stamp)} = COALESCE(${sql.ref(plan.stamp)}, ${now})`);
      if (assignments.length > 0) {
        const result = await sql`UPDATE ${table} SET ${sql.join(assignments)} WHERE ${where}`.execute(trx);
        counts.anonymized = Number(result.numAffectedRows ?? 0);
      }
    }
    return counts;
  }

  /** Files: the member's folder (`DATA_DIR/media/members/<id>/`) and any export ZIPs. Idempotent. */
  function removeFiles(memberId: string, exportIds: string[]): number {
    let removed = 0;
    const count = (dir: string): number => {
      let n = 0;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? count(path.join(dir, entry.name)) : 1;
      return n;
    };
    const folder = path.join(dataDir, 'media', 'members', memberId);
    if (fs.existsSync(folder)) {
      removed += count(folder);
      fs.rmSync(folder, { recursive: true, force: true });
    }
    // Every file named after one of the member's exports (`<id>.zip`, `.zip.enc`, `.partial`, …).
    const names = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir) : [];
    for (const id of exportIds) {
      for (const name of names.filter((n) => n.startsWith(id))) {
        fs.rmSync(path.join(exportsDir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async function claim(erasureId: string, now: Date): Promise<Erasure | RunOutcome> {
    return db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('erasures').selectAll().where('id', '=', erasureId).forUpdate().executeTakeFirst();
      if (!row) return 'missing';
      if (row.state === 'cancelled') return 'cancelled';
      if (row.state === 'done') return 'done';
      if (row.state === 'pending' && row.scheduled_for > now) return 'not_due';
      if (row.claimed_until && row.claimed_until > now) return 'busy';
      const claimed = await trx
        .updateTable('erasures')
        .set({
          state: row.state === 'pending' ? 'running' : row.state,
          started_at: row.started_at ?? now,
          claimed_until: new Date(now.getTime() + ERASURE_LEASE_MS),
          attempts: sql`attempts + 1`,
          last_error: null,
        })
        .where('id', '=', erasureId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return claimed as Erasure;
    });
  }

  /** Runs (or resumes) one erasure: each step is one transaction that also records it as done. */
  async function run(erasureId: string, options: { now?: Date } = {}): Promise<RunOutcome> {
    const now = options.now ?? clock();
    const claimed = await claim(erasureId, now);
    if (typeof claimed === 'string') return claimed;
    const erasure = claimed;
    // Read before any step's transaction opens (PGlite has one session: no `db` query inside a transaction).
    await subjectsSetNull();
    const done = new Set(erasure.steps_done);
    const memberId = erasure.member_id;
    const summary: ErasureSummary = { tables: {}, files: 0, jobs: 0, ...erasure.summary };
    const step = async (name: string, body: (trx: Transaction<Database>) => Promise<void>) => {
      if (done.has(name)) return;
      await deps.beforeStep?.(name);
      await db.transaction().execute(async (trx) => {
        await body(trx);
        await markStep(trx, erasure, name, summary);
      });
      done.add(name);
    };

    try {
      if (memberId) {
        // 1. Start: the receipt address is captured (encrypted, only for the receipt), the account
        //    can no longer be restored or signed in to, and any session left is ended.
        await step('start', async (trx) => {
          const member = await trx.selectFrom('members').select(['email', 'status']).where('id', '=', memberId).forUpdate().executeTakeFirst();
          if (member) {
            const email = keyring.decrypt(member.email, 'members.email');
            await trx.updateTable('erasures').set({ receipt_email: keyring.encrypt(email, 'erasures.receipt_email') }).where('id', '=', erasure.id).execute();
            await trx.updateTable('members').set({ status: 'deleted', updated_at: now }).where('id', '=', memberId).execute();
            await trx.updateTable('sessions').set({ revoked_at: now }).where('member_id', '=', memberId).where('revoked_at', 'is', null).execute();
          }
          await appendAudit(trx, { type: 'system' }, { action: 'privacy.erasure_started', subjectType: 'member', subjectId: memberId, details: { erasureId: erasure.id, attempt: erasure.attempts } }, { purpose: 'accountability', at: now });
        });
        deps.forgetSessions?.(memberId);

        // 2. Files before rows: the export rows name the ZIPs to delete.
        await step('files', async (trx) => {
          const exportIds = (await sql<{ id: string }>`SELECT id::text AS id FROM data_exports WHERE member_id::text = ${memberId}`.execute(trx)).rows.map((r) => r.id);
          summary.files = (summary.files ?? 0) + removeFiles(memberId, exportIds);
        });

        // 3. Every declared table with a member subject, one transaction each. A step refused by a
        //    foreign key (a row another of the member's tables still points to) is retried after the others.
        let pending = plans.filter((p) => !done.has(`table:${p.table}`));
        while (pending.length > 0) {
          const refused: TablePlan[] = [];
          let lastError: unknown;
          for (const plan of pending) {
            try {
              await step(`table:${plan.table}`, async (trx) => {
                summary.tables![plan.table] = await eraseTable(trx, plan, memberId, now);
              });
            } catch (err) {
              if ((err as { code?: string }).code !== '23503') throw err;
              refused.push(plan);
              lastError = err;
            }
          }
          if (refused.length === pending.length) throw lastError;
          pending = refused;
        }

        // 4. Queued and finished jobs whose payload names the member (pg-boss keeps them a week).
        await step('jobs', async (trx) => {
          let removed = 0;
          for (const table of ['job', 'archive']) {
            const exists = await sql<{ t: string | null }>`SELECT to_regclass(${`pgboss.${table}`})::text AS t`.execute(trx);
            if (!exists.rows[0]?.t) continue;
            const result = await sql`DELETE FROM ${sql.table(`pgboss.${table}`)} WHERE data::text LIKE ${`%${memberId}%`}`.execute(trx);
            removed += Number(result.numAffectedRows ?? 0);
          }
          summary.jobs = removed;
        });

        // 5. The member row, last: foreign keys cascade or set NULL everywhere else; the request is answered.
        await step('member', async (trx) => {
          await trx.deleteFrom('members').where('id', '=', memberId).execute();
          await trx.updateTable('rights_requests').set({ completed_at: now }).where('id', '=', erasure.request_id).where('completed_at', 'is', null).execute();
          await trx.updateTable('erasures').set({ state: 'erased', erased_at: now }).where('id', '=', erasure.id).execute();
          const totals = Object.values(summary.tables ?? {}).reduce((a, t) => ({ d: a.d + t.deleted, a: a.a + t.anonymized, k: a.k + t.kept }), { d: 0, a: 0, k: 0 });
          await appendAudit(
            trx,
            { type: 'system' },
            {
              action: 'privacy.erased',
              subjectType: 'member',
              subjectId: memberId,
              details: { erasureId: erasure.id, requestId: erasure.request_id, tables: Object.keys(summary.tables ?? {}).length, rowsDeleted: totals.d, rowsAnonymized: totals.a, rowsKept: totals.k, files: summary.files ?? 0 },
            },
            { purpose: 'accountability', at: now },
          );
        });
      }

      // 6. The receipt, then the address is wiped. A failed send is retried (the address stays until then).
      if (!done.has('receipt')) {
        await deps.beforeStep?.('receipt');
        const current = await db.selectFrom('erasures').select(['receipt_email', 'erased_at', 'summary', 'language']).where('id', '=', erasure.id).executeTakeFirstOrThrow();
        if (current.receipt_email) {
          const language: Language = isLanguage(current.language) ? current.language : 'id';
          await mailer.send(receiptEmail({ to: keyring.decrypt(current.receipt_email, 'erasures.receipt_email'), language, content: receiptContent(current.summary, current.erased_at ?? now) }));
        }
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('erasures').set({ receipt_email: null, state: 'done', finished_at: clock(), claimed_until: null }).where('id', '=', erasure.id).execute();
          await markStep(trx, erasure, 'receipt');
          if (current.receipt_email) {
            await appendAudit(trx, { type: 'system' }, { action: 'privacy.erasure_receipt_sent', subjectType: 'erasure', subjectId: erasure.id, details: { language: current.language } }, { purpose: 'accountability', at: now });
          }
        });
      }
      return 'done';
    } catch (err) {
      // Never the error text: a database message can quote values. The lease is released so a retry can resume at once.
      const code = String((err as { code?: unknown }).code ?? (err as Error).name ?? 'error').slice(0, 40);
      await db.updateTable('erasures').set({ last_error: code, claimed_until: null }).where('id', '=', erasure.id).execute();
      logger.error({ erasureId: erasure.id, code, steps: [...done] }, 'erasure stopped; it resumes on the next run');
      throw err;
    }
  }

  function receiptContent(summary: ErasureSummary, erasedAt: Date): ReceiptContent {
    const erased: ReceiptContent['erased'] = [];
    const keptTables = new Set<string>();
    for (const [table, counts] of Object.entries(summary.tables ?? {})) {
      if (counts.kept > 0 || counts.anonymized > 0) keptTables.add(table);
      const records = counts.deleted + counts.anonymized;
      if (records === 0) continue;
      for (const label of erasedLabels(table, dataMap)) erased.push({ label, records });
    }
    // The account record itself (deleted last, not counted per table).
    for (const label of erasedLabels('members', dataMap)) erased.push({ label, records: 1 });
    const kept = keptFields(dataMap)
      .filter((k) => keptTables.has(k.table))
      .map((k) => ({ label: k.label, legalGround: k.legalGround, forDays: k.forDays }));
    return { erasedAt, erased, files: summary.files ?? 0, kept };
  }

  async function reauthenticate(memberId: string, password: string) {
    const member = await db.selectFrom('members').select(['password_hash', 'status', 'language']).where('id', '=', memberId).executeTakeFirst();
    if (!member || !(await verifyPassword(member.password_hash, password))) throw new AppError('reauth_failed', 403, 'wrong password on re-authentication');
    return member;
  }

  return {
    graceDays,

    /** POST /api/me/deletion: deactivate now, end every session, record the request, schedule the erasure, email the member. */
    async request(memberId: string, password: string): Promise<{ erasureId: string; scheduledFor: Date }> {
      const member = await reauthenticate(memberId, password);
      const now = clock();
      const scheduledFor = new Date(now.getTime() + graceDays * DAY_MS);
      const erasureId = crypto.randomUUID();
      const requestId = crypto.randomUUID();
      await db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('members').set({ status: 'deletion_pending', updated_at: now }).where('id', '=', memberId).where('status', '=', 'active').executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new AppError('unauthenticated', 401, 'member not active');
        await trx.insertInto('rights_requests').values({ id: requestId, member_id: memberId, kind: 'erasure', received_at: now, due_at: new Date(now.getTime() + RIGHTS_REQUEST_DUE_MS) }).execute();
        await trx
          .insertInto('erasures')
          .values({ id: erasureId, member_id: memberId, request_id: requestId, state: 'pending', language: member.language, requested_at: now, scheduled_for: scheduledFor, cancelled_at: null, started_at: null, erased_at: null, finished_at: null, receipt_email: null, claimed_until: null, last_error: null })
          .execute();
        const ended = await trx.updateTable('sessions').set({ revoked_at: now }).where('member_id', '=', memberId).where('revoked_at', 'is', null).returning('id').execute();
        await jobs.send(trx, 'privacy.erase-member', { erasureId }, { startAfter: scheduledFor });
        await jobs.send(trx, 'privacy.erasure-scheduled-email', { erasureId });
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          { action: 'privacy.deletion_requested', subjectType: 'member', subjectId: memberId, details: { erasureId, requestId, scheduledFor: scheduledFor.toISOString(), sessionsEnded: ended.length } },
          { purpose: 'accountability', at: now },
        );
      });
      deps.forgetSessions?.(memberId);
      return { erasureId, scheduledFor };
    },

    /** When a member in the grace period will be erased (sign-in shows it), if they are. */
    async scheduledFor(memberId: string): Promise<Date | undefined> {
      const row = await db.selectFrom('erasures').select('scheduled_for').where('member_id', '=', memberId).where('state', '=', 'pending').executeTakeFirst();
      return row?.scheduled_for;
    },

    /**
     * Cancels a pending deletion (the member proved the password at sign-in and chose "restore").
     * Refused once the erasure has started. The member is active again; the scheduled job finds the
     * erasure cancelled and does nothing.
     */
    async restore(memberId: string): Promise<boolean> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const erasure = await trx.selectFrom('erasures').select(['id', 'request_id', 'state']).where('member_id', '=', memberId).where('state', '=', 'pending').forUpdate().executeTakeFirst();
        if (!erasure) return false;
        const updated = await trx.updateTable('members').set({ status: 'active', updated_at: now }).where('id', '=', memberId).where('status', '=', 'deletion_pending').executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx.updateTable('erasures').set({ state: 'cancelled', cancelled_at: now }).where('id', '=', erasure.id).execute();
        await trx.updateTable('rights_requests').set({ completed_at: now }).where('id', '=', erasure.request_id).where('completed_at', 'is', null).execute();
        await jobs.send(trx, 'privacy.erasure-restored-email', { erasureId: erasure.id });
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'privacy.deletion_cancelled', subjectType: 'member', subjectId: memberId, details: { erasureId: erasure.id, via: 'sign_in' } }, { purpose: 'accountability', at: now });
        return true;
      });
    },

    run,

    /** Safety net beside the scheduled jobs: every due erasure, and every run that died, is (re)started. */
    async sweep(options: { now?: Date } = {}): Promise<{ erasureId: string; outcome: RunOutcome | 'failed' }[]> {
      const now = options.now ?? clock();
      const due = await db
        .selectFrom('erasures')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'pending'), eb('scheduled_for', '<=', now)]),
            eb.and([eb('state', 'in', ['running', 'erased']), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]),
          ]),
        )
        .orderBy('scheduled_for')
        .limit(100)
        .execute();
      const results: { erasureId: string; outcome: RunOutcome | 'failed' }[] = [];
      for (const { id } of due) {
        try {
          results.push({ erasureId: id, outcome: await run(id, { now }) });
        } catch {
          results.push({ erasureId: id, outcome: 'failed' });
        }
      }
      return results;
    },

    /** Job: the "your account will be deleted on …" email (the member row still exists in the grace period). */
    async sendScheduledEmail(erasureId: string): Promise<'sent' | 'skipped'> {
      const row = await db
        .selectFrom('erasures')
        .innerJoin('members', 'members.id', 'erasures.member_id')
        .select(['erasures.state', 'erasures.scheduled_for', 'erasures.language', 'members.email', 'members.nickname'])
        .where('erasures.id', '=', erasureId)
        .executeTakeFirst();
      if (!row || row.state !== 'pending') return 'skipped';
      await mailer.send(
        scheduledEmail({
          to: keyring.decrypt(row.email, 'members.email'),
          nickname: keyring.decrypt(row.nickname, 'members.nickname'),
          language: row.language,
          scheduledFor: row.scheduled_for,
          publicUrl,
        }),
      );
      return 'sent';
    },

    async sendRestoredEmail(erasureId: string): Promise<'sent' | 'skipped'> {
      const row = await db
        .selectFrom('erasures')
        .innerJoin('members', 'members.id', 'erasures.member_id')
        .select(['erasures.state', 'members.language', 'members.email', 'members.nickname'])
        .where('erasures.id', '=', erasureId)
        .executeTakeFirst();
      if (!row || row.state !== 'cancelled') return 'skipped';
      await mailer.send(restoredEmail({ to: keyring.decrypt(row.email, 'members.email'), nickname: keyring.decrypt(row.nickname, 'members.nickname'), language: row.language }));
      return 'sent';
    },

    /** What the deletion page explains: the grace period and what is kept, why, and for how long (from the data map). */
    info(language: Language, now: Date = clock()) {
      const seen = new Set<string>();
      const kept = keptFields(dataMap)
        .filter((k) => {
          const key = `${k.label[language]}|${k.legalGround[language]}|${k.forDays}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        })
        .map((k) => ({ label: k.label[language], legalGround: k.legalGround[language], forDays: k.forDays }));
      return { graceDays, erasesOn: new Date(now.getTime() + graceDays * DAY_MS), kept };
    },
  };
}
export type ErasureService = ReturnType<typeof makeErasureService>;
