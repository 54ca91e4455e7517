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
  const payload = JSON.stringify({ memberId, event } satisfies MemberEventEnvelope);
  if (Buffer.byteLength(payload) > 7900) throw new Error(`Member event ${event.type} is too large for pg_notify`);
  await sql`SELECT pg_notify(${MEMBER_EVENTS_CHANNEL}, ${payload})`.execute(db);
}
