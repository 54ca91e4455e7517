import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { RightsService } from '../rights/service.js';
import type { YourDataService } from './service.js';

/** Header carrying the reveal token from POST /api/me/data/reveal (kept in the page's memory only). */
export const REVEAL_HEADER = 'x-kenalan-reveal';

const field = Type.Object({
  table: Type.String(),
  column: Type.String(),
  label: Type.String(),
  display: Type.String(),
  values: Type.Array(Type.String()),
  count: Type.Integer(),
  purposes: Type.Array(Type.String()),
  legalBasis: Type.String(),
  retention: Type.String(),
  sharedWith: Type.Array(Type.String()),
  /** Present for rows found in a second role (e.g. `recipient` of a kenalan request), see the data map's `counterpart`. */
  role: Type.Optional(Type.String()),
});

export const yourDataRoutes: FastifyPluginAsyncTypebox<{ yourData: YourDataService; sessions: SessionService; rights: RightsService }> = async (app, { yourData, sessions, rights }) => {
  app.post(
    '/api/me/data/reveal',
    {
      schema: {
        summary: 'Show masked values in full: my password again → a token valid 5 minutes in this session (send it as x-kenalan-reveal). Audited.',
        tags: ['privacy'],
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      const { token, expiresAt } = await rights.reveal(session.memberId, session.sessionId, request.body.password);
      reply.header('cache-control', 'no-store');
      return { token, expiresAt: expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/me/data',
    {
      schema: {
        summary: 'Everything Kenalan holds about me, by category, with purposes, legal basis and retention; and who accessed it',
        tags: ['privacy'],
        response: {
          200: Type.Object({
            categories: Type.Array(Type.Object({ category: Type.String(), fields: Type.Array(field) })),
            accesses: Type.Array(
              Type.Object({
                at: Type.String(),
                role: Type.String(),
                action: Type.String(),
                purpose: Type.Union([Type.String(), Type.Null()]),
                purposeLabel: Type.Union([Type.String(), Type.Null()]),
                what: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            revealed: Type.Boolean(),
          }),
          '4xx': problemSchema,
        },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      reply.header('cache-control', 'no-store');
      const token = request.headers[REVEAL_HEADER];
      const revealed = token !== undefined;
      if (revealed && !rights.revealAllowed(session.sessionId, typeof token === 'string' ? token : undefined)) throw new AppError('reveal_invalid', 403, 'reveal token invalid or expired');
      return { ...(await yourData.forMember(session.memberId, request.language, { unmask: revealed })), revealed };
    },
  );
};
