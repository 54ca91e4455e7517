import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';

/**
 * Job names and their payloads. Payloads carry identifiers only: the job tables are not
 * encrypted, so a job loads what it needs (and decrypts it) when it runs.
 */
export interface JobPayloads {
  /** Builds a member's data export (ZIP) and completes the rights request it answers. */
  'privacy.build-export': { exportId: string };
  /** Erases a member after the grace period (scheduled with startAfter; resumable, see privacy/erasure/). */
  'privacy.erase-member': { erasureId: string };
  /** "Your account will be deleted on …, here is how to cancel" email. */
  'privacy.erasure-scheduled-email': { erasureId: string };
  /** "Your account was restored" email (deletion cancelled at sign-in). */
  'privacy.erasure-restored-email': { erasureId: string };
  /** One member's copy of a newsletter, sent only if they still consent to marketing email. */
  'newsletter.deliver': { newsletterId: string; memberId: string };
  'support.send-confirmation': { ticketId: string };
  /** Generates a fresh SMS code (stored only as an HMAC) and sends it. */
  'accounts.send-sms-code': { memberId: string };
  /** Generates a fresh email token (stored only as a sha256) and sends the link. */
  'accounts.send-verification-email': { memberId: string };
  /** "A new device signed in to your account" email (login-security). */
  'login-security.new-device-email': { sessionId: string };
  /** Password reset: creates the link token or SMS code (stored only hashed) and sends it. */
  'recovery.send-reset': { resetId: string };
  /** "Your password was changed" email. */
  'recovery.send-password-changed': { memberId: string };
  /** Pending email/phone change: creates the link token or SMS code and sends it to the new address/number. */
  'recovery.send-contact-change': { changeId: string };
  /** A confirmed email/phone change: notices to the old address/number (and the email). */
  'recovery.send-contact-changed-notices': { changeId: string };
  /** "Is your account compromised?" confirmation link to the account's verified email. */
  'recovery.send-compromise-confirmation': { reportId: string };
  /** "Your account was locked" notices by email and SMS. */
  'recovery.send-compromised-notice': { memberId: string };
  'moderation.send-suspension-notice': { memberId: string };
  'moderation.send-reinstatement-notice': { memberId: string };
  /** Creates the guardian's invitation token (stored only as a sha256) and emails the link. */
  'guardians.send-invitation': { guardianId: string };
  /** Tells the guardian by SMS to look for the invitation email. */
  'guardians.send-invitation-sms': { guardianId: string };
  /** Thanks the guardian and sends a new withdrawal link (token stored only as a sha256). */
  'guardians.send-consent-confirmation': { guardianId: string };
  /** Tells the member their guardian withdrew consent and the account is suspended. */
  'guardians.send-withdrawal-notice': { memberId: string };
  /** Draws a step-up sign-in code (stored only as an HMAC) and sends it by the channel the member chose. */
  'mfa.send-challenge-code': { challengeId: string };
  /** Emails every member the notice of a material Privacy Policy change, in their language (once each). */
  'policy.send-change-notices': { version: string };
  /** Emails one notification to an offline member whose preferences allow its kind (posts/notifications). */
  'notifications.send-email': { notificationId: string };
}
export type JobName = keyof JobPayloads;

/**
 * Every job name once. pg-boss 10 needs each queue created before use; a name added to
 * JobPayloads but missing here is a type error rather than a job that silently never runs.
 */
const JOB_QUEUES: Record<JobName, true> = {
  'accounts.send-sms-code': true,
  'accounts.send-verification-email': true,
  'guardians.send-consent-confirmation': true,
  'guardians.send-invitation': true,
  'guardians.send-invitation-sms': true,
  'guardians.send-withdrawal-notice': true,
  'login-security.new-device-email': true,
  'mfa.send-challenge-code': true,
  'newsletter.deliver': true,
  'policy.send-change-notices': true,
  'notifications.send-email': true,
  'privacy.build-export': true,
  'privacy.erase-member': true,
  'privacy.erasure-restored-email': true,
  'privacy.erasure-scheduled-email': true,
  'recovery.send-compromise-confirmation': true,
  'recovery.send-compromised-notice': true,
  'moderation.send-suspension-notice': true,
  'moderation.send-reinstatement-notice': true,
  'recovery.send-contact-change': true,
  'recovery.send-contact-changed-notices': true,
  'recovery.send-password-changed': true,
  'recovery.send-reset': true,
  'support.send-confirmation': true,
};
const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

type Executor = Kysely<Database> | Transaction<Database>;

/** pg-boss runs every statement through Kysely, so it shares the connection rules (and the PGlite mutex). */
function bossDb(executor: Executor): PgBoss.Db {
  return {
    executeSql: async (text: string, values: unknown[] = []) => {
      const result = await executor.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}

export interface JobQueue {
  /** Enqueue inside `trx` so the job exists exactly when the change that caused it commits. */
  send<N extends JobName>(trx: Transaction<Database>, name: N, payload: JobPayloads[N], options?: { startAfter?: Date }): Promise<string | null>;
  work<N extends JobName>(name: N, handler: (payload: JobPayloads[N]) => Promise<void>): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Installs or upgrades pg-boss's own schema (used by migrations and the test template). */
  readonly boss: PgBoss;
}

/**
 * What a skipped statement answers. pg-boss reads `rows[0].count` from its complete/fail/cancel
 * commands (all end in `SELECT COUNT(*) FROM results`), so those get one row counting nothing;
 * every other statement gets no rows (a fetch then finds no job).
 */
export function skippedBookkeepingResult(text: string): { rows: unknown[] } {
  return { rows: /select\s+count\(\*\)\s+from\s+results\s*$/i.test(text) ? [{ count: '0' }] : [] };
}

export function createJobQueue(
  db: Kysely<Database>,
  options: { pollSeconds: number; logger: Logger; /** How long stop() waits for running handlers. */ stopTimeoutMs?: number },
): JobQueue {
  const shared = bossDb(db);
  let stopped = false;
  const boss = new PgBoss({
    // A handler still running when the graceful stop times out finishes later, and pg-boss then
    // records its outcome; by then the database may be closed. That bookkeeping is skipped (the job
    // is retried after it expires) instead of surfacing as an unhandled rejection at shutdown.
    db: {
      executeSql: async (text: string, values?: unknown[]) => {
        try {
          return await shared.executeSql(text, values ?? []);
        } catch (err) {
          if (!stopped) throw err;
          options.logger.warn({ err }, 'job queue bookkeeping after stop skipped');
          return skippedBookkeepingResult(text);
        }
      },
    },
    schema: 'pgboss',
    supervise: true,
    schedule: false,
    // Completed jobs are evidence of what was sent, not a data store: keep them a week.
    deleteAfterDays: 7,
  });
  boss.on('error', (err: Error) => options.logger.error({ err }, 'job queue error'));
  let started = false;
  return {
    boss,
    async start() {
      if (started) return;
      stopped = false;
      await boss.start();
      for (const name of JOB_NAMES) {
        if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 5, retryBackoff: true, retryDelay: 5 });
      }
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await boss.stop({ graceful: true, wait: true, timeout: options.stopTimeoutMs ?? 5000 });
      stopped = true;
    },
    async send(trx, name, payload, options) {
      return boss.send(name, payload, { db: bossDb(trx), ...(options?.startAfter ? { startAfter: options.startAfter } : {}) });
    },
    async work(name, handler) {
      await boss.work<JobPayloads[typeof name]>(
        name,
        { pollingIntervalSeconds: options.pollSeconds, batchSize: 1 },
        async ([job]) => {
          if (job) await handler(job.data);
        },
      );
    },
  };
}
