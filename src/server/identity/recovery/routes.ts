import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemSchema } from '../../platform/http/schemas.js';
import { SESSION_COOKIE, signedInMember } from '../sessions/routes.js';
import type { SessionService } from '../sessions/service.js';
import type { RecoveryService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const identifier = Type.String({ minLength: 1, maxLength: 254 });
const password = Type.String({ maxLength: 1024 });
const token = Type.String({ minLength: 1, maxLength: 200 });
const code = Type.String({ minLength: 1, maxLength: 12 });

/** Password reset, email/phone change, and "my account is compromised". */
export const recoveryRoutes: FastifyPluginAsyncTypebox<{ recovery: RecoveryService; sessions: SessionService }> = async (app, { recovery, sessions }) => {
  /** The signed-in member behind the session cookie (same check as the sessions module's routes). */
  const member = (request: FastifyRequest) => signedInMember(sessions, request);
  const clearSessionCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });

  app.post(
    '/api/password-resets',
    {
      schema: {
        summary: 'Forgot password: send a reset link (email) or code (SMS) to the verified contact',
        description:
          'Always answers 202 with a reset id, whether or not the identifier matches an account (an unknown one gets a random id that never completes). ' +
          'Email: a single-use link valid 1 hour. SMS: a 6-digit code valid 10 minutes, 5 attempts; complete with the reset id and the code.',
        tags: ['recovery'],
        body: Type.Object({ identifier, channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]) }, { additionalProperties: false }),
        response: { 202: Type.Object({ resetId: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 5, timeWindow: '15 minutes' } },
    },
    async (request, reply) => reply.code(202).send(await recovery.requestReset(request.body.identifier, request.body.channel)),
  );

  app.post(
    '/api/password-resets/complete',
    {
      schema: {
        summary: 'Set a new password with the emailed token, or the reset id and SMS code',
        description: 'Ends every session of the member, lifts a lock, and emails a notice. The password rules are those of sign-up.',
        tags: ['recovery'],
        body: Type.Object(
          { token: Type.Optional(token), resetId: Type.Optional(uuid), code: Type.Optional(code), newPassword: password },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      await recovery.completeReset(request.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/account/email',
    {
      schema: {
        summary: 'Change my email: a confirmation link goes to the new address (current password required)',
        tags: ['recovery'],
        body: Type.Object({ currentPassword: password, newEmail: Type.String({ maxLength: 300 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ changeId: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const me = await member(request);
      return reply.code(202).send(await recovery.requestEmailChange(me.memberId, request.body.currentPassword, request.body.newEmail));
    },
  );

  app.post(
    '/api/account/email/confirm',
    {
      schema: {
        summary: 'Confirm a new email with the token from the link sent to it (single use, 24 hours)',
        description: 'An address another account already uses is refused (409 contact_change_refused) without saying whose it is.',
        tags: ['recovery'],
        body: Type.Object({ token }, { additionalProperties: false }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      await recovery.confirmEmailChange(request.body.token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/account/phone',
    {
      schema: {
        summary: 'Change my mobile number: a 6-digit code goes to the new number (current password required)',
        tags: ['recovery'],
        body: Type.Object({ currentPassword: password, newPhone: Type.String({ maxLength: 40 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ changeId: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const me = await member(request);
      return reply.code(202).send(await recovery.requestPhoneChange(me.memberId, request.body.currentPassword, request.body.newPhone));
    },
  );

  app.post(
    '/api/account/phone/confirm',
    {
      schema: {
        summary: 'Confirm a new mobile number with the SMS code (10 minutes, 5 attempts)',
        tags: ['recovery'],
        body: Type.Object({ changeId: uuid, code }, { additionalProperties: false }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const me = await member(request);
      await recovery.confirmPhoneChange(me.memberId, request.body.changeId, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/account/compromised',
    {
      schema: {
        summary: 'My account is compromised: lock it, end every session, require a password reset, notify me, open a ticket',
        tags: ['recovery'],
        response: { 200: Type.Object({ ticketNumber: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 5, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const me = await member(request);
      const result = await recovery.reportCompromised(me.memberId);
      clearSessionCookie(reply);
      return reply.code(200).send(result);
    },
  );

  app.post(
    '/api/account/compromised/requests',
    {
      schema: {
        summary: 'From the support form: email a confirmation link to the account’s verified email (nothing is locked yet)',
        description: 'Always answers 202, whether or not the identifier matches an account.',
        tags: ['recovery'],
        body: Type.Object({ identifier }, { additionalProperties: false }),
        response: { 202: Type.Object({}), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 5, timeWindow: '15 minutes' } },
    },
    async (request, reply) => {
      await recovery.requestCompromiseConfirmation(request.body.identifier);
      return reply.code(202).send({});
    },
  );

  app.post(
    '/api/account/compromised/confirm',
    {
      schema: {
        summary: 'The emailed confirmation link: performs the compromised action',
        tags: ['recovery'],
        body: Type.Object({ token }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticketNumber: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const result = await recovery.confirmCompromise(request.body.token);
      clearSessionCookie(reply);
      return reply.code(200).send(result);
    },
  );
};
