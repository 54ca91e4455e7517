import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { EVIDENCE_MAX, INTRO_MAX, REPORT_MESSAGE_MAX, type GraphService } from './service.js';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const uuid = Type.String({ pattern: UUID_PATTERN });
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
/** A member id or a username (with or without '@'). */
const memberRef = Type.String({ minLength: 1, maxLength: 100 });
const cursorQuery = Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 100 })) });

/** What a list shows of another member: nothing beyond this can be serialized. */
const memberCard = Type.Object(
  { memberId: Type.String(), username: Type.String(), nickname: Type.Union([Type.String(), Type.Null()]), photoUrl: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
const requestStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('accepted'),
  Type.Literal('declined'),
  Type.Literal('withdrawn'),
  Type.Literal('expired'),
  Type.Literal('cancelled'),
]);
const requestView = Type.Object(
  { id: Type.String(), status: requestStatus, intro: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(), expiresAt: Type.String(), member: memberCard },
  { additionalProperties: false },
);
const requestPage = Type.Object({ requests: Type.Array(requestView), next: Type.Union([Type.String(), Type.Null()]) });
const decision = Type.Object({ id: Type.String(), status: requestStatus });
const memberParams = Type.Object({ memberId: uuid });
const requestParams = Type.Object({ id: uuid });
const tags = ['connections'];
const noStore = { 'cache-control': 'no-store' };

/**
 * Kenalan requests, connections, blocks and reports. Every route is for the signed-in member about
 * their own relations; another member who is not visible to them is always the same 404.
 */
export const graphRoutes: FastifyPluginAsyncTypebox<{ graph: GraphService; sessions: SessionService }> = async (app, { graph, sessions }) => {
  const memberOf = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(noStore);
  });

  app.post(
    '/api/requests',
    {
      schema: {
        summary: 'Send a kenalan request with a short introduction (to a username or member id). Send an Idempotency-Key header: a retry returns the same request.',
        tags,
        body: Type.Object({ to: memberRef, intro: Type.Optional(Type.String({ maxLength: INTRO_MAX * 2 })) }, { additionalProperties: false }),
        response: { 201: requestView, 200: requestView, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 60, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw new AppError('validation_failed', 400, 'bad idempotency key', { fields: [{ field: 'idempotency-key', code: 'invalid' }] });
      }
      const { request: view, replayed } = await graph.send(await memberOf(request), request.body, { language: request.language, idempotencyKey: key });
      return reply.code(replayed ? 200 : 201).send(view);
    },
  );

  app.get(
    '/api/requests/incoming',
    { schema: { summary: 'Kenalan requests waiting for my answer, newest first', tags, querystring: cursorQuery, response: { 200: requestPage, '4xx': problemSchema } } },
    async (request) => graph.incoming(await memberOf(request), request.query.cursor),
  );

  app.get(
    '/api/requests/outgoing',
    { schema: { summary: 'My kenalan requests still waiting for an answer, newest first', tags, querystring: cursorQuery, response: { 200: requestPage, '4xx': problemSchema } } },
    async (request) => graph.outgoing(await memberOf(request), request.query.cursor),
  );

  for (const action of ['accept', 'decline', 'withdraw'] as const) {
    app.post(
      `/api/requests/:id/${action}`,
      {
        schema: {
          summary:
            action === 'accept'
              ? 'Accept a kenalan request sent to me: we become connections'
              : action === 'decline'
                ? 'Decline a kenalan request sent to me (no notice to the sender: it leaves their list; they cannot ask again for 30 days)'
                : 'Withdraw a kenalan request I sent',
          tags,
          params: requestParams,
          response: { 200: decision, '4xx': problemSchema },
        },
        config: { rateLimit: { max: 120, timeWindow: '1 hour' } },
      },
      async (request) => graph[action](await memberOf(request), request.params.id),
    );
  }

  app.get(
    '/api/connections',
    {
      schema: {
        summary: 'My connections, newest first (nickname, first photo I may see, since when)',
        tags,
        querystring: cursorQuery,
        response: {
          200: Type.Object({ connections: Type.Array(Type.Object({ ...memberCard.properties, since: Type.String() }, { additionalProperties: false })), next: Type.Union([Type.String(), Type.Null()]) }),
          '4xx': problemSchema,
        },
      },
    },
    async (request) => graph.connections(await memberOf(request), request.query.cursor),
  );

  app.delete(
    '/api/connections/:memberId',
    { schema: { summary: 'Remove a connection (both directions)', tags, params: memberParams, response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await graph.removeConnection(await memberOf(request), request.params.memberId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/blocks',
    {
      schema: {
        summary: 'Members I blocked',
        tags,
        response: {
          200: Type.Object({ blocks: Type.Array(Type.Object({ memberId: Type.String(), username: Type.String(), nickname: Type.String(), since: Type.String() }, { additionalProperties: false })) }),
          '4xx': problemSchema,
        },
      },
    },
    async (request) => ({ blocks: await graph.blocks(await memberOf(request)) }),
  );

  app.post(
    '/api/blocks',
    {
      schema: {
        summary: 'Block a member (id or username): we become invisible to each other everywhere; our connection, pending requests and chat end',
        tags,
        body: Type.Object({ member: memberRef }, { additionalProperties: false }),
        response: { 201: Type.Object({ memberId: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 60, timeWindow: '1 hour' } },
    },
    async (request, reply) => reply.code(201).send(await graph.block(await memberOf(request), request.body.member)),
  );

  app.delete(
    '/api/blocks/:memberId',
    { schema: { summary: 'Unblock a member (nothing that ended comes back)', tags, params: memberParams, response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await graph.unblock(await memberOf(request), request.params.memberId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/reports',
    {
      schema: {
        summary: 'Report a member to the moderation team (reason, optional message and chat message ids as evidence); optionally block them too',
        tags,
        body: Type.Object(
          {
            member: memberRef,
            category: Type.Union([
              Type.Literal('spam'),
              Type.Literal('scam'),
              Type.Literal('harassment'),
              Type.Literal('hate'),
              Type.Literal('sexual_content'),
              Type.Literal('minor_safety'),
              Type.Literal('impersonation'),
              Type.Literal('other'),
            ]),
            message: Type.Optional(Type.String({ maxLength: REPORT_MESSAGE_MAX * 2 })),
            evidenceMessageIds: Type.Optional(Type.Array(uuid, { maxItems: EVIDENCE_MAX })),
            block: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), blocked: Type.Boolean() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '1 hour' } },
    },
    async (request, reply) => reply.code(201).send(await graph.report(await memberOf(request), request.body, { language: request.language })),
  );
};
