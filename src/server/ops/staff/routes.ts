import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import type { Database } from '../../platform/db/schema.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { STAFF_ROLES, staffRolesOf, type StaffRole } from './guard.js';

/**
 * The staff hub's question: which staff roles the signed-in member holds (their own data; an empty
 * list for nearly everyone). The account page links to the staff pages of these roles; each page's
 * API still checks the role, the recent sign-in and the second factor itself (`requireStaff`).
 */
export const staffRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService; db: Kysely<Database> }> = async (app, { sessions, db }) => {
  app.get(
    '/api/me/staff-roles',
    {
      schema: {
        summary: 'My staff roles (privacy officer, moderator, face reviewer, support), for the staff links on my account page',
        tags: ['staff'],
        response: { 200: Type.Object({ roles: Type.Array(Type.Unsafe<StaffRole>({ type: 'string', enum: [...STAFF_ROLES] })) }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const session = await signedInMember(sessions, request);
      reply.header('cache-control', 'no-store');
      return { roles: await staffRolesOf(db, session.memberId) };
    },
  );
};
