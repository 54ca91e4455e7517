import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { jakartaToday } from '../../../common/age.js';
import type { Language } from '../../../common/i18n/index.js';
import type { GeoLocator } from '../../identity/login-security/geo.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { DEFAULT_PHOTO_LIMITS, processProfilePhoto, type ProcessedImage } from '../../platform/media/image.js';
import { ageGroup, areConnected, canInteract, isAdultToday } from '../graph/relations.js';
import { notify } from './notifications.js';
import type { PostAudience } from './tables.js';

export const MAX_POST_TEXT = 2000;
export const MAX_COMMENT_TEXT = 500;
export const MAX_POST_PHOTOS = 4;
export const MAX_POST_PHOTO_BYTES = DEFAULT_PHOTO_LIMITS.maxBytes;
/** Post photos may be smaller than profile photos (screenshots, crops), not tiny. */
export const POST_PHOTO_MIN_SIDE = 100;
export const PAGE_SIZE = 20;
/** The country whose members' data stays home (P6.1); activity from elsewhere is recorded as cross-border. */
export const HOME_COUNTRY = 'ID';

export const AUDIENCES: readonly PostAudience[] = ['public', 'connections', 'only_me'];

export interface NewPost {
  text: string;
  audience: PostAudience;
  photos: Buffer[];
  acknowledgedPhotoReminder: boolean;
}

export interface PostContext {
  sessionId: string;
  ip: string;
  language: Language;
  idempotencyKey?: string | undefined;
}

export interface AuthorView {
  id: string;
  username: string;
  nickname: string;
}

export interface PostView {
  id: string;
  author: AuthorView;
  audience: PostAudience;
  text: string;
  photos: { id: string; url: string; width: number; height: number }[];
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  mine: boolean;
  createdAt: string;
  /** Only on the member's own updates: the country they posted from outside Indonesia (P6.1). */
  postedFromCountry?: string | null;
}

export interface CommentView {
  id: string;
  author: AuthorView | null;
  text: string;
  createdAt: string;
  canDelete: boolean;
}

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  geo: GeoLocator;
  dataDir: string;
  logger: Logger;
  clock?: () => Date;
}

type Executor = Kysely<Database> | Transaction<Database>;

const notFound = () => new AppError('not_found', 404, 'no such update for this member');

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('validation_failed', 400, 'bad cursor', { fields: [{ field: 'cursor', code: 'invalid' }] });
  }
  return { at: date, id };
}

/**
 * Updates (P4.4): text and up to four photos with an audience the member chooses — public,
 * connections or only me — enforced on every read (a post the viewer may not see is a 404, the
 * same as one that does not exist); blocked either way and minors↔adults never see each other's
 * updates (P5.2). Public photos need the member's acknowledgement of the reminder about personal
 * information in them (P4.6); every photo is re-encoded without metadata. Posting from outside
 * Indonesia is recorded as the member's own cross-border activity (P6.1).
 */
