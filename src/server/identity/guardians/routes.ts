import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problemSchema } from '../../platform/http/schemas.js';
import type { GuardiansService } from './service.js';

/** Tokens are 32 random bytes in base64url (43 characters); anything else is simply not found. */
const tokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
const language = Type.Union([Type.Literal('id'), Type.Literal('en')]);
/** The guardian ticked "I am this person's parent or legal guardian and I consent …" (or confirmed the refusal). */
const confirmBody = Type.Object({ confirm: Type.Literal(true) });
const limit = (max: number) => ({ rateLimit: { max, timeWindow: '10 minutes' } });

/**
 * The public guardian pages' API (no sign-in: the token in the link is the credential). CSRF applies
 * to the POSTs like every unsafe /api call. Unknown → 404 guardian_link_invalid; expired → 410
 * guardian_link_expired; already decided → 410 guardian_link_used.
 */
export const guardiansRoutes: FastifyPluginAsyncTypebox<{ guardians: GuardiansService }> = async (app, { guardians }) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    // The token is in the path: never send it onward in a Referer.
    reply.header('referrer-policy', 'no-referrer');
  });

  app.get(
    '/api/guardians/:token',
    {
      schema: {
        summary: "What the guardian page shows: the minor's nickname and username, the guardian's language, the policy version, the link's expiry",
        tags: ['guardians'],
        params: tokenParams,
        response: {
          200: Type.Object({ nickname: Type.String(), username: Type.String(), language, policyVersion: Type.String(), expiresAt: Type.String() }),
          '4xx': problemSchema,
        },
      },
      config: limit(60),
    },
    async (request) => guardians.view(request.params.token),
  );

  app.post(
    '/api/guardians/:token/consent',
    {
      schema: {
        summary: "The guardian's express consent (recorded in the consent ledger with the policy text shown); activates the account if the minor is verified",
        tags: ['guardians'],
        params: tokenParams,
        body: confirmBody,
        response: { 200: Type.Object({ memberStatus: Type.String() }), '4xx': problemSchema },
      },
      config: limit(20),
    },
    async (request) =>
      guardians.giveConsent(request.params.token, { language: request.language, ip: request.ip, userAgent: request.headers['user-agent'] }),
  );

  app.post(
    '/api/guardians/:token/refuse',
    {
      schema: {
        summary: 'The guardian refuses: the pending account and its photo are deleted, the minor is told by email',
        tags: ['guardians'],
        params: tokenParams,
        body: confirmBody,
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: limit(20),
    },
    async (request, reply) => {
      await guardians.refuse(request.params.token, { language: request.language, ip: request.ip, userAgent: request.headers['user-agent'] });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/accounts/:id/guardian-invitation',
    {
      schema: {
        summary: "The minor asks for their guardian's invitation (email + SMS) again, e.g. after it expired; at most once per 10 minutes",
        tags: ['guardians'],
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }) }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: limit(10),
    },
    async (request, reply) => {
      await guardians.resendInvitation(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/guardians/withdraw/:token',
    {
      schema: {
        summary: 'What the withdrawal page shows',
        tags: ['guardians'],
        params: tokenParams,
        response: { 200: Type.Object({ nickname: Type.String(), username: Type.String(), language }), '4xx': problemSchema },
      },
      config: limit(60),
    },
    async (request) => guardians.viewWithdrawal(request.params.token),
  );

  app.post(
    '/api/guardians/withdraw/:token',
    {
      schema: {
        summary: "The guardian withdraws consent: the account is suspended and every session of the member ends",
        tags: ['guardians'],
        params: tokenParams,
        body: confirmBody,
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: limit(20),
    },
    async (request, reply) => {
      await guardians.withdraw(request.params.token, { language: request.language, ip: request.ip, userAgent: request.headers['user-agent'] });
      return reply.code(204).send(null);
    },
  );
};
