import fs from 'node:fs';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { NOTIFICATION_KINDS } from './notifications.js';
import type { NotificationsService } from './notifications-service.js';
import { MAX_COMMENT_TEXT, MAX_POST_PHOTO_BYTES, MAX_POST_PHOTOS, MAX_POST_TEXT, type NewPost, type PostsService } from './service.js';
import type { PostAudience } from './tables.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const cursorQuery = Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]|[1-4][0-9]|50)$' })) });
/** Query strings are not coerced (Ajv coerceTypes is off): `limit` arrives as 1–50 in digits. */
const limitOf = (query: { limit?: string | undefined }) => (query.limit ? Number(query.limit) : undefined);

const author = Type.Object({ id: Type.String(), username: Type.String(), nickname: Type.String() }, { additionalProperties: false });
/** An update as a viewer sees it; `postedFromCountry` exists only on the viewer's own updates. */
export const postSchema = Type.Object(
  {
    id: Type.String(),
    author,
    audience: Type.Union([Type.Literal('public'), Type.Literal('connections'), Type.Literal('only_me')]),
    text: Type.String(),
    photos: Type.Array(Type.Object({ id: Type.String(), url: Type.String(), width: Type.Integer(), height: Type.Integer() }, { additionalProperties: false })),
    likeCount: Type.Integer(),
    commentCount: Type.Integer(),
    likedByMe: Type.Boolean(),
    mine: Type.Boolean(),
    createdAt: Type.String(),
    postedFromCountry: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);
const page = Type.Object({ posts: Type.Array(postSchema), next: Type.Union([Type.String(), Type.Null()]) });
const commentSchema = Type.Object(
  { id: Type.String(), author: Type.Union([author, Type.Null()]), text: Type.String(), createdAt: Type.String(), canDelete: Type.Boolean() },
  { additionalProperties: false },
);
const kindSchema = Type.Union([
  Type.Literal('request_received'),
  Type.Literal('request_accepted'),
  Type.Literal('message'),
  Type.Literal('post_liked'),
  Type.Literal('post_commented'),
  Type.Literal('moderation_warning'),
  Type.Literal('report_handled'),
]);
const notificationSchema = Type.Object(
  {
    id: Type.String(),
    kind: kindSchema,
    actor: Type.Union([Type.Object({ username: Type.String(), nickname: Type.String() }, { additionalProperties: false }), Type.Null()]),
    objectId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    read: Type.Boolean(),
  },
  { additionalProperties: false },
);
const preferencesSchema = Type.Object({ email: Type.Object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Type.Boolean()]))) });
const preferencesBody = Type.Object(
  { email: Type.Object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Type.Optional(Type.Boolean())])), { additionalProperties: false }) },
  { additionalProperties: false },
);

