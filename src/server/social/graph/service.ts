import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Language } from '../../../common/i18n/index.js';
import { jakartaToday } from '../../../common/age.js';
import { normalizeUsername } from '../../../common/identity/username.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { notify } from '../posts/notifications.js';
import { publishMemberEvent } from '../realtime/events.js';
import { ageGroup, areConnected, block as blockRelation, canInteract, disconnect, isAdultToday, connect, unblock as unblockRelation } from './relations.js';
import type { KenalanRequestStatus, ReportCategory } from './tables.js';

type Executor = Kysely<Database> | Transaction<Database>;

const DAY_MS = 24 * 3600 * 1000;

export interface GraphLimits {
  /** Kenalan requests one member may send in any rolling 24 hours. */
  requestsPerDay: number;
  /** A declined sender may not ask the same member again for this many days. */
  cooldownDays: number;
  /** An unanswered request lapses after this many days. */
  expiresDays: number;
  /** Reports one member may file in any rolling 24 hours. */
  reportsPerDay: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = { requestsPerDay: 20, cooldownDays: 30, expiresDays: 30, reportsPerDay: 10 };
export const INTRO_MAX = 300;
export const REPORT_MESSAGE_MAX = 1000;
export const EVIDENCE_MAX = 20;
export const PAGE_SIZE = 30;

/** What one member may show of another in these lists (profiles decides per field; see `MemberCardSource`). */
export interface MemberCard {
  memberId: string;
  username: string;
  nickname: string | null;
  photoUrl: string | null;
}

/**
 * Nickname and first photo of members as `viewerId` may see them. Profiles owns field visibility;
 * compose passes its implementation. The default shows the sign-up nickname and no photo.
 */
export type MemberCardSource = (db: Executor, viewerId: string, memberIds: string[]) => Promise<Map<string, { nickname: string | null; photoUrl: string | null }>>;

export interface RequestView {
  id: string;
  status: KenalanRequestStatus;
  intro: string | null;
  createdAt: string;
  expiresAt: string;
  member: MemberCard;
}

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  logger: Logger;
  limits?: Partial<GraphLimits>;
  cards?: MemberCardSource;
  clock?: () => Date;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UNIQUE_VIOLATION = '23505';

const notFound = (why: string) => new AppError('not_found', 404, why);

/** Cursor of a keyset page: `<ISO time>|<id>`. */
function parseCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  const [iso, id] = cursor.split('|');
  const at = new Date(iso ?? '');
  if (Number.isNaN(at.getTime()) || !id || !UUID.test(id)) throw new AppError('validation_failed', 400, 'bad cursor', { fields: [{ field: 'cursor', code: 'invalid' }] });
  return { at, id };
}
const cursorOf = (at: Date, id: string) => `${at.toISOString()}|${id}`;

