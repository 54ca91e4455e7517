import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { processProfilePhoto } from '../../platform/media/image.js';
import { jakartaToday } from '../../../common/age.js';
import { ageGroup } from '../graph/relations.js';
import { isOnline, notify } from '../posts/notifications.js';
import { publishCommittedMemberEvents, publishMemberEvent } from '../realtime/events.js';
import type { ChatMessagesTable } from './tables.js';

type Executor = Kysely<Database> | Transaction<Database>;

export const MAX_BODY_CHARS = 2000;
export const CHAT_PHOTO_LIMITS = { maxBytes: 8 * 1024 * 1024, minSide: 16, maxSide: 8000, maxPixels: 40_000_000 } as const;
export const CLIENT_KEY = /^[A-Za-z0-9_-]{8,64}$/;
export const MAX_PAGE = 100;
/** Receipt events list at most this many ids (pg_notify caps a payload at 8000 bytes); `upTo` covers the rest. */
const RECEIPT_IDS = 120;

export interface SendLimit {
  /** Messages a member may send per window (both paths, socket and REST, count together). */
  max: number;
  windowMs: number;
}
export const DEFAULT_SEND_LIMIT: SendLimit = { max: 60, windowMs: 60_000 };

export interface ChatPartner {
  id: string;
  username: string;
  nickname: string;
}

/** A message as one member sees it. */
export interface MessageView {
  id: string;
  conversationId: string;
  /** The sender's idempotency key, shown to the sender only (so a resend can be matched). */
  clientKey: string | null;
  from: 'me' | 'them';
  /** Null once the sender's account is erased: shown as "former member". */
  senderId: string | null;
  body: string | null;
  photo: { url: string; width: number; height: number } | null;
  createdAt: string;
  deliveredAt: string | null;
  readAt: string | null;
  /** Deleted for both: a tombstone with no body and no photo. */
  deleted: boolean;
}

export interface ConversationSummary {
  conversationId: string | null;
  member: ChatPartner | null;
  last: { id: string; from: 'me' | 'them'; preview: string | null; photo: boolean; deleted: boolean; createdAt: string } | null;
  unread: number;
}

type MessageRow = Selectable<ChatMessagesTable>;

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  dataDir: string;
  logger: Logger;
  clock?: () => Date;
  sendLimit?: SendLimit;
}

/** The conversation id of a pair, the same whoever writes first: two first messages cannot make two conversations. */

