import { sql, type Kysely, type Transaction } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { adultFrom, jakartaToday } from '../../../common/age.js';

/**
 * The social graph's questions, asked the same way by every social module (profiles, discovery,
 * requests, chat, updates, notifications): are two members connected, has either blocked the other,
 * may they interact at all. Writers take the caller's transaction.
 */
type Executor = Kysely<Database> | Transaction<Database>;

export type AgeGroup = 'minor' | 'adult';

/** A member whose `adult_from` is unknown is treated as a minor: the safe side of P5.2. */
export function ageGroup(adultFromDate: string | null, today: string = jakartaToday()): AgeGroup {
  return adultFromDate !== null && adultFromDate <= today ? 'adult' : 'minor';
}

export async function areConnected(db: Executor, a: string, b: string): Promise<boolean> {
  const row = await db.selectFrom('connections').select('member_id').where('member_id', '=', a).where('other_id', '=', b).executeTakeFirst();
  return row !== undefined;
}

export async function isBlockedEitherWay(db: Executor, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('blocks')
    .select('blocker_id')
    .where((eb) => eb.or([eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]), eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)])]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Every member `memberId` must not see or be seen by: blocked by them or blocking them. */
export async function blockedEitherWay(db: Executor, memberId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('blocks')
    .select(['blocker_id', 'blocked_id'])
    .where((eb) => eb.or([eb('blocker_id', '=', memberId), eb('blocked_id', '=', memberId)]))
    .execute();
  return new Set(rows.map((r) => (r.blocker_id === memberId ? r.blocked_id : r.blocker_id)));
}

export type InteractionVerdict = 'ok' | 'not_found' | 'blocked' | 'age_group';

/**
 * Whether `a` may interact with `b` at all (see a profile, send a request, chat): `b` exists and is
 * active, neither blocked the other, and both are minors or both adults (P5.2). Callers answer
 * every verdict but 'ok' with the same 404, so a blocked member cannot tell they were blocked.
 */
export async function canInteract(db: Executor, a: string, b: string, today: string = jakartaToday()): Promise<InteractionVerdict> {
  if (a === b) return 'not_found';
  const rows = await db.selectFrom('members').select(['id', 'status', 'adult_from']).where('id', 'in', [a, b]).execute();
  const me = rows.find((r) => r.id === a);
  const other = rows.find((r) => r.id === b);
  if (!me || !other || other.status !== 'active') return 'not_found';
  if (ageGroup(me.adult_from, today) !== ageGroup(other.adult_from, today)) return 'age_group';
  if (await isBlockedEitherWay(db, a, b)) return 'blocked';
  return 'ok';
}

/** Connects both directions; a second call is a no-op. */
export async function connect(trx: Transaction<Database>, a: string, b: string, now: Date = new Date()): Promise<void> {
  await trx
    .insertInto('connections')
    .values([
      { member_id: a, other_id: b, created_at: now },
      { member_id: b, other_id: a, created_at: now },
    ])
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function disconnect(trx: Transaction<Database>, a: string, b: string): Promise<void> {
  await trx
    .deleteFrom('connections')
    .where((eb) => eb.or([eb.and([eb('member_id', '=', a), eb('other_id', '=', b)]), eb.and([eb('member_id', '=', b), eb('other_id', '=', a)])]))
    .execute();
}

/** Blocking ends the connection too; modules with their own state (requests, chat) clean up in the same transaction. */
export async function block(trx: Transaction<Database>, blocker: string, blocked: string, now: Date = new Date()): Promise<void> {
  await trx.insertInto('blocks').values({ blocker_id: blocker, blocked_id: blocked, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
  await disconnect(trx, blocker, blocked);
}

export async function unblock(trx: Transaction<Database>, blocker: string, blocked: string): Promise<void> {
  await trx.deleteFrom('blocks').where('blocker_id', '=', blocker).where('blocked_id', '=', blocked).execute();
}

/**
 * Fills `members.adult_from` for members who signed up before it existed (their date of birth is
 * encrypted, so a migration cannot compute it). Runs at start; a no-op once every row has it.
 */
export async function backfillAdultFrom(db: Kysely<Database>, keyring: Keyring): Promise<number> {
  const rows = await db.selectFrom('members').select(['id', 'date_of_birth']).where('adult_from', 'is', null).execute();
  for (const row of rows) {
    const value = adultFrom(keyring.decrypt(row.date_of_birth, 'members.date_of_birth'));
    await db.updateTable('members').set({ adult_from: value }).where('id', '=', row.id).where('adult_from', 'is', null).execute();
  }
  return rows.length;
}

/** SQL for "the member is an adult today", for list queries (discovery, feeds) that filter in the database. */
export const isAdultToday = (today: string = jakartaToday()) => sql<boolean>`(members.adult_from IS NOT NULL AND members.adult_from <= ${today})`;
