import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';

/**
 * Job names and their payloads. Payloads carry identifiers only: the job tables are not
 * encrypted, so a job loads what it needs (and decrypts it) when it runs.
 */
export interface JobPayloads {
  'support.send-confirmation': { ticketId: string };
  /** Generates a fresh SMS code (stored only as an HMAC) and sends it. */
  'accounts.send-sms-code': { memberId: string };
  /** Generates a fresh email token (stored only as a sha256) and sends the link. */
  'accounts.send-verification-email': { memberId: string };
}
export type JobName = keyof JobPayloads;

const JOB_NAMES: JobName[] = ['support.send-confirmation', 'accounts.send-sms-code', 'accounts.send-verification-email'];

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
  send<N extends JobName>(trx: Transaction<Database>, name: N, payload: JobPayloads[N]): Promise<string | null>;
  work<N extends JobName>(name: N, handler: (payload: JobPayloads[N]) => Promise<void>): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Installs or upgrades pg-boss's own schema (used by migrations and the test template). */
  readonly boss: PgBoss;
}

export function createJobQueue(db: Kysely<Database>, options: { pollSeconds: number; logger: Logger }): JobQueue {
  const boss = new PgBoss({
    db: bossDb(db),
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
      await boss.start();
      for (const name of JOB_NAMES) {
        if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 5, retryBackoff: true, retryDelay: 5 });
      }
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    },
    async send(trx, name, payload) {
      return boss.send(name, payload, { db: bossDb(trx) });
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
