import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import { createLogger } from '../logging/logger.js';
import { createJobQueue, skippedBookkeepingResult } from './queue.js';

type Sql = (schema: string) => string;
// pg-boss's own statement text, so the test follows the installed version rather than a copy.
const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as Record<'completeJobs' | 'failJobsById' | 'cancelJobs' | 'retryJobs', Sql> & {
  fetchNextJob: (schema: string) => (options: object) => string;
};

describe('job queue stopped while a handler still runs', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('a handler failing after stop and after the database closed surfaces no unhandled rejection', async () => {
    process.on('unhandledRejection', onUnhandled);
    const database = await createTestDatabase();
    const queue = createJobQueue(database.db, { pollSeconds: 0.5, logger: createLogger('silent'), stopTimeoutMs: 300 });
    await queue.start();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const handlerMayFail = new Promise<void>((resolve) => (release = resolve));
    let settled!: () => void;
    const handlerSettled = new Promise<void>((resolve) => (settled = resolve));
    await queue.work('support.send-confirmation', async () => {
      started();
      await handlerMayFail;
      settled();
      throw new Error('the mail server went away');
    });
    await database.db.transaction().execute((trx) => queue.send(trx, 'support.send-confirmation', { ticketId: 't-1' }));
    await handlerStarted;

    await queue.stop(); // gives up waiting after 300 ms: the handler is still running
    await database.close();
    release();
    await handlerSettled;
    // pg-boss records the failure on the next ticks; give it time to try.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(unhandled).toEqual([]);
  });
});

describe('skippedBookkeepingResult', () => {
  it('answers pg-boss count commands with a zero count and anything else with no rows', () => {
    for (const command of [plans.completeJobs('pgboss'), plans.failJobsById('pgboss'), plans.cancelJobs('pgboss'), plans.retryJobs('pgboss')]) {
      expect(skippedBookkeepingResult(command)).toEqual({ rows: [{ count: '0' }] });
    }
    expect(skippedBookkeepingResult(plans.fetchNextJob('pgboss')({}))).toEqual({ rows: [] });
  });
});