export function makePostsService({ db, keyring, geo, dataDir, logger, clock = () => new Date() }: Deps) {
  const postsDir = (memberId: string) => path.join(dataDir, 'media', 'members', memberId, 'posts');

  /** The viewer's side of every visibility rule, as one SQL condition on `posts` joined with `members`. */
  function visibleTo(viewerId: string, viewerAdult: boolean, today: string): Expression<SqlBool> {
    return sql<SqlBool>`(posts.member_id = ${viewerId} OR (
      members.status = 'active'
      AND ${isAdultToday(today)} = ${viewerAdult}
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${viewerId} AND b.blocked_id = posts.member_id) OR (b.blocker_id = posts.member_id AND b.blocked_id = ${viewerId}))
      AND (posts.audience = 'public'
        OR (posts.audience = 'connections' AND EXISTS (SELECT 1 FROM connections c WHERE c.member_id = ${viewerId} AND c.other_id = posts.member_id)))
    ))`;
  }

  async function viewerIsAdult(executor: Executor, viewerId: string, today: string): Promise<boolean> {
    const me = await executor.selectFrom('members').select('adult_from').where('id', '=', viewerId).executeTakeFirst();
    return ageGroup(me?.adult_from ?? null, today) === 'adult';
  }

  const postColumns = [
    'posts.id',
    'posts.member_id',
    'posts.audience',
    'posts.body',
    'posts.posted_from_country',
    'posts.created_at',
    'members.username',
    'members.nickname',
  ] as const;
  type PostRow = {
    id: string;
    member_id: string;
    audience: PostAudience;
    body: string;
    posted_from_country: string | null;
    created_at: Date;
    username: string;
    nickname: string;
  };

  async function present(executor: Executor, viewerId: string, rows: PostRow[]): Promise<PostView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const photos = await executor
      .selectFrom('post_photos')
      .select(['id', 'post_id', 'width', 'height'])
      .where('post_id', 'in', ids)
      .orderBy('post_id')
      .orderBy('position')
      .execute();
    // Counted when read (the primary-key and post indexes make it cheap), so likes and comments that
    // disappear with an erased member never leave a stale counter behind.
    const counts = new Map<string, { likes: number; comments: number }>();
    for (const r of await executor
      .selectFrom('posts')
      .select((eb) => [
        'posts.id',
        eb.selectFrom('post_likes').select((e) => e.fn.countAll<string>().as('n')).whereRef('post_likes.post_id', '=', 'posts.id').as('likes'),
        eb.selectFrom('post_comments').select((e) => e.fn.countAll<string>().as('n')).whereRef('post_comments.post_id', '=', 'posts.id').as('comments'),
      ])
      .where('posts.id', 'in', ids)
      .execute()) {
      counts.set(r.id, { likes: Number(r.likes ?? 0), comments: Number(r.comments ?? 0) });
    }
    const liked = new Set(
      (await executor.selectFrom('post_likes').select('post_id').where('member_id', '=', viewerId).where('post_id', 'in', ids).execute()).map((r) => r.post_id),
    );
    const nicknames = new Map<string, string>();
    return rows.map((r) => {
      let nickname = nicknames.get(r.member_id);
      if (nickname === undefined) {
        nickname = keyring.decrypt(r.nickname, 'members.nickname');
        nicknames.set(r.member_id, nickname);
      }
      const mine = r.member_id === viewerId;
      return {
        id: r.id,
        author: { id: r.member_id, username: r.username, nickname },
        audience: r.audience,
        text: keyring.decrypt(r.body, 'posts.body'),
        photos: photos.filter((p) => p.post_id === r.id).map((p) => ({ id: p.id, url: `/api/posts/${r.id}/photos/${p.id}`, width: p.width, height: p.height })),
        likeCount: counts.get(r.id)?.likes ?? 0,
        commentCount: counts.get(r.id)?.comments ?? 0,
        likedByMe: liked.has(r.id),
        mine,
        createdAt: r.created_at.toISOString(),
        ...(mine ? { postedFromCountry: r.posted_from_country } : {}),
      };
    });
  }

  /** The post if `viewerId` may see it; otherwise (or if it does not exist) a 404. */
  async function visiblePost(executor: Executor, viewerId: string, postId: string, today = jakartaToday(clock())): Promise<PostRow> {
    const row = await executor.selectFrom('posts').innerJoin('members', 'members.id', 'posts.member_id').select(postColumns).where('posts.id', '=', postId).executeTakeFirst();
    if (!row) throw notFound();
    if (row.member_id === viewerId) return row;
    if (row.audience === 'only_me') throw notFound();
    if ((await canInteract(executor, viewerId, row.member_id, today)) !== 'ok') throw notFound();
    if (row.audience === 'connections' && !(await areConnected(executor, viewerId, row.member_id))) throw notFound();
    return row;
  }

  /** Where the member is posting from: the request's IP country, else the session's recorded place (country only). */
  async function countryOf(context: PostContext): Promise<string | null> {
    const place = await geo.locate(context.ip);
    if (place?.country) return place.country.toUpperCase();
    const session = await db.selectFrom('sessions').select('place').where('id', '=', context.sessionId).executeTakeFirst();
    if (!session?.place) return null;
    try {
      const recorded = JSON.parse(keyring.decrypt(session.place, 'sessions.place')) as { country?: string };
      return recorded.country ? recorded.country.toUpperCase() : null;
    } catch {
      return null;
    }
  }

  async function byIdempotencyKey(memberId: string, key: string): Promise<PostView | undefined> {
    const row = await db
      .selectFrom('posts')
      .innerJoin('members', 'members.id', 'posts.member_id')
      .select(postColumns)
      .where('posts.member_id', '=', memberId)
      .where('posts.idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? (await present(db, memberId, [row]))[0] : undefined;
  }

  function validate(input: NewPost): void {
    const text = input.text.trim();
    const fields: { field: string; code: string; messageKey: string; params?: Record<string, number> }[] = [];
    if (!AUDIENCES.includes(input.audience)) fields.push({ field: 'audience', code: 'choice', messageKey: 'posts.errors.audience' });
    if (text.length > MAX_POST_TEXT) fields.push({ field: 'text', code: 'tooLong', messageKey: 'posts.errors.textTooLong', params: { max: MAX_POST_TEXT } });
    if (text.length === 0 && input.photos.length === 0) fields.push({ field: 'text', code: 'required', messageKey: 'posts.errors.empty' });
    if (input.photos.length > MAX_POST_PHOTOS) fields.push({ field: 'photos', code: 'tooMany', messageKey: 'posts.errors.tooManyPhotos', params: { max: MAX_POST_PHOTOS } });
    if (fields.length > 0) throw new AppError('validation_failed', 400, 'invalid update', { fields });
    if (input.audience === 'public' && input.photos.length > 0 && !input.acknowledgedPhotoReminder) {
      throw new AppError('validation_failed', 400, 'public photos need the reminder acknowledged (P4.6)', {
        messageKey: 'posts.errors.photoReminder',
        fields: [{ field: 'acknowledgedPhotoReminder', code: 'required', messageKey: 'posts.errors.photoReminder' }],
      });
    }
  }

  return {
    /** Validates, re-encodes the photos, writes them, then the update in one transaction (files removed on failure). */
    async create(memberId: string, input: NewPost, context: PostContext): Promise<{ post: PostView; created: boolean }> {
      if (context.idempotencyKey) {
        const replayed = await byIdempotencyKey(memberId, context.idempotencyKey);
        if (replayed) return { post: replayed, created: false };
      }
      validate(input);
      const images: ProcessedImage[] = [];
      for (const [index, bytes] of input.photos.entries()) {
        const result = await processProfilePhoto(bytes, { minSide: POST_PHOTO_MIN_SIDE });
        if (!result.ok) {
          const l = DEFAULT_PHOTO_LIMITS;
          throw new AppError('validation_failed', 400, `photo ${index} refused: ${result.error}`, {
            fields: [
              {
                field: `photos[${index}]`,
                code: result.error,
                messageKey: `media.${result.error}`,
                params: { maxMegabytes: Math.floor(l.maxBytes / (1024 * 1024)), maxSide: l.maxSide, maxMegapixels: Math.floor(l.maxPixels / 1_000_000), minSide: POST_PHOTO_MIN_SIDE },
              },
            ],
          });
        }
        images.push(result.image);
      }
      const country = await countryOf(context);
      const crossBorder = country !== null && country !== HOME_COUNTRY ? country : null;
      const now = clock();
      const id = crypto.randomUUID();
      const dir = postsDir(memberId);
      const photos = images.map((image, position) => ({ id: crypto.randomUUID(), position, image }));
      const files = photos.map((p) => path.join(dir, `${p.id}.jpg`));
      try {
        if (photos.length > 0) await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        for (const [i, p] of photos.entries()) await fs.writeFile(files[i]!, p.image.bytes, { mode: 0o600 });
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('posts')
            .values({
              id,
              member_id: memberId,
              audience: input.audience,
              body: keyring.encrypt(input.text.trim(), 'posts.body'),
              idempotency_key: context.idempotencyKey ?? null,
              posted_from_country: crossBorder,
              created_at: now,
            })
            .execute();
          if (photos.length > 0) {
            await trx
              .insertInto('post_photos')
              .values(
                photos.map((p) => ({
                  id: p.id,
                  post_id: id,
                  member_id: memberId,
                  position: p.position,
                  storage_path: `media/members/${memberId}/posts/${p.id}.jpg`,
                  mime: p.image.mime,
                  width: p.image.width,
                  height: p.image.height,
                  bytes: p.image.bytes.length,
                  created_at: now,
                })),
              )
              .execute();
          }
          if (crossBorder) {
            await trx
              .insertInto('cross_border_activity')
              .values({ id: crypto.randomUUID(), member_id: memberId, activity: 'post_created', object_id: id, country: crossBorder, created_at: now })
              .execute();
          }
          await appendAudit(
            trx,
            { type: 'member', id: memberId },
            { action: 'posts.created', subjectType: 'member', subjectId: memberId, details: { postId: id, audience: input.audience, photos: photos.length, crossBorder: crossBorder !== null } },
            { purpose: 'account', at: now },
          );
        });
      } catch (err) {
        await Promise.all(files.map((f) => fs.rm(f, { force: true })));
        if (context.idempotencyKey && /posts_idempotency/.test(String((err as { constraint?: string }).constraint ?? (err as Error).message))) {
          const replayed = await byIdempotencyKey(memberId, context.idempotencyKey);
          if (replayed) return { post: replayed, created: false };
        }
        throw err;
      }
      const post = (await present(db, memberId, [(await visiblePost(db, memberId, id))]))[0]!;
      return { post, created: true };
    },

    /** Deletes the member's own update with its photos, likes, comments and the notifications about it. */
    async remove(memberId: string, postId: string): Promise<void> {
      const now = clock();
      const photos = await db.transaction().execute(async (trx) => {
        const post = await trx.selectFrom('posts').select(['id']).where('id', '=', postId).where('member_id', '=', memberId).forUpdate().executeTakeFirst();
        if (!post) throw notFound();
        const rows = await trx.selectFrom('post_photos').select('storage_path').where('post_id', '=', postId).execute();
        await trx.deleteFrom('notifications').where('object_id', '=', postId).where('kind', 'in', ['post_liked', 'post_commented']).execute();
        await trx.deleteFrom('posts').where('id', '=', postId).execute();
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          { action: 'posts.deleted', subjectType: 'member', subjectId: memberId, details: { postId, photos: rows.length } },
          { purpose: 'account', at: now },
        );
        return rows;
      });
      for (const p of photos) {
        try {
          await fs.rm(path.join(dataDir, p.storage_path), { force: true });
        } catch (err) {
          logger.warn({ err, postId }, 'could not remove an update photo file');
        }
      }
    },

    async get(viewerId: string, postId: string): Promise<PostView> {
      const row = await visiblePost(db, viewerId, postId);
      return (await present(db, viewerId, [row]))[0]!;
    },

    /** Connections' updates the viewer may see, public updates of members they may interact with, and their own; newest first. */
    async feed(viewerId: string, cursor?: string, limit = PAGE_SIZE): Promise<{ posts: PostView[]; next: string | null }> {
      const after = decodeCursor(cursor);
      const today = jakartaToday(clock());
      const adult = await viewerIsAdult(db, viewerId, today);
      // Three index-ordered sources, each cut at the page size, then merged: my own updates, my
      // connections' (public or connections-only), and public updates. The same rule as `visibleTo`,
      // shaped so each branch walks an index backwards instead of testing every update.
      const n = limit + 1;
      const before = after ? sql`AND (p.created_at, p.id) < (${after.at}, ${after.id}::uuid)` : sql``;
      const others = sql`m.status = 'active'
        AND ((m.adult_from IS NOT NULL AND m.adult_from <= ${today}) = ${adult})
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${viewerId} AND b.blocked_id = p.member_id) OR (b.blocker_id = p.member_id AND b.blocked_id = ${viewerId}))`;
      const ids = await sql<{ id: string; created_at: Date }>`
        SELECT id, created_at FROM (
          (SELECT p.id, p.created_at FROM posts p WHERE p.member_id = ${viewerId} ${before} ORDER BY p.created_at DESC, p.id DESC LIMIT ${n})
          UNION
          (SELECT p.id, p.created_at FROM connections c JOIN posts p ON p.member_id = c.other_id JOIN members m ON m.id = p.member_id
            WHERE c.member_id = ${viewerId} AND p.audience IN ('public', 'connections') AND ${others} ${before}
            ORDER BY p.created_at DESC, p.id DESC LIMIT ${n})
          UNION
          (SELECT p.id, p.created_at FROM posts p JOIN members m ON m.id = p.member_id
            WHERE p.audience = 'public' AND p.member_id <> ${viewerId} AND ${others} ${before}
            ORDER BY p.created_at DESC, p.id DESC LIMIT ${n})
        ) f ORDER BY created_at DESC, id DESC LIMIT ${n}`.execute(db);
      const order = ids.rows.map((r) => r.id);
      const found = order.length
        ? await db.selectFrom('posts').innerJoin('members', 'members.id', 'posts.member_id').select(postColumns).where('posts.id', 'in', order).execute()
        : [];
      const rows = order.map((id) => found.find((r) => r.id === id)).filter((r): r is PostRow => r !== undefined);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { posts: await present(db, viewerId, page), next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
    },

    /** One member's updates as the viewer may see them; the member must be one the viewer may interact with (else 404). */
    async ofMember(viewerId: string, username: string, cursor?: string, limit = PAGE_SIZE): Promise<{ posts: PostView[]; next: string | null }> {
      const after = decodeCursor(cursor);
      const today = jakartaToday(clock());
      const target = await db.selectFrom('members').select('id').where('username_norm', '=', username.trim().toLowerCase()).executeTakeFirst();
      if (!target) throw new AppError('not_found', 404, 'no such member');
      if (target.id !== viewerId && (await canInteract(db, viewerId, target.id, today)) !== 'ok') throw new AppError('not_found', 404, 'no such member');
      const adult = await viewerIsAdult(db, viewerId, today);
      let query = db
        .selectFrom('posts')
        .innerJoin('members', 'members.id', 'posts.member_id')
        .select(postColumns)
        .where('posts.member_id', '=', target.id)
        .where(visibleTo(viewerId, adult, today));
      if (after) query = query.where((eb) => eb.or([eb('posts.created_at', '<', after.at), eb.and([eb('posts.created_at', '=', after.at), eb('posts.id', '<', after.id)])]));
      const rows = await query.orderBy('posts.created_at', 'desc').orderBy('posts.id', 'desc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { posts: await present(db, viewerId, page), next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
    },

    /** Likes or unlikes; the owner is notified of a like (once per liker and update). */
    async toggleLike(viewerId: string, postId: string): Promise<{ liked: boolean; likeCount: number }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const post = await visiblePost(trx, viewerId, postId);
        const removed = await trx.deleteFrom('post_likes').where('post_id', '=', postId).where('member_id', '=', viewerId).executeTakeFirst();
        let liked: boolean;
        if (Number(removed.numDeletedRows) > 0) {
          liked = false;
        } else {
          liked = true;
          await trx.insertInto('post_likes').values({ post_id: postId, member_id: viewerId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
          const already = await trx
            .selectFrom('notifications')
            .select('id')
            .where('member_id', '=', post.member_id)
            .where('kind', '=', 'post_liked')
            .where('actor_id', '=', viewerId)
            .where('object_id', '=', postId)
            .executeTakeFirst();
          if (!already) await notify(trx, { memberId: post.member_id, kind: 'post_liked', actorId: viewerId, objectId: postId, now });
        }
        const count = await trx.selectFrom('post_likes').select((eb) => eb.fn.countAll<string>().as('n')).where('post_id', '=', postId).executeTakeFirstOrThrow();
        return { liked, likeCount: Number(count.n) };
      });
    },

    /** Comments the viewer may see on an update they may see (oldest first), without those of members blocked either way. */
    async comments(viewerId: string, postId: string, cursor?: string, limit = 50): Promise<{ comments: CommentView[]; next: string | null }> {
      const post = await visiblePost(db, viewerId, postId);
      const after = decodeCursor(cursor);
      let query = db
        .selectFrom('post_comments')
        .innerJoin('members', 'members.id', 'post_comments.member_id')
        .select(['post_comments.id', 'post_comments.member_id', 'post_comments.body', 'post_comments.created_at', 'members.username', 'members.nickname'])
        .where('post_comments.post_id', '=', postId)
        .where(
          sql<SqlBool>`NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${viewerId} AND b.blocked_id = post_comments.member_id) OR (b.blocker_id = post_comments.member_id AND b.blocked_id = ${viewerId}))`,
        );
      if (after) query = query.where((eb) => eb.or([eb('post_comments.created_at', '>', after.at), eb.and([eb('post_comments.created_at', '=', after.at), eb('post_comments.id', '>', after.id)])]));
      const rows = await query.orderBy('post_comments.created_at', 'asc').orderBy('post_comments.id', 'asc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        comments: page.map((c) => ({
          id: c.id,
          author: { id: c.member_id, username: c.username, nickname: keyring.decrypt(c.nickname, 'members.nickname') },
          text: keyring.decrypt(c.body, 'post_comments.body'),
          createdAt: c.created_at.toISOString(),
          canDelete: c.member_id === viewerId || post.member_id === viewerId,
        })),
        next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      };
    },

    async addComment(viewerId: string, postId: string, text: string): Promise<CommentView> {
      const body = text.trim();
      if (body.length === 0) throw new AppError('validation_failed', 400, 'empty comment', { fields: [{ field: 'text', code: 'required', messageKey: 'posts.errors.commentEmpty' }] });
      if (body.length > MAX_COMMENT_TEXT) {
        throw new AppError('validation_failed', 400, 'comment too long', { fields: [{ field: 'text', code: 'tooLong', messageKey: 'posts.errors.commentTooLong', params: { max: MAX_COMMENT_TEXT } }] });
      }
      const now = clock();
      const id = crypto.randomUUID();
      const author = await db.transaction().execute(async (trx) => {
        const post = await visiblePost(trx, viewerId, postId);
        await trx.insertInto('post_comments').values({ id, post_id: postId, member_id: viewerId, body: keyring.encrypt(body, 'post_comments.body'), created_at: now }).execute();
        await notify(trx, { memberId: post.member_id, kind: 'post_commented', actorId: viewerId, objectId: postId, now });
        return trx.selectFrom('members').select(['username', 'nickname']).where('id', '=', viewerId).executeTakeFirstOrThrow();
      });
      return { id, author: { id: viewerId, username: author.username, nickname: keyring.decrypt(author.nickname, 'members.nickname') }, text: body, createdAt: now.toISOString(), canDelete: true };
    },

    /** The comment's author, or the owner of the update it is on, may delete it. */
    async removeComment(viewerId: string, postId: string, commentId: string): Promise<void> {
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const post = await visiblePost(trx, viewerId, postId);
        const comment = await trx.selectFrom('post_comments').select(['id', 'member_id']).where('id', '=', commentId).where('post_id', '=', postId).executeTakeFirst();
        if (!comment || (comment.member_id !== viewerId && post.member_id !== viewerId)) throw new AppError('not_found', 404, 'no such comment for this member');
        await trx.deleteFrom('post_comments').where('id', '=', commentId).execute();
        if (comment.member_id !== viewerId) {
          await appendAudit(
            trx,
            { type: 'member', id: viewerId },
            { action: 'posts.comment_removed', subjectType: 'member', subjectId: comment.member_id, details: { postId, commentId, by: 'post_owner' } },
            { purpose: 'account', at: now },
          );
        }
      });
    },

    /** A photo file of an update the viewer may see. */
    async photo(viewerId: string, postId: string, photoId: string): Promise<{ file: string; mime: string }> {
      await visiblePost(db, viewerId, postId);
      const row = await db.selectFrom('post_photos').select(['storage_path', 'mime']).where('id', '=', photoId).where('post_id', '=', postId).executeTakeFirst();
      if (!row) throw notFound();
      return { file: path.join(dataDir, row.storage_path), mime: row.mime };
    },

    /** The member's own cross-border activity (P6.1), newest first, for "your data" and the feed page. */
    async crossBorder(memberId: string): Promise<{ activity: string; objectId: string | null; country: string; at: string }[]> {
      const rows = await db
        .selectFrom('cross_border_activity')
        .select(['activity', 'object_id', 'country', 'created_at'])
        .where('member_id', '=', memberId)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return rows.map((r) => ({ activity: r.activity, objectId: r.object_id, country: r.country, at: r.created_at.toISOString() }));
    },
  };
}
export type PostsService = ReturnType<typeof makePostsService>;
