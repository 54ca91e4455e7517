import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SESSION_COOKIE, signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { ErasureService } from './service.js';

const infoSchema = Type.Object({
  graceDays: Type.Integer(),
  /** If the member asked today. */
  erasesOn: Type.String({ format: 'date-time' }),
  kept: Type.Array(Type.Object({ label: Type.String(), legalGround: Type.String(), forDays: Type.Integer() })),
});

/** "Delete my account": what happens (GET) and the request itself (POST, password again). Restoring is part of sign-in. */
export const erasureRoutes: FastifyPluginAsyncTypebox<{ erasure: ErasureService; sessions: SessionService }> = async (app, { erasure, sessions }) => {
  app.get(
    '/api/me/deletion',
    {
      schema: {
        summary: 'What deleting my account does: the grace period, and what is kept, why and for how long (from the data map)',
        tags: ['privacy'],
        response: { 200: infoSchema, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      await signedInMember(sessions, request);
      const info = erasure.info(request.language);
      reply.header('cache-control', 'no-store');
      return { graceDays: info.graceDays, erasesOn: info.erasesOn.toISOString(), kept: info.kept };
    },
  );

  app.post(
    '/api/me/deletion',
    {
      schema: {
        summary: 'Delete my account: deactivated at once and signed out everywhere; erased after the grace period unless I sign in and restore it. Needs my password again.',
        tags: ['privacy'],
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ erasesOn: Type.String({ format: 'date-time' }), graceDays: Type.Integer() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const { memberId } = await signedInMember(sessions, request);
      const { scheduledFor } = await erasure.request(memberId, request.body.password);
      reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
      return reply.code(202).send({ erasesOn: scheduledFor.toISOString(), graceDays: erasure.graceDays });
    },
  );
};
