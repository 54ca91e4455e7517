import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { createLogger } from '../../platform/logging/logger.js';
import { publishCommittedMemberEvents, publishMemberEvents, type MemberEvent } from './events.js';
import { createRealtimeHub, type RealtimeHub } from './hub.js';

let database: DatabaseHandle;
let hub: RealtimeHub;
const received: { memberId: string; event: MemberEvent }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  hub = createRealtimeHub({ database, logger: createLogger('silent') });
  await hub.start();
  for (const memberId of ['m-1', 'm-2']) hub.add({ memberId, send: (data) => received.push({ memberId, event: JSON.parse(data) as MemberEvent }) });
});

afterAll(async () => {
  await hub.stop();
  await database.close();
});

async function arrived(count: number): Promise<void> {
  await expect.poll(() => received.length, { timeout: 5000 }).toBe(count);
}

describe('member events', () => {
  it('publishes committed events in one statement without leaving asynchronous commit on the connection', async () => {
    received.length = 0;
    const setting = await database.db.connection().execute(async (conn) => {
      await publishCommittedMemberEvents(conn, [
        { memberId: 'm-1', event: { type: 'test.one', n: 1 } },
        { memberId: 'm-2', event: { type: 'test.one', n: 2 } },
      ]);
      return (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(conn)).rows[0]!.synchronous_commit;
    });
    // The setting applied to the notify's own transaction only; the pooled connection is back to durable commits.
    expect(setting).toBe('on');
    await arrived(2);
    expect(received.map((r) => [r.memberId, r.event.n])).toEqual([
      ['m-1', 1],
      ['m-2', 2],
    ]);
  });

  it('delivers nothing from a transaction that rolls back, and refuses a payload too large for pg_notify', async () => {
    received.length = 0;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await publishMemberEvents(trx, [{ memberId: 'm-1', event: { type: 'test.rolled-back' } }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await publishCommittedMemberEvents(database.db, [{ memberId: 'm-2', event: { type: 'test.after' } }]);
    await arrived(1);
    expect(received[0]!.event.type).toBe('test.after');
    await expect(publishCommittedMemberEvents(database.db, [{ memberId: 'm-1', event: { type: 'test.big', blob: 'x'.repeat(8000) } }])).rejects.toThrow(/too large/);
    // Never inside a transaction: it would turn off durable commit for the caller's whole transaction.
    await expect(database.db.transaction().execute((trx) => publishCommittedMemberEvents(trx, [{ memberId: 'm-1', event: { type: 'test.inside' } }]))).rejects.toThrow(/after the commit/);
  });
});
