import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { isBlockedEitherWay } from '../graph/relations.js';
import { publishMemberEvent } from '../realtime/events.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './tables.js';

/**
 * Notifications: one row per thing a member should know about (a kenalan request, an accepted
 * request, a message while offline, a like or comment on their update), pushed live to their
 * sockets and, when they are offline and their preferences allow that kind by email, emailed in
 * their language (service notices only, never marketing). Any module calls `notify` inside the
 * transaction that caused it; nothing happens if it rolls back.
 */
export { NOTIFICATION_KINDS, type NotificationKind };

type Executor = Kysely<Database> | Transaction<Database>;

/** Email by default for what needs an answer (requests, messages); likes and comments only in the app. */
export const EMAIL_DEFAULTS: Record<NotificationKind, boolean> = {
  request_received: true,
  request_accepted: true,
  message: true,
  post_liked: false,
  post_commented: false,
  moderation_warning: false,
  report_handled: false,
};

/** A member with no session seen in this long (sessions touch last_seen_at every 5 minutes) is offline. */
export const OFFLINE_AFTER_MS = 10 * 60 * 1000;

export interface NotifyInput {
  memberId: string;
  kind: NotificationKind;
  /** The member who caused it (liker, requester, sender); null for system notices. */
  actorId?: string | null;
  /** What it is about (request id, message id, post id). */
  objectId?: string | null;
  now?: Date;
}

/** Whether a member has a live socket (the chat hub can register one); the database's session activity otherwise. */
export type PresenceProbe = (trx: Executor, memberId: string, now: Date) => Promise<boolean>;

interface Delivery {
  jobs?: JobQueue;
  presence?: PresenceProbe;
}
const delivery: Delivery = {};

/** Compose hands the job queue over once; any JobQueue sends through the caller's transaction. */
export function useNotificationJobs(jobs: JobQueue): void {
  delivery.jobs = jobs;
}

/** The realtime hub may register who has a socket open; it is asked before the session fallback. */
export function useNotificationPresence(presence: PresenceProbe): void {
  delivery.presence = presence;
}

export async function recentlyActive(db: Executor, memberId: string, now: Date = new Date()): Promise<boolean> {
  const row = await db
    .selectFrom('sessions')
    .select('id')
    .where('member_id', '=', memberId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', new Date(now.getTime() - OFFLINE_AFTER_MS))
    .executeTakeFirst();
  return row !== undefined;
}

export async function isOnline(db: Executor, memberId: string, now: Date = new Date()): Promise<boolean> {
  if (delivery.presence && (await delivery.presence(db, memberId, now))) return true;
  return recentlyActive(db, memberId, now);
}

export async function emailAllowed(db: Executor, memberId: string, kind: NotificationKind): Promise<boolean> {
  const row = await db.selectFrom('notification_preferences').select('email').where('member_id', '=', memberId).where('kind', '=', kind).executeTakeFirst();
  return row ? row.email : EMAIL_DEFAULTS[kind];
}

/**
 * Records a notification for `memberId`, pushes it live and, if they are offline and allow it,
 * enqueues the email. Returns the notification id, or null when none was made (the actor is the
 * member, the two blocked each other either way, or the member is not active).
 */
export async function notify(trx: Transaction<Database>, input: NotifyInput): Promise<string | null> {
  const now = input.now ?? new Date();
  const actorId = input.actorId ?? null;
  if (!NOTIFICATION_KINDS.includes(input.kind)) throw new Error(`Unknown notification kind ${String(input.kind)}`);
  if (actorId !== null && (actorId === input.memberId || (await isBlockedEitherWay(trx, input.memberId, actorId)))) return null;
  const member = await trx.selectFrom('members').select('status').where('id', '=', input.memberId).executeTakeFirst();
  if (!member || member.status !== 'active') return null;
  const id = crypto.randomUUID();
  await trx
    .insertInto('notifications')
    .values({ id, member_id: input.memberId, kind: input.kind, actor_id: actorId, object_id: input.objectId ?? null, created_at: now, read_at: null, emailed_at: null })
    .execute();
  await publishMemberEvent(trx, input.memberId, { type: 'notification', id, kind: input.kind, objectId: input.objectId ?? null });
  if (delivery.jobs && (await emailAllowed(trx, input.memberId, input.kind)) && !(await isOnline(trx, input.memberId, now))) {
    await delivery.jobs.send(trx, 'notifications.send-email', { notificationId: id });
  }
  return id;
}
