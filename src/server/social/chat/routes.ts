import fs from 'node:fs';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { CHAT_PHOTO_LIMITS, MAX_BODY_CHARS, type ChatService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
// `type: ['string', 'null']` rather than anyOf: fast-json-stringify serializes it directly, where an
// anyOf makes it validate each value to pick a branch (50 messages × 6 fields per history page).
const nullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });
const nullableDate = nullableString;
const clientKey = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

export const chatPartnerSchema = Type.Object({ id: Type.String(), username: Type.String(), nickname: Type.String() });

/** A message as the viewer may see it: nothing else about it can be serialized. */
export const chatMessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  clientKey: nullableString,
  from: Type.Union([Type.Literal('me'), Type.Literal('them')]),
  senderId: nullableString,
  body: nullableString,
  photo: Type.Union([Type.Object({ url: Type.String(), width: Type.Integer(), height: Type.Integer() }), Type.Null()]),
  createdAt: Type.String(),
  deliveredAt: nullableDate,
  readAt: nullableDate,
  deleted: Type.Boolean(),
});

const memberParams = Type.Object({ memberId: uuid });
const messageParams = Type.Object({ memberId: uuid, messageId: uuid });

export const chatRoutes: FastifyPluginAsyncTypebox<{ chat: ChatService; sessions: SessionService }> = async (app, { chat, sessions }) => {
  const me = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;
  await app.register(fastifyMultipart, {
    limits: { files: 1, fileSize: CHAT_PHOTO_LIMITS.maxBytes, fields: 4, fieldSize: 16 * 1024, parts: 5 },
    throwFileSizeLimit: true,
  });

  app.get(
    '/api/chats',
    {
      schema: {
        summary: 'My conversations (last message, unread count), then connections I have not chatted with yet',
        tags: ['chat'],
        response: {
          200: Type.Object({
            conversations: Type.Array(
              Type.Object({
                conversationId: Type.Union([Type.String(), Type.Null()]),
                member: Type.Union([chatPartnerSchema, Type.Null()]),
                last: Type.Union([
                  Type.Object({
                    id: Type.String(),
                    from: Type.Union([Type.Literal('me'), Type.Literal('them')]),
                    preview: Type.Union([Type.String(), Type.Null()]),
                    photo: Type.Boolean(),
                    deleted: Type.Boolean(),
                    createdAt: Type.String(),
                  }),
                  Type.Null(),
                ]),
                unread: Type.Integer(),
              }),
            ),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { conversations: await chat.conversations(await me(request)) };
    },
  );

  app.get(
    '/api/chats/unread',
    {
      schema: {
        summary: 'How many of my conversations hold unread messages, and how many messages wait unread (the counts behind the Chats tab)',
        tags: ['chat'],
        response: {
          200: Type.Object({ conversations: Type.Integer({ minimum: 0 }), messages: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return chat.unread(await me(request));
    },
  );

  app.get(
    '/api/chats/:memberId/messages',
    {
      schema: {
        summary: 'History with a connection, newest first; `before` is the previous page’s nextCursor',
        tags: ['chat'],
        params: memberParams,
        querystring: Type.Object({ before: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) }),
        response: {
          200: Type.Object({ member: chatPartnerSchema, messages: Type.Array(chatMessageSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return chat.history(await me(request), request.params.memberId, { before: request.query.before, limit: request.query.limit === undefined ? undefined : Number(request.query.limit) });
    },
  );

  app.get(
    '/api/chats/former/:conversationId/messages',
    {
      schema: {
        summary: 'Read-only history of a conversation whose partner’s account was erased (shown as a former member)',
        tags: ['chat'],
        params: Type.Object({ conversationId: uuid }),
        querystring: Type.Object({ before: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) }),
        response: { 200: Type.Object({ messages: Type.Array(chatMessageSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return chat.formerHistory(await me(request), request.params.conversationId, {
        before: request.query.before,
        limit: request.query.limit === undefined ? undefined : Number(request.query.limit),
      });
    },
  );

  app.post(
    '/api/chats/:memberId/messages',
    {
      schema: {
        summary: 'Send a text message (the same service as the socket’s chat.send); a retry with the same clientKey returns the first message',
        tags: ['chat'],
        params: memberParams,
        body: Type.Object({ clientKey, body: Type.String({ minLength: 1, maxLength: MAX_BODY_CHARS * 2 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ message: chatMessageSchema }), 201: Type.Object({ message: chatMessageSchema }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const { message, created } = await chat.send(await me(request), request.params.memberId, { clientKey: request.body.clientKey, body: request.body.body });
      return reply.code(created ? 201 : 200).send({ message });
    },
  );

  app.post(
    '/api/chats/:memberId/photos',
    {
      bodyLimit: CHAT_PHOTO_LIMITS.maxBytes + 256 * 1024,
      schema: {
        summary: 'Send a photo (multipart: file `photo`, field `clientKey`, optional `body` caption); re-encoded without metadata',
        tags: ['chat'],
        consumes: ['multipart/form-data'],
        params: memberParams,
        response: { 200: Type.Object({ message: chatMessageSchema }), 201: Type.Object({ message: chatMessageSchema }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const sender = await me(request);
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'chat photos are multipart/form-data');
      const fields: Record<string, string> = {};
      let photo: Buffer | undefined;
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.fieldname === 'photo' && !photo) photo = bytes;
        } else if (typeof part.value === 'string' && !(part.fieldname in fields)) {
          fields[part.fieldname] = part.value;
        }
      }
      if (!photo) throw new AppError('validation_failed', 400, 'no photo', { fields: [{ field: 'photo', code: 'required' }] });
      const { message, created } = await chat.send(sender, request.params.memberId, { clientKey: fields.clientKey ?? '', body: fields.body, photo });
      return reply.code(created ? 201 : 200).send({ message });
    },
  );

  app.post(
    '/api/chats/:memberId/read',
    {
      schema: {
        summary: 'I have read the conversation: the partner gets a read receipt',
        tags: ['chat'],
        params: memberParams,
        response: { 200: Type.Object({ read: Type.Integer() }), '4xx': problemSchema },
      },
    },
    async (request) => ({ read: await chat.markRead(await me(request), request.params.memberId) }),
  );

  app.delete(
    '/api/chats/:memberId/messages/:messageId',
    {
      schema: {
        summary: 'Delete a message for me, or (my own) for both: body and photo wiped, a tombstone stays',
        tags: ['chat'],
        params: messageParams,
        querystring: Type.Object({ scope: Type.Union([Type.Literal('me'), Type.Literal('both')]) }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      await chat.deleteMessage(await me(request), request.params.memberId, request.params.messageId, request.query.scope);
      return reply.code(204).send(null);
    },
  );

  app.get<{ Params: { memberId: string; messageId: string } }>(
    '/api/chats/:memberId/messages/:messageId/photo',
    {
      schema: { summary: 'A chat photo, to the two members of the conversation only', tags: ['chat'], params: messageParams, response: { '4xx': problemSchema } },
    },
    async (request, reply) => {
      const file = await chat.photoFile(await me(request), request.params.memberId, request.params.messageId);
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(fs.createReadStream(file));
    },
  );
};
