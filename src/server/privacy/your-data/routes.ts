import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { YourDataService } from './service.js';

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
});

export const yourDataRoutes: FastifyPluginAsyncTypebox<{ yourData: YourDataService; sessions: SessionService }> = async (app, { yourData, sessions }) => {
  app.get(
    '/api/me/data',
    {
      schema: {
        summary: 'Everything Kenalan holds about me, by category, with purposes, legal basis and retention; and who accessed it',
        tags: ['privacy'],
        response: {
          200: Type.Object({
            categories: Type.Array(Type.Object({ category: Type.String(), fields: Type.Array(field) })),
            accesses: Type.Array(Type.Object({ at: Type.String(), role: Type.String(), action: Type.String(), purpose: Type.Union([Type.String(), Type.Null()]) })),
          }),
          '4xx': problemSchema,
        },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      reply.header('cache-control', 'no-store');
      return yourData.forMember(session.memberId, request.language);
    },
  );
};
