import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { memberProfileView } from '../../../common/social/profile.js';
import type { SessionService } from '../../identity/sessions/service.js';
import type { Database } from '../../platform/db/schema.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { REPORT_CATEGORIES, type ReportCategory } from '../../social/graph/tables.js';
import { requireStaff } from '../staff/guard.js';
import { DECISION_ACTIONS, STAFF_NOTE_MAX, type DecisionAction, type ModerationService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const dateTime = Type.String({ format: 'date-time' });
const category = Type.Unsafe<ReportCategory>({ type: 'string', enum: [...REPORT_CATEGORIES] });
const tags = ['staff'];
const noStore = { 'cache-control': 'no-store, private' };

const caseView = Type.Object(
  {
    id: Type.String(),
    category,
    createdAt: dateTime,
    waitedSeconds: Type.Integer({ minimum: 0 }),
    reporter: Type.Union([Type.Object({ memberId: Type.String(), username: Type.String(), nickname: Type.String() }, { additionalProperties: false }), Type.Null()]),
    reporterBlocked: Type.Boolean(),
    reported: Type.Object({ memberId: Type.String(), status: Type.String(), profile: memberProfileView }, { additionalProperties: false }),
    message: Type.Union([Type.String(), Type.Null()]),
    evidence: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          from: Type.Union([Type.Literal('reporter'), Type.Literal('reported'), Type.Literal('former_member')]),
          body: Type.Union([Type.String(), Type.Null()]),
          photo: Type.Boolean(),
          deleted: Type.Boolean(),
          sentAt: dateTime,
        },
        { additionalProperties: false },
      ),
    ),
    otherReports: Type.Object({ open: Type.Integer(), closed: Type.Integer() }),
    decisions: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

/**
 * The moderation queue of member reports (staff role `moderator`; `requireStaff` also wants a
 * sign-in under 10 minutes old, made with the second factor the moderator has), and the staff hub's
 * question "which staff pages are mine" for any signed-in member.
 */
export const moderationRoutes: FastifyPluginAsyncTypebox<{ moderation: ModerationService; sessions: SessionService; db: Kysely<Database> }> = async (
  app,
  { moderation, sessions, db },
) => {
  const moderator = requireStaff({ sessions, db }, 'moderator');

  app.get(
    '/api/staff/reports',
    {
      schema: {
        summary: 'Open moderation cases (member reports), oldest first, with category and how long each has waited (staff: moderator). No personal data.',
        tags,
        response: {
          200: Type.Object({
            cases: Type.Array(
              Type.Object(
                { id: Type.String(), category, createdAt: dateTime, waitedSeconds: Type.Integer({ minimum: 0 }), evidence: Type.Integer(), hasMessage: Type.Boolean() },
                { additionalProperties: false },
              ),
            ),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const staff = await moderator(request);
      reply.headers(noStore);
      const cases = await moderation.queue(staff.staffId);
      return { cases: cases.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) };
    },
  );

  app.get(
    '/api/staff/reports/:id',
    {
      schema: {
        summary: 'One open moderation case: reporter (or former member), the reported member’s public profile, the report, the attached evidence messages decrypted, and how many other reports they have (audited read)',
        description: 'A decided (closed) case answers 410 `case_closed`: its report and evidence are no longer served. An unknown id, or a case the moderator filed or is the subject of, answers 404.',
        tags,
        params: Type.Object({ id: uuid }),
        response: { 200: caseView, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const staff = await moderator(request);
      const c = await moderation.read(staff, request.params.id);
      reply.headers(noStore);
      return {
        ...c,
        createdAt: c.createdAt.toISOString(),
        evidence: c.evidence.map((e) => ({ ...e, sentAt: e.sentAt.toISOString() })),
        decisions: [...DECISION_ACTIONS],
      };
    },
  );

  app.get<{ Params: { id: string; messageId: string } }>(
    '/api/staff/reports/:id/evidence/:messageId/photo',
    {
      schema: {
        summary: 'The photo of one evidence message of an open case, as the chat stored it (JPEG without metadata; audited read on its sender’s access log)',
        description: 'Only a message the report attached, of a conversation the reported member is in, not deleted for both; otherwise 404. A decided case answers 410 `case_closed`.',
        tags,
        params: Type.Object({ id: uuid, messageId: uuid }),
        response: { '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const staff = await moderator(request);
      const file = await moderation.evidencePhoto(staff, request.params.id, request.params.messageId);
      return reply.type('image/jpeg').header('cache-control', noStore['cache-control']).header('x-content-type-options', 'nosniff').send(fs.createReadStream(file));
    },
  );

  app.post(
    '/api/staff/reports/:id/decision',
    {
      schema: {
        summary: 'Decide an open case and close it: dismiss (no violation), warn (the member gets an in-app warning) or suspend (account suspended, every session ended), with a staff note. The reporter is told only that the report was handled.',
        description: 'A case already decided answers 409 `case_closed`.',
        tags,
        params: Type.Object({ id: uuid }),
        body: Type.Object(
          { decision: Type.Unsafe<DecisionAction>({ type: 'string', enum: [...DECISION_ACTIONS] }), note: Type.String({ maxLength: STAFF_NOTE_MAX * 2 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ decision: Type.String(), sessionsEnded: Type.Integer() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 300, timeWindow: '1 hour' } },
    },
    async (request) => {
      const staff = await moderator(request);
      const { decision, note } = request.body as { decision: DecisionAction; note: string };
      return moderation.decide(staff, request.params.id, decision, note);
    },
  );
};