export const postsRoutes: FastifyPluginAsyncTypebox<{ posts: PostsService; notifications: NotificationsService; sessions: SessionService }> = async (
  app,
  { posts, notifications, sessions },
) => {
  // Multipart only in this plugin: up to four photos, each ≤ 10 MiB, refused before anything is stored.
  await app.register(fastifyMultipart, {
    limits: { files: MAX_POST_PHOTOS, fileSize: MAX_POST_PHOTO_BYTES, fields: 10, fieldSize: 16 * 1024, parts: MAX_POST_PHOTOS + 10 },
    throwFileSizeLimit: true,
  });
  const session = (request: FastifyRequest) => signedInMember(sessions, request);
  const memberOf = async (request: FastifyRequest) => (await session(request)).memberId;

  app.post(
    '/api/posts',
    {
      bodyLimit: MAX_POST_PHOTOS * MAX_POST_PHOTO_BYTES + 1024 * 1024,
      schema: {
        summary: 'Post an update (multipart/form-data): text, audience, up to four photos',
        description:
          `Fields: text (≤ ${MAX_POST_TEXT} characters), audience (public | connections | only_me), acknowledgedPhotoReminder=true (required for public updates with photos: ` +
          'the member was reminded to think about personal information in them, P4.6), and up to four files `photos` (JPEG, PNG, WebP or AVIF, ≤ 10 MiB each; re-encoded without metadata). ' +
          'Send an Idempotency-Key header: a retry with the same key returns the same update (200).',
        tags: ['posts'],
        consumes: ['multipart/form-data'],
        response: { 201: postSchema, 200: postSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const me = await session(request);
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'an update must be multipart/form-data');
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw new AppError('validation_failed', 400, 'bad idempotency key', { fields: [{ field: 'idempotency-key', code: 'invalid' }] });
      }
      const fields: Record<string, string> = {};
      const photos: Buffer[] = [];
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.fieldname === 'photos' && bytes.length > 0) photos.push(bytes);
        } else if (typeof part.value === 'string' && !(part.fieldname in fields)) {
          fields[part.fieldname] = part.value;
        }
      }
      const input: NewPost = {
        text: fields.text ?? '',
        audience: (fields.audience ?? '') as PostAudience,
        photos,
        acknowledgedPhotoReminder: fields.acknowledgedPhotoReminder === 'true',
      };
      const { post, created } = await posts.create(me.memberId, input, { sessionId: me.sessionId, ip: request.ip, language: request.language, idempotencyKey: key });
      reply.header('cache-control', 'no-store');
      return reply.code(created ? 201 : 200).send(post);
    },
  );

  app.get(
    '/api/posts/:id',
    { schema: { summary: 'One update, if its audience includes me (404 otherwise)', tags: ['posts'], params: Type.Object({ id: uuid }), response: { 200: postSchema, '4xx': problemSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return posts.get(await memberOf(request), request.params.id);
    },
  );

  app.delete(
    '/api/posts/:id',
    { schema: { summary: 'Delete my update (photos, likes and comments with it)', tags: ['posts'], params: Type.Object({ id: uuid }), response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await posts.remove(await memberOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/feed',
    {
      schema: {
        summary: "My feed: connections' updates I may see, public updates of members I may interact with, and my own; newest first (keyset paging)",
        tags: ['posts'],
        querystring: cursorQuery,
        response: { 200: page, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return posts.feed(await memberOf(request), request.query.cursor, limitOf(request.query));
    },
  );

  app.get(
    '/api/members/:username/posts',
    {
      schema: {
        summary: "A member's updates that I may see (404 if I may not interact with them)",
        tags: ['posts'],
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: cursorQuery,
        response: { 200: page, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return posts.ofMember(await memberOf(request), request.params.username, request.query.cursor, limitOf(request.query));
    },
  );

  app.post(
    '/api/posts/:id/like',
    {
      schema: {
        summary: 'Like or unlike an update I may see (toggle)',
        tags: ['posts'],
        params: Type.Object({ id: uuid }),
        response: { 200: Type.Object({ liked: Type.Boolean(), likeCount: Type.Integer() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
    },
    async (request) => posts.toggleLike(await memberOf(request), request.params.id),
  );

  app.get(
    '/api/posts/:id/comments',
    {
      schema: {
        summary: 'Comments on an update I may see, oldest first',
        tags: ['posts'],
        params: Type.Object({ id: uuid }),
        querystring: cursorQuery,
        response: { 200: Type.Object({ comments: Type.Array(commentSchema), next: Type.Union([Type.String(), Type.Null()]) }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return posts.comments(await memberOf(request), request.params.id, request.query.cursor, limitOf(request.query));
    },
  );

  app.post(
    '/api/posts/:id/comments',
    {
      schema: {
        summary: `Comment on an update I may see (≤ ${MAX_COMMENT_TEXT} characters)`,
        tags: ['posts'],
        params: Type.Object({ id: uuid }),
        body: Type.Object({ text: Type.String({ maxLength: MAX_COMMENT_TEXT * 2 }) }, { additionalProperties: false }),
        response: { 201: commentSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 60, timeWindow: '10 minutes' } },
    },
    async (request, reply) => reply.code(201).send(await posts.addComment(await memberOf(request), request.params.id, request.body.text)),
  );

  app.delete(
    '/api/posts/:id/comments/:commentId',
    {
      schema: {
        summary: 'Delete a comment: my own, or any on my update',
        tags: ['posts'],
        params: Type.Object({ id: uuid, commentId: uuid }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      await posts.removeComment(await memberOf(request), request.params.id, request.params.commentId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/posts/:id/photos/:photoId',
    {
      schema: {
        summary: "A photo of an update I may see (the update's audience applies; 404 otherwise)",
        tags: ['posts'],
        params: Type.Object({ id: uuid, photoId: uuid }),
        response: { 200: Type.Unsafe<NodeJS.ReadableStream>({ description: 'the photo (JPEG, no metadata)', type: 'string', format: 'binary' }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const { file, mime } = await posts.photo(await memberOf(request), request.params.id, request.params.photoId);
      if (!fs.existsSync(file)) throw new AppError('not_found', 404, 'photo file gone');
      return reply.type(mime).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(fs.createReadStream(file));
    },
  );

  app.get(
    '/api/me/cross-border-activity',
    {
      schema: {
        summary: 'My own activity from outside Indonesia (country only, never the IP): the recorded ground for it (P6.1)',
        tags: ['posts', 'privacy'],
        response: {
          200: Type.Object({
            activity: Type.Array(Type.Object({ activity: Type.String(), objectId: Type.Union([Type.String(), Type.Null()]), country: Type.String(), at: Type.String() })),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { activity: await posts.crossBorder(await memberOf(request)) };
    },
  );

  app.get(
    '/api/notifications',
    {
      schema: {
        summary: 'My notifications, newest first',
        tags: ['notifications'],
        querystring: cursorQuery,
        response: { 200: Type.Object({ notifications: Type.Array(notificationSchema), next: Type.Union([Type.String(), Type.Null()]) }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return notifications.list(await memberOf(request), request.query.cursor, limitOf(request.query));
    },
  );

  app.get(
    '/api/notifications/unread-count',
    { schema: { summary: 'How many of my notifications are unread', tags: ['notifications'], response: { 200: Type.Object({ unread: Type.Integer() }), '4xx': problemSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { unread: await notifications.unreadCount(await memberOf(request)) };
    },
  );

  app.post(
    '/api/notifications/:id/read',
    { schema: { summary: 'Mark one notification read', tags: ['notifications'], params: Type.Object({ id: uuid }), response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await notifications.markRead(await memberOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/notifications/read-all',
    { schema: { summary: 'Mark all my notifications read', tags: ['notifications'], response: { 200: Type.Object({ marked: Type.Integer() }), '4xx': problemSchema } } },
    async (request) => ({ marked: await notifications.markAllRead(await memberOf(request)) }),
  );

  app.get(
    '/api/me/notification-preferences',
    { schema: { summary: 'Which notifications I get by email when I am offline (service notices, never marketing)', tags: ['notifications'], response: { 200: preferencesSchema, '4xx': problemSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { email: await notifications.preferences(await memberOf(request)) };
    },
  );

  app.put(
    '/api/me/notification-preferences',
    {
      schema: {
        summary: 'Change which notifications I get by email when I am offline',
        tags: ['notifications'],
        body: preferencesBody,
        response: { 200: preferencesSchema, '4xx': problemSchema },
      },
    },
    async (request) => ({ email: await notifications.setPreferences(await memberOf(request), request.body.email as Record<string, boolean>) }),
  );
};
