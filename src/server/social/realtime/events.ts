import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * Live events for one member's open sockets (new message, receipt, kenalan request, notification).
 * Published with pg_notify inside the transaction that caused them, so PostgreSQL delivers them only
 * if it commits, and to every server process (each LISTENs on this channel and forwards the event
 * to the sockets it holds for `memberId`). Payloads carry ids and small facts only: PostgreSQL caps
 * a notification at 8000 bytes, and clients fetch the content over REST, where visibility is checked.
 */
export const MEMBER_EVENTS_CHANNEL = 'kenalan_member_events';

export interface MemberEvent {
  /** e.g. 'chat.message', 'chat.receipt', 'request.received', 'notification' */
  type: string;
  [key: string]: unknown;
}

export interface MemberEventEnvelope {
  memberId: string;
  event: MemberEvent;
}

export async function publishMemberEvent(db: Kysely<Database> | Transaction<Database>, memberId: string, event: MemberEvent): Promise<void> {
  await sql`SELECT ${notifyCall({ memberId, event })}`.execute(db);
}

/** Several events in one round trip (e.g. a chat message to the recipient and to the sender's other sockets). */
export async function publishMemberEvents(db: Kysely<Database> | Transaction<Database>, envelopes: MemberEventEnvelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  await sql`SELECT ${sql.join(envelopes.map(notifyCall))}`.execute(db);
}

function notifyCall({ memberId, event }: MemberEventEnvelope) {
  const payload = JSON.stringify({ memberId, event } satisfies MemberEventEnvelope);
  if (Buffer.byteLength(payload) > 7900) throw new Error(`Member event ${event.type} is too large for pg_notify`);
  return sql`pg_notify(${MEMBER_EVENTS_CHANNEL}, ${payload})`;
}

/**
 * Events about a change that has already committed, in their own short transaction with
 * `synchronous_commit = off`. PostgreSQL serializes the commits of notifying transactions (a lock
 * on the notification queue is held through the commit, including its WAL flush), so a busy path
 * (chat messages) that notified inside its own durable transaction would be limited to one commit
 * per disk flush. The change itself stays durable; only the notification's commit record is not
 * waited for, and a notification carries no data that is not already stored. If the process dies
 * between the two, the event is lost like any notification during a LISTEN reconnect: clients
 * refetch over REST (`live.resync`), and a retried send publishes again (bench/results/chat.md).
 *
 * One statement, one round trip: the statement is its own transaction, and `set_config(…, true)`
 * sets `synchronous_commit` for that transaction only ("the setting in effect when it commits"
 * decides), where BEGIN / SET LOCAL / NOTIFY / COMMIT took four.
 */
export async function publishCommittedMemberEvents(db: Kysely<Database>, envelopes: MemberEventEnvelope[]): Promise<void> {
  // Inside a caller's transaction the setting would make that whole transaction's commit asynchronous.
  if (db.isTransaction) throw new Error('publishCommittedMemberEvents runs after the commit, not inside a transaction');
  if (envelopes.length === 0) return;
  await sql`SELECT set_config('synchronous_commit', 'off', true), ${sql.join(envelopes.map(notifyCall))}`.execute(db);
}
