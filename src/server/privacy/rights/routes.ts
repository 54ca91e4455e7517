import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { requireStaff } from '../../ops/staff/guard.js';
import type { Database } from '../../platform/db/schema.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { RightsService } from './service.js';
import { RESTRICTABLE_CATEGORIES } from './tables.js';

const kind = Type.Union([Type.Literal('access'), Type.Literal('erasure'), Type.Literal('correction'), Type.Literal('restriction'), Type.Literal('objection')]);
const category = Type.Union([Type.Literal('location'), Type.Literal('device'), Type.Literal('usage')]);
const gender = Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('nonbinary'), Type.Literal('unspecified')]);
const language = Type.Union([Type.Literal('id'), Type.Literal('en')]);
const status = Type.Union([Type.Literal('all'), Type.Literal('open'), Type.Literal('overdue')]);
const profile = Type.Object({ nickname: Type.String(), language, gender, emailMasked: Type.String(), phoneMasked: Type.String() });
const restrictions = Type.Object({
  restrictions: Type.Array(Type.Object({ category, since: Type.String({ format: 'date-time' }) })),
  categories: Type.Array(category),
});

export const rightsRoutes: FastifyPluginAsyncTypebox<{ rights: RightsService; sessions: SessionService; db: Kysely<Database> }> = async (app, { rights, sessions, db }) => {
  const privacyOfficer = requireStaff({ sessions, db }, 'privacy_officer');

  // ── Correction ──────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/me/account-details',
    {
      schema: {
        summary: 'My correctable profile data (nickname, language, gender) and my email and phone, masked',
        tags: ['privacy'],
        response: { 200: profile, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      reply.header('cache-control', 'no-store');
      return rights.profile(session.memberId);
    },
  );

  app.patch(
    '/api/me/account-details',
    {
      schema: {
        summary: 'Correct my nickname, language or gender (recorded as a correction request, completed at once). Email and phone: /api/account/email, /api/account/phone.',
        tags: ['privacy'],
        body: Type.Object({ nickname: Type.Optional(Type.String({ maxLength: 200 })), language: Type.Optional(language), gender: Type.Optional(gender) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Type.Object({ profile, corrected: Type.Array(Type.String()) }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request) => {
      const session = await signedInMember(sessions, request);
      const { fields } = await rights.correct(session.memberId, request.body);
      // The cached session carries the language: drop it so the next request sees the change.
      if (fields.length) sessions.forgetMember(session.memberId);
      return { profile: await rights.profile(session.memberId), corrected: fields };
    },
  );

  // ── Restriction ─────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/me/restrictions',
    { schema: { summary: 'The kinds of data whose processing I restricted', tags: ['privacy'], response: { 200: restrictions, '4xx': problemSchema } } },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      reply.header('cache-control', 'no-store');
      const rows = await rights.restrictions(session.memberId);
      return { restrictions: rows.map((r) => ({ category: r.category, since: r.since.toISOString() })), categories: [...RESTRICTABLE_CATEGORIES] };
    },
  );

  app.put(
    '/api/me/restrictions',
    {
      schema: {
        summary: 'Restrict (or lift the restriction of) processing of data categories: location, device, usage. Each new restriction is a rights request, completed at once.',
        tags: ['privacy'],
        body: Type.Object({ restricted: Type.Array(category, { maxItems: RESTRICTABLE_CATEGORIES.length, uniqueItems: true }) }, { additionalProperties: false }),
        response: { 200: restrictions, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request) => {
      const session = await signedInMember(sessions, request);
      const rows = await rights.setRestrictions(session.memberId, request.body.restricted);
      return { restrictions: rows.map((r) => ({ category: r.category, since: r.since.toISOString() })), categories: [...RESTRICTABLE_CATEGORIES] };
    },
  );

  // ── Request log (privacy officer) ─────────────────────────────────────────────────────────────
  app.get(
    '/api/staff/rights-requests',
    {
      schema: {
        summary: 'Privacy officer: every rights request with its UU PDP deadline (3 × 24 h); members by username only; each view is audited as a staff read',
        tags: ['staff'],
        querystring: Type.Object(
          {
            status: Type.Optional(status),
            kind: Type.Optional(kind),
            page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
            pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]?$|^100$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            requests: Type.Array(
              Type.Object({
                id: Type.String(),
                username: Type.Union([Type.String(), Type.Null()]),
                kind,
                receivedAt: Type.String({ format: 'date-time' }),
                dueAt: Type.String({ format: 'date-time' }),
                completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                overdue: Type.Boolean(),
              }),
            ),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
            now: Type.String({ format: 'date-time' }),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const staff = await privacyOfficer(request);
      // Query strings arrive as text (Ajv does not coerce): the patterns above admit only numbers.
      const { status, kind: kindOf, page, pageSize } = request.query;
      const log = await rights.requestLog(staff, { status, kind: kindOf, page: page ? Number(page) : undefined, pageSize: pageSize ? Number(pageSize) : undefined });
      reply.header('cache-control', 'no-store');
      return {
        requests: log.entries.map((e) => ({
          id: e.id,
          username: e.username,
          kind: e.kind,
          receivedAt: e.receivedAt.toISOString(),
          dueAt: e.dueAt.toISOString(),
          completedAt: e.completedAt?.toISOString() ?? null,
          overdue: e.overdue,
        })),
        total: log.total,
        page: log.page,
        pageSize: log.pageSize,
        now: log.now.toISOString(),
      };
    },
  );
};
