import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { MEMBER_CONSENT_PURPOSES, isMemberConsentPurpose } from '../../../common/consents.js';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { ConsentLedger } from './ledger.js';

const consentsSchema = Type.Object({
  consents: Type.Array(
    Type.Object({
      purpose: Type.String(),
      granted: Type.Boolean(),
      /** When it was last given or withdrawn; null when never touched (off). */
      at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      policyVersion: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

/** The signed-in member's own consents (P0.1 opt-in, P1.10): read, give, withdraw — each change in the ledger at once. */
export const consentRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; consent: ConsentLedger; sessions: SessionService }> = async (app, { db, consent, sessions }) => {
  const memberOf = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;

  async function list(memberId: string) {
    const state = await consent.consents({ type: 'member', id: memberId });
    return {
      consents: MEMBER_CONSENT_PURPOSES.map((purpose) => ({
        purpose,
        granted: state[purpose].granted,
        at: state[purpose].at?.toISOString() ?? null,
        policyVersion: state[purpose].policyVersion,
      })),
    };
  }

  app.get(
    '/api/me/consents',
    { schema: { summary: 'My consents, one per purpose; all off until I turn them on', tags: ['privacy'], response: { 200: consentsSchema, '4xx': problemSchema } } },
    async (request) => list(await memberOf(request)),
  );

  app.put<{ Params: { purpose: string }; Body: { granted: boolean } }>(
    '/api/me/consents/:purpose',
    {
      schema: {
        summary: 'Give or withdraw one consent; recorded in the consent ledger with the policy version, effective at once',
        tags: ['privacy'],
        params: Type.Object({ purpose: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ granted: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: consentsSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 60, timeWindow: '10 minutes' } },
    },
    async (request) => {
      const memberId = await memberOf(request);
      const { purpose } = request.params;
      if (!isMemberConsentPurpose(purpose)) throw new AppError('not_found', 404, 'no such consent purpose');
      const subject = { type: 'member' as const, id: memberId };
      await db.transaction().execute(async (trx) => {
        const current = await consent.consents(subject, trx);
        // Saying again what is already recorded appends nothing.
        if (current[purpose].at !== null && current[purpose].granted === request.body.granted) return;
        await consent.setConsent(trx, { subject, language: request.language, ip: request.ip, userAgent: request.headers['user-agent'] }, purpose, request.body.granted);
      });
      return list(memberId);
    },
  );
};