function formatWhen(at: Date, language: Language): string {
  const text = new Intl.DateTimeFormat(language === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' }).format(at);
  return `${text} WIB`;
}

/**
 * Kenalan requests, connections, blocks and reports (issue 4 items 3 and 6). Every answer about
 * another member goes through `canInteract`: a member who does not exist, is not active, blocked
 * either way or in the other age group (P5.2) is the same 404.
 */
export function makeGraphService({ db, keyring, logger, limits: given, cards, clock = () => new Date() }: Deps) {
  const limits: GraphLimits = { ...DEFAULT_GRAPH_LIMITS, ...given };

  /**
   * Nickname (always shown, like on the profile) and the first photo whose visibility admits the
   * viewer (a connection sees 'everyone' and 'connections' photos; anyone else 'everyone' only),
   * served by the profiles route `/api/members/:username/photos/:id`, which checks again.
   */
  const defaultCards: MemberCardSource = async (ex, viewerId, ids) => {
    if (ids.length === 0) return new Map();
    const rows = await ex.selectFrom('members').select(['id', 'username', 'nickname']).where('id', 'in', ids).execute();
    const connected = new Set(
      (await ex.selectFrom('connections').select('other_id').where('member_id', '=', viewerId).where('other_id', 'in', ids).execute()).map((r) => r.other_id),
    );
    const photos = await ex
      .selectFrom('member_photos')
      .select(['id', 'member_id', 'visibility'])
      .where('member_id', 'in', ids)
      .orderBy('position')
      .orderBy('created_at')
      .execute();
    const first = new Map<string, string>();
    for (const p of photos) {
      if (first.has(p.member_id)) continue;
      const visible = p.visibility === 'everyone' || (p.visibility === 'connections' && connected.has(p.member_id));
      if (visible) first.set(p.member_id, p.id);
    }
    return new Map(
      rows.map((r) => {
        const photoId = first.get(r.id);
        return [r.id, { nickname: keyring.decrypt(r.nickname, 'members.nickname'), photoUrl: photoId ? `/api/members/${encodeURIComponent(r.username)}/photos/${photoId}` : null }];
      }),
    );
  };
  const cardSource = cards ?? defaultCards;

  async function cardsFor(ex: Executor, viewerId: string, rows: { id: string; username: string }[]): Promise<Map<string, MemberCard>> {
    const extra = await cardSource(ex, viewerId, rows.map((r) => r.id));
    return new Map(rows.map((r) => [r.id, { memberId: r.id, username: r.username, nickname: extra.get(r.id)?.nickname ?? null, photoUrl: extra.get(r.id)?.photoUrl ?? null }]));
  }

  /** A member id or a username (with or without '@'); undefined when nobody has it. */
  async function resolveMember(ex: Executor, target: string): Promise<{ id: string; username: string } | undefined> {
    const query = ex.selectFrom('members').select(['id', 'username']);
    if (UUID.test(target)) return query.where('id', '=', target.toLowerCase()).executeTakeFirst();
    return query.where('username_norm', '=', normalizeUsername(target)).executeTakeFirst();
  }

  const decryptIntro = (value: string | null) => (value === null ? null : keyring.decrypt(value, 'kenalan_requests.intro'));

  async function requestView(ex: Executor, viewerId: string, row: { id: string; from_id: string; to_id: string; status: KenalanRequestStatus; intro: string | null; created_at: Date; expires_at: Date }): Promise<RequestView> {
    const otherId = row.from_id === viewerId ? row.to_id : row.from_id;
    const other = await ex.selectFrom('members').select(['id', 'username']).where('id', '=', otherId).executeTakeFirstOrThrow();
    const card = (await cardsFor(ex, viewerId, [other])).get(other.id)!;
    return { id: row.id, status: row.status, intro: decryptIntro(row.intro), createdAt: row.created_at.toISOString(), expiresAt: row.expires_at.toISOString(), member: card };
  }

  /** Pending requests past their expiry become `expired` (lazily, whenever the pair is touched). */
  async function expirePair(trx: Transaction<Database>, a: string, b: string, now: Date): Promise<void> {
    await trx
      .updateTable('kenalan_requests')
      .set({ status: 'expired', decided_at: now })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .where((eb) => eb.or([eb.and([eb('from_id', '=', a), eb('to_id', '=', b)]), eb.and([eb('from_id', '=', b), eb('to_id', '=', a)])]))
      .execute();
  }

  async function acceptIn(trx: Transaction<Database>, memberId: string, request: { id: string; from_id: string }, now: Date): Promise<void> {
    await trx.updateTable('kenalan_requests').set({ status: 'accepted', decided_at: now }).where('id', '=', request.id).execute();
    await connect(trx, memberId, request.from_id, now);
    await appendAudit(trx, { type: 'member', id: memberId }, { action: 'requests.accepted', subjectType: 'member', subjectId: memberId, details: { requestId: request.id, otherId: request.from_id } }, { purpose: 'account', at: now });
    await publishMemberEvent(trx, request.from_id, { type: 'request.accepted', requestId: request.id, memberId });
    await notify(trx, { memberId: request.from_id, kind: 'request_accepted', actorId: memberId, objectId: request.id, now });
  }

  /** Blocks `blockedId` for `memberId` and ends what was between them, inside the caller's transaction. */
  async function blockIn(trx: Transaction<Database>, memberId: string, blockedId: string, via: 'block' | 'report', now: Date): Promise<void> {
    const wasConnected = await areConnected(trx, memberId, blockedId);
    await blockRelation(trx, memberId, blockedId, now);
    const cancelled = await trx
      .updateTable('kenalan_requests')
      .set({ status: 'cancelled', decided_at: now })
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb.and([eb('from_id', '=', memberId), eb('to_id', '=', blockedId)]), eb.and([eb('from_id', '=', blockedId), eb('to_id', '=', memberId)])]))
      .executeTakeFirst();
    await appendAudit(
      trx,
      { type: 'member', id: memberId },
      { action: 'blocks.added', subjectType: 'member', subjectId: memberId, details: { blockedId, connectionEnded: wasConnected, requestsCancelled: Number(cancelled.numUpdatedRows), via } },
      { purpose: 'security', at: now },
    );
  }

  /** The SQL condition "this joined `members` row is someone `memberId` may see": active and in the same age group. */
  async function sameGroupFilter(ex: Executor, memberId: string, today: string) {
    const me = await ex.selectFrom('members').select('adult_from').where('id', '=', memberId).executeTakeFirst();
    return ageGroup(me?.adult_from ?? null, today) === 'adult';
  }

  async function listRequests(memberId: string, direction: 'incoming' | 'outgoing', cursor?: string, limit = PAGE_SIZE) {
    const now = clock();
    const today = jakartaToday(now);
    const after = parseCursor(cursor);
    const adult = await sameGroupFilter(db, memberId, today);
    const mine = direction === 'incoming' ? 'to_id' : 'from_id';
    const theirs = direction === 'incoming' ? 'from_id' : 'to_id';
    let query = db
      .selectFrom('kenalan_requests as r')
      .innerJoin('members', 'members.id', `r.${theirs}`)
      .select(['r.id', 'r.from_id', 'r.to_id', 'r.status', 'r.intro', 'r.created_at', 'r.expires_at', 'members.id as other_id', 'members.username'])
      .where(`r.${mine}`, '=', memberId)
      .where('r.status', '=', 'pending')
      .where('r.expires_at', '>', now)
      .where('members.status', '=', 'active')
      .where(isAdultToday(today), '=', adult)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('blocks')
              .select('blocks.blocker_id')
              .where((eb) =>
                eb.or([
                  eb.and([eb('blocks.blocker_id', '=', memberId), eb('blocks.blocked_id', '=', eb.ref('members.id'))]),
                  eb.and([eb('blocks.blocked_id', '=', memberId), eb('blocks.blocker_id', '=', eb.ref('members.id'))]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit + 1);
    if (after) query = query.where(sql<boolean>`(r.created_at, r.id) < (${after.at}, ${after.id})`);
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    const cards = await cardsFor(db, memberId, page.map((r) => ({ id: r.other_id, username: r.username })));
    return {
      requests: page.map((r) => ({ id: r.id, status: r.status, intro: decryptIntro(r.intro), createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString(), member: cards.get(r.other_id)! })),
      next: rows.length > limit ? cursorOf(page[page.length - 1]!.created_at, page[page.length - 1]!.id) : null,
    };
  }

  /** Loads one of the member's requests (as `role`) under a row lock; anything else is 404. */
  async function ownRequest(trx: Transaction<Database>, memberId: string, requestId: string, role: 'to_id' | 'from_id') {
    if (!UUID.test(requestId)) throw notFound('bad request id');
    const row = await trx.selectFrom('kenalan_requests').selectAll().where('id', '=', requestId).where(role, '=', memberId).forUpdate().executeTakeFirst();
    if (!row) throw notFound('no such request for this member');
    return row;
  }

  /** Decline (the recipient) or withdraw (the sender). Neither tells the other member. */
  async function decide(memberId: string, requestId: string, status: 'declined' | 'withdrawn'): Promise<{ id: string; status: KenalanRequestStatus }> {
    const now = clock();
    return db.transaction().execute(async (trx) => {
      const row = await ownRequest(trx, memberId, requestId, status === 'declined' ? 'to_id' : 'from_id');
      const otherId = status === 'declined' ? row.from_id : row.to_id;
      if (status === 'declined' && (await canInteract(trx, memberId, otherId, jakartaToday(now))) !== 'ok') throw notFound('sender not visible');
      if (row.status !== 'pending' || row.expires_at <= now) throw new AppError('request_not_pending', 409, 'request already decided', { messageKey: 'connections.errors.notPending' });
      await trx.updateTable('kenalan_requests').set({ status, decided_at: now }).where('id', '=', row.id).execute();
      await appendAudit(
        trx,
        { type: 'member', id: memberId },
        { action: status === 'declined' ? 'requests.declined' : 'requests.withdrawn', subjectType: 'member', subjectId: memberId, details: { requestId: row.id, otherId } },
        { purpose: 'account', at: now },
      );
      return { id: row.id, status };
    });
  }

  return {
    limits,

    async send(memberId: string, input: { to: string; intro?: string | undefined }, context: { language: Language; idempotencyKey?: string | undefined }): Promise<{ request: RequestView; replayed: boolean }> {
      const intro = input.intro?.trim() ? input.intro.trim() : null;
      if (intro !== null && [...intro].length > INTRO_MAX) {
        throw new AppError('validation_failed', 400, 'intro too long', { fields: [{ field: 'intro', code: 'tooLong', params: { max: INTRO_MAX } }] });
      }
      const key = context.idempotencyKey ?? null;
      const replay = async (ex: Executor) => {
        if (!key) return undefined;
        const row = await ex.selectFrom('kenalan_requests').selectAll().where('from_id', '=', memberId).where('idempotency_key', '=', key).executeTakeFirst();
        if (!row) return undefined;
        const target = await resolveMember(ex, input.to);
        if (target?.id !== row.to_id || decryptIntro(row.intro) !== intro) throw new AppError('idempotency_conflict', 409, 'idempotency key reused for another request');
        return { request: await requestView(ex, memberId, row), replayed: true };
      };
      const replayed = await replay(db);
      if (replayed) return replayed;

      const now = clock();
      try {
        return await db.transaction().execute(async (trx) => {
          // Serializes one member's sends, so the daily limit and the pair checks hold under concurrency.
          await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirst();
          const target = await resolveMember(trx, input.to);
          if (!target || (await canInteract(trx, memberId, target.id, jakartaToday(now))) !== 'ok') throw notFound('request target not visible');
          if (await areConnected(trx, memberId, target.id)) throw new AppError('already_connected', 409, 'already connected', { messageKey: 'connections.errors.alreadyConnected' });
          await expirePair(trx, memberId, target.id, now);
          const pending = await trx
            .selectFrom('kenalan_requests')
            .selectAll()
            .where('status', '=', 'pending')
            .where((eb) => eb.or([eb.and([eb('from_id', '=', memberId), eb('to_id', '=', target.id)]), eb.and([eb('from_id', '=', target.id), eb('to_id', '=', memberId)])]))
            .forUpdate()
            .executeTakeFirst();
          if (pending && pending.from_id === memberId) throw new AppError('request_exists', 409, 'a request is already pending', { messageKey: 'connections.errors.requestExists' });
          if (pending) {
            // They already asked me: asking back is saying yes.
            await acceptIn(trx, memberId, pending, now);
            return { request: await requestView(trx, memberId, { ...pending, status: 'accepted' }), replayed: false };
          }
          const declined = await trx
            .selectFrom('kenalan_requests')
            .select('decided_at')
            .where('from_id', '=', memberId)
            .where('to_id', '=', target.id)
            .where('status', '=', 'declined')
            .where('decided_at', '>', new Date(now.getTime() - limits.cooldownDays * DAY_MS))
            .orderBy('decided_at', 'desc')
            .executeTakeFirst();
          if (declined) {
            const until = new Date(declined.decided_at!.getTime() + limits.cooldownDays * DAY_MS);
            throw new AppError('request_cooldown', 409, 'declined recently', { messageKey: 'connections.errors.cooldown', params: { when: formatWhen(until, context.language) } });
          }
          const windowStart = new Date(now.getTime() - DAY_MS);
          const sent = await trx
            .selectFrom('kenalan_requests')
            .select(['created_at'])
            .where('from_id', '=', memberId)
            .where('created_at', '>', windowStart)
            .orderBy('created_at', 'asc')
            .execute();
          if (sent.length >= limits.requestsPerDay) {
            const resets = new Date(sent[sent.length - limits.requestsPerDay]!.created_at.getTime() + DAY_MS);
            const seconds = Math.max(1, Math.ceil((resets.getTime() - now.getTime()) / 1000));
            throw new AppError('rate_limited', 429, 'daily request limit', {
              messageKey: 'connections.errors.dailyLimit',
              params: { limit: limits.requestsPerDay, when: formatWhen(resets, context.language), seconds },
            });
          }
          const id = crypto.randomUUID();
          const row = {
            id,
            from_id: memberId,
            to_id: target.id,
            intro: intro === null ? null : keyring.encrypt(intro, 'kenalan_requests.intro'),
            status: 'pending' as const,
            idempotency_key: key,
            created_at: now,
            expires_at: new Date(now.getTime() + limits.expiresDays * DAY_MS),
            decided_at: null,
          };
          await trx.insertInto('kenalan_requests').values(row).execute();
          await appendAudit(trx, { type: 'member', id: memberId }, { action: 'requests.sent', subjectType: 'member', subjectId: memberId, details: { requestId: id, toId: target.id } }, { purpose: 'account', at: now });
          await publishMemberEvent(trx, target.id, { type: 'request.received', requestId: id });
          await notify(trx, { memberId: target.id, kind: 'request_received', actorId: memberId, objectId: id, now });
          return { request: await requestView(trx, memberId, row), replayed: false };
        });
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
          const again = await replay(db);
          if (again) return again;
          throw new AppError('request_exists', 409, 'a request is already pending', { messageKey: 'connections.errors.requestExists' });
        }
        throw err;
      }
    },

    async accept(memberId: string, requestId: string): Promise<{ id: string; status: KenalanRequestStatus }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const row = await ownRequest(trx, memberId, requestId, 'to_id');
        if ((await canInteract(trx, memberId, row.from_id, jakartaToday(now))) !== 'ok') throw notFound('sender not visible');
        if (row.status !== 'pending' || row.expires_at <= now) throw new AppError('request_not_pending', 409, 'request already decided', { messageKey: 'connections.errors.notPending' });
        await acceptIn(trx, memberId, row, now);
        return { id: row.id, status: 'accepted' as const };
      });
    },

    async decline(memberId: string, requestId: string): Promise<{ id: string; status: KenalanRequestStatus }> {
      return decide(memberId, requestId, 'declined');
    },

    async withdraw(memberId: string, requestId: string): Promise<{ id: string; status: KenalanRequestStatus }> {
      return decide(memberId, requestId, 'withdrawn');
    },

    incoming: (memberId: string, cursor?: string) => listRequests(memberId, 'incoming', cursor),
    outgoing: (memberId: string, cursor?: string) => listRequests(memberId, 'outgoing', cursor),

    async connections(memberId: string, cursor?: string, limit = PAGE_SIZE) {
      const today = jakartaToday(clock());
      const after = parseCursor(cursor);
      const adult = await sameGroupFilter(db, memberId, today);
      let query = db
        .selectFrom('connections as c')
        .innerJoin('members', 'members.id', 'c.other_id')
        .select(['members.id', 'members.username', 'c.created_at'])
        .where('c.member_id', '=', memberId)
        .where('members.status', '=', 'active')
        .where(isAdultToday(today), '=', adult)
        .orderBy('c.created_at', 'desc')
        .orderBy('members.id', 'desc')
        .limit(limit + 1);
      if (after) query = query.where(sql<boolean>`(c.created_at, c.other_id) < (${after.at}, ${after.id})`);
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      const cards = await cardsFor(db, memberId, page);
      return {
        connections: page.map((r) => ({ ...cards.get(r.id)!, since: r.created_at.toISOString() })),
        next: rows.length > limit ? cursorOf(page[page.length - 1]!.created_at, page[page.length - 1]!.id) : null,
      };
    },

    async removeConnection(memberId: string, otherId: string): Promise<void> {
      if (!UUID.test(otherId)) throw notFound('bad member id');
      const now = clock();
      await db.transaction().execute(async (trx) => {
        if (!(await areConnected(trx, memberId, otherId))) throw notFound('not connected');
        await disconnect(trx, memberId, otherId);
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'connections.removed', subjectType: 'member', subjectId: memberId, details: { otherId } }, { purpose: 'account', at: now });
      });
    },

    /** Blocks by id or username. Any existing member but oneself can be blocked (a block is always safe to honour). */
    async block(memberId: string, target: string): Promise<{ memberId: string }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const other = await resolveMember(trx, target);
        if (!other || other.id === memberId) throw notFound('no such member to block');
        await blockIn(trx, memberId, other.id, 'block', now);
        return { memberId: other.id };
      });
    },

    async unblock(memberId: string, otherId: string): Promise<void> {
      if (!UUID.test(otherId)) throw notFound('bad member id');
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('blocks').select('blocked_id').where('blocker_id', '=', memberId).where('blocked_id', '=', otherId).executeTakeFirst();
        if (!row) throw notFound('no such block');
        await unblockRelation(trx, memberId, otherId);
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'blocks.removed', subjectType: 'member', subjectId: memberId, details: { blockedId: otherId } }, { purpose: 'security', at: now });
      });
    },

    /** The members I blocked: username and sign-up nickname only (no photo), so I can tell whom to unblock. */
    async blocks(memberId: string) {
      const rows = await db
        .selectFrom('blocks')
        .innerJoin('members', 'members.id', 'blocks.blocked_id')
        .select(['members.id', 'members.username', 'members.nickname', 'blocks.created_at'])
        .where('blocks.blocker_id', '=', memberId)
        .orderBy('blocks.created_at', 'desc')
        .limit(500)
        .execute();
      return rows.map((r) => ({ memberId: r.id, username: r.username, nickname: keyring.decrypt(r.nickname, 'members.nickname'), since: r.created_at.toISOString() }));
    },

    /**
     * Files a report into the moderation queue. Any existing member but oneself can be reported —
     * also one who blocked the reporter or is in the other age group (a minor must be able to report
     * an adult who reached them). Evidence ids must be messages of a conversation the reporter is in.
     */
    async report(
      memberId: string,
      input: { member: string; category: ReportCategory; message?: string | undefined; evidenceMessageIds?: string[] | undefined; block?: boolean | undefined },
      context: { language: Language },
    ): Promise<{ id: string; blocked: boolean }> {
      const message = input.message?.trim() ? input.message.trim() : null;
      if (message !== null && [...message].length > REPORT_MESSAGE_MAX) {
        throw new AppError('validation_failed', 400, 'report message too long', { fields: [{ field: 'message', code: 'tooLong', params: { max: REPORT_MESSAGE_MAX } }] });
      }
      const evidence = [...new Set((input.evidenceMessageIds ?? []).map((id) => id.toLowerCase()))];
      const now = clock();
      return db.transaction().execute(async (trx) => {
        await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirst();
        const other = await resolveMember(trx, input.member);
        if (!other || other.id === memberId) throw notFound('no such member to report');
        const recent = await trx
          .selectFrom('moderation_cases')
          .select('created_at')
          .where('reporter_id', '=', memberId)
          .where('created_at', '>', new Date(now.getTime() - DAY_MS))
          .orderBy('created_at', 'asc')
          .execute();
        if (recent.length >= limits.reportsPerDay) {
          const resets = new Date(recent[recent.length - limits.reportsPerDay]!.created_at.getTime() + DAY_MS);
          const seconds = Math.max(1, Math.ceil((resets.getTime() - now.getTime()) / 1000));
          throw new AppError('rate_limited', 429, 'daily report limit', { messageKey: 'connections.errors.reportLimit', params: { limit: limits.reportsPerDay, when: formatWhen(resets, context.language), seconds } });
        }
        if (evidence.length > 0 && !(await evidenceBelongs(trx, memberId, other.id, evidence))) {
          throw new AppError('validation_failed', 400, 'evidence not in the reporter’s conversations', { fields: [{ field: 'evidenceMessageIds', code: 'invalid', messageKey: 'connections.report.evidenceInvalid' }] });
        }
        const id = crypto.randomUUID();
        await trx
          .insertInto('moderation_cases')
          .values({
            id,
            reporter_id: memberId,
            reported_id: other.id,
            category: input.category,
            message: message === null ? null : keyring.encrypt(message, 'moderation_cases.message'),
            evidence_message_ids: JSON.stringify(evidence),
            reporter_blocked: input.block === true,
            status: 'open',
            created_at: now,
          })
          .execute();
        if (input.block === true) await blockIn(trx, memberId, other.id, 'report', now);
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          { action: 'reports.filed', subjectType: 'member', subjectId: memberId, details: { caseId: id, reportedId: other.id, category: input.category, evidence: evidence.length, blocked: input.block === true } },
          { purpose: 'security', at: now },
        );
        logger.info({ caseId: id, category: input.category }, 'moderation case opened');
        return { id, blocked: input.block === true };
      });
    },
  };
}
export type GraphService = ReturnType<typeof makeGraphService>;

/**
 * Whether every id is a chat message of the conversation between the reporter and the reported
 * member (either may have sent it; a message "deleted for me" still counts: it is evidence).
 */
async function evidenceBelongs(trx: Transaction<Database>, reporterId: string, reportedId: string, ids: string[]): Promise<boolean> {
  const rows = await trx
    .selectFrom('chat_messages as m')
    .innerJoin('chat_members as cm', 'cm.conversation_id', 'm.conversation_id')
    .select('m.id')
    .where('m.id', 'in', ids)
    .where('cm.member_id', '=', reporterId)
    .where('cm.other_id', '=', reportedId)
    .execute();
  return new Set(rows.map((r) => r.id)).size === ids.length;
}