/** Whether `memberId` still has an unread "new message" notification from `from`. */
async function hasUnreadMessageNotice(trx: Transaction<Database>, memberId: string, from: string): Promise<boolean> {
  const row = await trx
    .selectFrom('notifications')
    .select('id')
    .where('member_id', '=', memberId)
    .where('kind', '=', 'message')
    .where('actor_id', '=', from)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export function conversationIdFor(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  const h = crypto.createHash('sha256').update(`kenalan-chat:${x}:${y}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError('validation_failed', 400, 'bad cursor', { fields: [{ field: 'before', code: 'invalid' }] });
  }
  return { createdAt, id };
}

const notFound = () => new AppError('not_found', 404, 'no chat with this member');

/**
 * 1:1 chat between connected members (issue 4 item 4). Both send paths (socket and REST) come here.
 * Every send and read checks that the two are still connected and neither blocked the other; any
 * other answer is the same 404, so a blocked member learns nothing. Bodies are encrypted with the
 * keyring; photos are re-encoded without metadata and stored under the sender's media folder.
 * Live events go out with `publishMemberEvent` inside the transaction, so they exist only if it commits.
 */
export function makeChatService({ db, keyring, dataDir, logger, clock = () => new Date(), sendLimit = DEFAULT_SEND_LIMIT }: Deps) {
  const windows = new Map<string, { start: number; count: number }>();

  /**
   * One query for every send and read: both members, whether they are connected, whether either
   * blocked the other. Allowed only when the other is active, both are in the same age group
   * (P5.2), they are connected and neither blocked the other; else the same 404 for every reason.
   */
  async function chatPartner(exec: Executor, me: string, other: string): Promise<ChatPartner | undefined> {
    if (me === other) return undefined;
    const row = await exec
      .selectFrom('members as o')
      .innerJoin('members as me', (j) => j.on('me.id', '=', me))
      .select((eb) => [
        'o.id',
        'o.username',
        'o.nickname',
        'o.status',
        'o.adult_from',
        'me.adult_from as my_adult_from',
        eb.exists(eb.selectFrom('connections').select('member_id').where('member_id', '=', me).where('other_id', '=', other)).as('connected'),
        eb
          .exists(
            eb
              .selectFrom('blocks')
              .select('blocker_id')
              .where((b) => b.or([b.and([b('blocker_id', '=', me), b('blocked_id', '=', other)]), b.and([b('blocker_id', '=', other), b('blocked_id', '=', me)])])),
          )
          .as('blocked'),
      ])
      .where('o.id', '=', other)
      .executeTakeFirst();
    if (!row || row.status !== 'active' || !row.connected || row.blocked) return undefined;
    if (ageGroup(row.adult_from) !== ageGroup(row.my_adult_from)) return undefined;
    return { id: row.id, username: row.username, nickname: keyring.decrypt(row.nickname, 'members.nickname') };
  }

  async function assertMayChat(exec: Executor, me: string, other: string): Promise<ChatPartner> {
    const partner = await chatPartner(exec, me, other);
    if (!partner) throw notFound();
    return partner;
  }

  /** Fixed window per member, in memory (per process; see ADR 0015). Throws 429 with the seconds to wait. */
  function takeSendToken(me: string): void {
    const now = clock().getTime();
    const w = windows.get(me);
    if (!w || now - w.start >= sendLimit.windowMs) {
      windows.set(me, { start: now, count: 1 });
      if (windows.size > 50_000) for (const [k, v] of windows) if (now - v.start >= sendLimit.windowMs) windows.delete(k);
      return;
    }
    if (w.count >= sendLimit.max) {
      const seconds = Math.max(1, Math.ceil((w.start + sendLimit.windowMs - now) / 1000));
      throw new AppError('rate_limited', 429, 'chat send rate limit', { params: { seconds }, messageKey: 'chat.errors.tooFast' });
    }
    w.count += 1;
  }

  function decryptBody(value: string | null): string | null {
    if (value === null || value === '') return null;
    try {
      const text = keyring.decrypt(value, 'chat_messages.body');
      return text === '' ? null : text;
    } catch {
      return null;
    }
  }

  function view(row: MessageRow, me: string, other: string | null): MessageView {
    const mine = row.sender_id === me;
    const hasPhoto = row.photo_path !== null && row.photo_path !== '' && !row.deleted_for_both;
    return {
      id: row.id,
      conversationId: row.conversation_id,
      clientKey: mine ? row.client_key : null,
      from: mine ? 'me' : 'them',
      senderId: row.sender_id,
      body: row.deleted_for_both ? null : decryptBody(row.body),
      photo: hasPhoto && other ? { url: `/api/chats/${other}/messages/${row.id}/photo`, width: row.photo_width ?? 0, height: row.photo_height ?? 0 } : null,
      createdAt: row.created_at.toISOString(),
      deliveredAt: row.delivered_at?.toISOString() ?? null,
      readAt: row.read_at?.toISOString() ?? null,
      // Deleted for both, or wiped when the sender's account was erased (body and photo anonymized).
      deleted: row.deleted_for_both || (row.sender_id === null && decryptBody(row.body) === null && !hasPhoto),
    };
  }

  const visibleTo = (me: string) =>
    sql<boolean>`((chat_messages.sender_id = ${me} AND NOT chat_messages.deleted_for_sender) OR (chat_messages.sender_id IS DISTINCT FROM ${me} AND NOT chat_messages.deleted_for_recipient))`;

  function removeFile(relative: string | null): void {
    if (!relative) return;
    fs.rm(path.join(dataDir, relative), { force: true }, (err) => {
      if (err) logger.warn({ err }, 'chat photo file could not be removed');
    });
  }

  async function existing(me: string, clientKey: string) {
    return db.selectFrom('chat_messages').selectAll().where('sender_id', '=', me).where('client_key', '=', clientKey).executeTakeFirst();
  }

  async function receipt(trx: Transaction<Database>, to: string, conversationId: string, by: string, status: 'delivered' | 'read', rows: { id: string; created_at: Date }[], at: Date) {
    if (rows.length === 0) return;
    const upTo = rows.reduce((m, r) => (r.created_at > m ? r.created_at : m), rows[0]!.created_at);
    await publishMemberEvent(trx, to, {
      type: 'chat.receipt',
      conversationId,
      with: by,
      status,
      messageIds: rows.slice(0, RECEIPT_IDS).map((r) => r.id),
      upTo: upTo.toISOString(),
      at: at.toISOString(),
    });
  }

  /** Everything the partner sent that had not reached me yet is delivered now (history opened, or reconnect). */
  async function markDeliveredFrom(me: string, other: string): Promise<number> {
    const conversationId = conversationIdFor(me, other);
    const pending = await db
      .selectFrom('chat_messages')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .where('sender_id', '=', other)
      .where('read_at', 'is', null)
      .where('delivered_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (!pending) return 0;
    const now = clock();
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable('chat_messages')
        .set({ delivered_at: now })
        .where('conversation_id', '=', conversationId)
        .where('sender_id', '=', other)
        .where('read_at', 'is', null)
        .where('delivered_at', 'is', null)
        .returning(['id', 'created_at'])
        .execute();
      await receipt(trx, other, conversationId, me, 'delivered', rows, now);
      return rows.length;
    });
  }

  return {
    conversationIdFor,

    /**
     * Sends a text and/or photo message. Idempotent on (sender, clientKey): a retry returns the
     * first message (`created: false`), never a second row, whichever path the retry takes.
     */
    async send(me: string, to: string, input: { clientKey: string; body?: string | undefined; photo?: Buffer | undefined }): Promise<{ message: MessageView; created: boolean }> {
      if (!CLIENT_KEY.test(input.clientKey)) throw new AppError('validation_failed', 400, 'bad client key', { fields: [{ field: 'clientKey', code: 'invalid' }] });
      const body = input.body?.trim() ?? '';
      if (body.length > MAX_BODY_CHARS) throw new AppError('validation_failed', 400, 'body too long', { fields: [{ field: 'body', code: 'tooLong', params: { max: MAX_BODY_CHARS } }] });
      if (body === '' && !input.photo) throw new AppError('validation_failed', 400, 'empty message', { fields: [{ field: 'body', code: 'required', messageKey: 'chat.errors.empty' }] });
      const conversationId = conversationIdFor(me, to);

      const replay = async () => {
        const row = await existing(me, input.clientKey);
        if (!row) return undefined;
        if (row.conversation_id !== conversationId) throw new AppError('idempotency_conflict', 409, 'client key used for another conversation');
        await assertMayChat(db, me, to);
        // The first attempt may have stopped between its commit and its event: tell the recipient again (clients dedupe by id).
        await publishCommittedMemberEvents(db, [{ memberId: to, event: { type: 'chat.message', conversationId, messageId: row.id, from: me } }]);
        return { message: view(row, me, to), created: false };
      };
      // A photo retry must not process the photo again: look the key up first. A text send goes
      // straight to the insert, whose ON CONFLICT finds a retry (one round trip less per message).
      if (input.photo) {
        const first = await replay();
        if (first) return first;
      }
      try {
        takeSendToken(me);
      } catch (error) {
        const stored = await replay();
        if (stored) return stored;
        throw error;
      }
      // Checked again inside the transaction; checked here first only to spare photo processing for a refused send.
      if (input.photo) await assertMayChat(db, me, to);

      const id = crypto.randomUUID();
      let photo: { path: string; width: number; height: number } | undefined;
      if (input.photo) {
        const processed = await processProfilePhoto(input.photo, CHAT_PHOTO_LIMITS);
        if (!processed.ok) {
          throw new AppError('validation_failed', 400, `chat photo refused: ${processed.error}`, {
            fields: [
              {
                field: 'photo',
                code: processed.error,
                messageKey: `media.${processed.error}`,
                params: {
                  maxMegabytes: Math.floor(CHAT_PHOTO_LIMITS.maxBytes / (1024 * 1024)),
                  maxSide: CHAT_PHOTO_LIMITS.maxSide,
                  maxMegapixels: Math.floor(CHAT_PHOTO_LIMITS.maxPixels / 1_000_000),
                  minSide: CHAT_PHOTO_LIMITS.minSide,
                },
              },
            ],
          });
        }
        const relative = path.posix.join('media', 'members', me, 'chat', `${id}.jpg`);
        const absolute = path.join(dataDir, relative);
        fs.mkdirSync(path.dirname(absolute), { recursive: true, mode: 0o700 });
        fs.writeFileSync(absolute, processed.image.bytes, { mode: 0o600 });
        photo = { path: relative, width: processed.image.width, height: processed.image.height };
      }

      const now = clock();
      try {
        const inserted = await db.transaction().execute(async (trx) => {
          await assertMayChat(trx, me, to);
          const conversation = await trx
            .insertInto('chat_conversations')
            .values({ id: conversationId, created_at: now, last_message_at: now })
            .onConflict((oc) => oc.column('id').doUpdateSet({ last_message_at: now }))
            .returning(sql<boolean>`(xmax = 0)`.as('created'))
            .executeTakeFirstOrThrow();
          if (conversation.created) {
            await trx
              .insertInto('chat_members')
              .values([
                { conversation_id: conversationId, member_id: me, other_id: to, created_at: now },
                { conversation_id: conversationId, member_id: to, other_id: me, created_at: now },
              ])
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
          const row = await trx
            .insertInto('chat_messages')
            .values({
              id,
              conversation_id: conversationId,
              sender_id: me,
              client_key: input.clientKey,
              body: body === '' ? null : keyring.encrypt(body, 'chat_messages.body'),
              photo_path: photo?.path ?? null,
              photo_width: photo?.width ?? null,
              photo_height: photo?.height ?? null,
              created_at: now,
            })
            .onConflict((oc) => oc.doNothing())
            .returningAll()
            .executeTakeFirst();
          // An offline recipient gets one "new message" notification (and email, by their
          // preferences) until they read it; an online one sees the message live and gets none.
          if (row && !(await isOnline(trx, to, now)) && !(await hasUnreadMessageNotice(trx, to, me))) {
            await notify(trx, { memberId: to, kind: 'message', actorId: me, objectId: conversationId, now });
          }
          return row;
        });
        // Published after the durable commit, in a non-durable notify-only transaction (see
        // publishCommittedMemberEvents: notifying inside this transaction would serialize sends on disk flushes).
        if (inserted) {
          const event = { type: 'chat.message', conversationId, messageId: id, from: me };
          await publishCommittedMemberEvents(db, [
            { memberId: to, event },
            { memberId: me, event },
          ]);
        }
        if (!inserted) {
          // The same key raced in on another connection: that one won; answer with it.
          removeFile(photo?.path ?? null);
          const again = await replay();
          if (again) return again;
          throw new AppError('idempotency_conflict', 409, 'client key conflict');
        }
        return { message: view(inserted, me, to), created: true };
      } catch (error) {
        removeFile(photo?.path ?? null);
        throw error;
      }
    },

    /** One page of history, newest first, keyset on (created_at, id). The first page also marks the partner's messages delivered. */
    async history(me: string, other: string, options: { before?: string | undefined; limit?: number | undefined } = {}) {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
      const conversationId = conversationIdFor(me, other);
      let query = db.selectFrom('chat_messages').selectAll().where('conversation_id', '=', conversationId).where(visibleTo(me));
      if (options.before) {
        const c = decodeCursor(options.before);
        query = query.where(sql<boolean>`(created_at, id) < (${c.createdAt}, ${c.id}::uuid)`);
      }
      // The check and the page in parallel (two pool connections on PostgreSQL); the page is used only if the check passes.
      const [member, rows] = await Promise.all([chatPartner(db, me, other), query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()]);
      if (!member) throw notFound();
      const page = rows.slice(0, limit);
      // Opening the chat delivers what had not reached me. Delivery follows message order, so when
      // the newest page holds nothing undelivered from the partner there is nothing older to mark.
      if (!options.before && page.some((r) => r.sender_id === other && r.delivered_at === null)) await markDeliveredFrom(me, other);
      const last = page.at(-1);
      return {
        member,
        messages: page.map((r) => view(r, me, other)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      };
    },

    markDeliveredFrom,

    /** The recipient's socket received these messages (the web client acknowledges each `chat.message`). */
    async markDelivered(me: string, messageIds: string[]): Promise<number> {
      const ids = [...new Set(messageIds)].filter((id) => /^[0-9a-f-]{36}$/i.test(id)).slice(0, 200);
      if (ids.length === 0) return 0;
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('chat_messages')
          .set({ delivered_at: now })
          .where('id', 'in', ids)
          .where('delivered_at', 'is', null)
          .where(sql<boolean>`sender_id IS DISTINCT FROM ${me}`)
          .where('conversation_id', 'in', (eb) => eb.selectFrom('chat_members').select('conversation_id').where('member_id', '=', me))
          .returning(['id', 'created_at', 'sender_id', 'conversation_id'])
          .execute();
        const bySender = new Map<string, typeof rows>();
        for (const r of rows) if (r.sender_id) bySender.set(r.sender_id, [...(bySender.get(r.sender_id) ?? []), r]);
        for (const [sender, list] of bySender) await receipt(trx, sender, list[0]!.conversation_id, me, 'delivered', list, now);
        return rows.length;
      });
    },

    /** I have read the conversation with `other`: every message from them is read now; they get a read receipt. */
    async markRead(me: string, other: string): Promise<number> {
      await assertMayChat(db, me, other);
      const conversationId = conversationIdFor(me, other);
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('chat_messages')
          .set({ read_at: now, delivered_at: sql`COALESCE(delivered_at, ${now})` })
          .where('conversation_id', '=', conversationId)
          .where('sender_id', '=', other)
          .where('read_at', 'is', null)
          .returning(['id', 'created_at'])
          .execute();
        if (rows.length > 0) {
          await receipt(trx, other, conversationId, me, 'read', rows, now);
          await publishMemberEvent(trx, me, { type: 'chat.read', conversationId, with: other });
        }
        return rows.length;
      });
    },

    /** Delete for me (either side) or for both (the sender only: body and photo wiped, a tombstone stays). */
    async deleteMessage(me: string, other: string, messageId: string, scope: 'me' | 'both'): Promise<void> {
      await assertMayChat(db, me, other);
      const conversationId = conversationIdFor(me, other);
      const row = await db.selectFrom('chat_messages').selectAll().where('id', '=', messageId).where('conversation_id', '=', conversationId).where(visibleTo(me)).executeTakeFirst();
      if (!row) throw notFound();
      const mine = row.sender_id === me;
      const now = clock();
      if (scope === 'me') {
        await db
          .updateTable('chat_messages')
          .set(mine ? { deleted_for_sender: true } : { deleted_for_recipient: true })
          .where('id', '=', messageId)
          .execute();
        return;
      }
      if (!mine) throw new AppError('bad_request', 400, 'only the sender deletes for both', { messageKey: 'chat.errors.deleteForBothOwnOnly' });
      if (row.deleted_for_both) return;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('chat_messages').set({ deleted_for_both: true, body: null, photo_path: null }).where('id', '=', messageId).execute();
        await appendAudit(
          trx,
          { type: 'member', id: me },
          { action: 'chat.message_deleted_for_both', subjectType: 'chat_message', subjectId: messageId, details: { conversationId } },
          { purpose: 'account', at: now },
        );
        const event = { type: 'chat.deleted', conversationId, messageId, with: me };
        await publishMemberEvent(trx, other, event);
        await publishMemberEvent(trx, me, { ...event, with: other });
      });
      removeFile(row.photo_path);
    },

    /**
     * Read-only history of a conversation whose partner's account was erased ("former member"):
     * my own side's row must exist with no partner left. Nothing can be sent there.
     */
    async formerHistory(me: string, conversationId: string, options: { before?: string | undefined; limit?: number | undefined } = {}) {
      const side = await db
        .selectFrom('chat_members')
        .select('conversation_id')
        .where('conversation_id', '=', conversationId)
        .where('member_id', '=', me)
        .where('other_id', 'is', null)
        .executeTakeFirst();
      if (!side) throw notFound();
      const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
      let query = db.selectFrom('chat_messages').selectAll().where('conversation_id', '=', conversationId).where(visibleTo(me));
      if (options.before) {
        const c = decodeCursor(options.before);
        query = query.where(sql<boolean>`(created_at, id) < (${c.createdAt}, ${c.id}::uuid)`);
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        messages: page.map((r) => view(r, me, null)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      };
    },

    /** The stored photo of a message the member may see, as a path under DATA_DIR. */
    async photoFile(me: string, other: string, messageId: string): Promise<string> {
      await assertMayChat(db, me, other);
      const row = await db
        .selectFrom('chat_messages')
        .select(['photo_path', 'deleted_for_both'])
        .where('id', '=', messageId)
        .where('conversation_id', '=', conversationIdFor(me, other))
        .where(visibleTo(me))
        .executeTakeFirst();
      if (!row || row.deleted_for_both || !row.photo_path) throw notFound();
      const file = path.join(dataDir, row.photo_path);
      if (!fs.existsSync(file)) throw notFound();
      return file;
    },

    /**
     * My conversations, most recent first, with the last message I can see and my unread count;
     * then connections I have not chatted with yet (to start one). Blocked or disconnected
     * partners drop out (their chat has ended).
     */
    async conversations(me: string): Promise<ConversationSummary[]> {
      // Minors and adults are kept apart (P5.2) even where they were connected before one turned 18
      // or the other's birthday moved them apart: a partner in the other age group is left out.
      const myGroup = ageGroup((await db.selectFrom('members').select('adult_from').where('id', '=', me).executeTakeFirst())?.adult_from ?? null);
      const sameGroup = (adultFrom: string | null) => ageGroup(adultFrom) === myGroup;
      const allRows = await db
        .selectFrom('chat_members as cm')
        .leftJoin('connections as c', (j) => j.onRef('c.other_id', '=', 'cm.other_id').on('c.member_id', '=', me))
        .leftJoin('members as m', 'm.id', 'cm.other_id')
        .leftJoinLateral(
          (eb) =>
            eb
              .selectFrom('chat_messages')
              .select(['chat_messages.id', 'chat_messages.sender_id', 'chat_messages.body', 'chat_messages.photo_path', 'chat_messages.created_at', 'chat_messages.deleted_for_both'])
              .whereRef('chat_messages.conversation_id', '=', 'cm.conversation_id')
              .where(visibleTo(me))
              .orderBy('chat_messages.created_at', 'desc')
              .orderBy('chat_messages.id', 'desc')
              .limit(1)
              .as('last'),
          (j) => j.onTrue(),
        )
        .select((eb) => [
          'cm.conversation_id',
          'cm.other_id',
          'm.username',
          'm.nickname',
          'm.adult_from',
          'last.id as last_id',
          'last.sender_id as last_sender',
          'last.body as last_body',
          'last.photo_path as last_photo',
          'last.created_at as last_at',
          'last.deleted_for_both as last_deleted',
          eb
            .selectFrom('chat_messages as u')
            .select((u) => u.fn.countAll<string>().as('n'))
            .whereRef('u.conversation_id', '=', 'cm.conversation_id')
            .where('u.read_at', 'is', null)
            .where(sql<boolean>`u.sender_id IS DISTINCT FROM ${me}`)
            .where('u.deleted_for_recipient', '=', false)
            .as('unread'),
        ])
        .where('cm.member_id', '=', me)
        // Still connected (so neither blocked the other) and active, or the partner's account is erased: read-only history.
        .where((eb) => eb.or([eb('cm.other_id', 'is', null), eb.and([eb('c.member_id', 'is not', null), eb('m.status', '=', 'active')])]))
        .orderBy(sql`COALESCE(last.created_at, cm.created_at)`, 'desc')
        .limit(200)
        .execute();
      const rows = allRows.filter((r) => r.other_id === null || sameGroup(r.adult_from));

      const summaries: ConversationSummary[] = rows.map((r) => {
        const body = r.last_deleted ? null : decryptBody(r.last_body ?? null);
        return {
          conversationId: r.conversation_id,
          member: r.other_id && r.username && r.nickname ? { id: r.other_id, username: r.username, nickname: keyring.decrypt(r.nickname, 'members.nickname') } : null,
          last:
            r.last_id && r.last_at
              ? {
                  id: r.last_id,
                  from: r.last_sender === me ? 'me' : 'them',
                  preview: body === null ? null : body.length > 80 ? `${body.slice(0, 79)}…` : body,
                  photo: !r.last_deleted && !!r.last_photo,
                  deleted: !!r.last_deleted || (r.last_sender === null && body === null && !r.last_photo),
                  createdAt: new Date(r.last_at).toISOString(),
                }
              : null,
          unread: Number(r.unread ?? 0),
        };
      });

      const chatted = new Set(allRows.map((r) => r.other_id));
      const fresh = await db
        .selectFrom('connections as c')
        .innerJoin('members as m', 'm.id', 'c.other_id')
        .select(['m.id', 'm.username', 'm.nickname', 'm.adult_from'])
        .where('c.member_id', '=', me)
        .where('m.status', '=', 'active')
        .orderBy('c.created_at', 'desc')
        .limit(200)
        .execute();
      for (const m of fresh) {
        if (chatted.has(m.id) || !sameGroup(m.adult_from)) continue;
        summaries.push({ conversationId: null, member: { id: m.id, username: m.username, nickname: keyring.decrypt(m.nickname, 'members.nickname') }, last: null, unread: 0 });
      }
      return summaries;
    },

    /**
     * What the Chats tab shows: how many conversations hold unread messages and how many messages
     * wait unread, counted over exactly the conversations `conversations()` lists (still connected —
     * so neither blocked the other — active and in the same age group today, or the partner's
     * account erased), in one query on the `chat_messages_unread` partial index.
     */
    async unread(me: string): Promise<{ conversations: number; messages: number }> {
      const today = jakartaToday(clock());
      const adult = (column: 'm.adult_from' | 'me.adult_from') => sql<boolean>`(${sql.ref(column)} IS NOT NULL AND ${sql.ref(column)} <= ${today})`;
      const row = await db
        .selectFrom('chat_members as cm')
        .innerJoin('members as me', 'me.id', 'cm.member_id')
        .innerJoin('chat_messages as u', 'u.conversation_id', 'cm.conversation_id')
        .leftJoin('connections as c', (j) => j.onRef('c.other_id', '=', 'cm.other_id').on('c.member_id', '=', me))
        .leftJoin('members as m', 'm.id', 'cm.other_id')
        .select((eb) => [eb.fn.count<string>('u.conversation_id').distinct().as('conversations'), eb.fn.countAll<string>().as('messages')])
        .where('cm.member_id', '=', me)
        .where('u.read_at', 'is', null)
        .where(sql<boolean>`u.sender_id IS DISTINCT FROM ${me}`)
        .where('u.deleted_for_recipient', '=', false)
        .where((eb) =>
          eb.or([
            eb('cm.other_id', 'is', null),
            eb.and([eb('c.member_id', 'is not', null), eb('m.status', '=', 'active'), sql<boolean>`${adult('m.adult_from')} = ${adult('me.adult_from')}`]),
          ]),
        )
        .executeTakeFirst();
      return { conversations: Number(row?.conversations ?? 0), messages: Number(row?.messages ?? 0) };
    },

    /**
     * For the realtime hub: the full message behind a `chat.message` event, as `memberId` sees it,
     * or null when they may no longer see it (the connection ended, a block, deleted for them).
     * One query: a connection row exists only while neither has blocked the other.
     */
    async liveMessage(memberId: string, messageId: string): Promise<MessageView | null> {
      const row = await db
        .selectFrom('chat_messages')
        .innerJoin('chat_members as cm', (j) => j.onRef('cm.conversation_id', '=', 'chat_messages.conversation_id').on('cm.member_id', '=', memberId))
        .innerJoin('connections as c', (j) => j.onRef('c.other_id', '=', 'cm.other_id').on('c.member_id', '=', memberId))
        .selectAll('chat_messages')
        .select('cm.other_id')
        .where('chat_messages.id', '=', messageId)
        .where(visibleTo(memberId))
        .executeTakeFirst();
      if (!row) return null;
      const { other_id, ...message } = row;
      return view(message, memberId, other_id);
    },
  };
}
export type ChatService = ReturnType<typeof makeChatService>;
