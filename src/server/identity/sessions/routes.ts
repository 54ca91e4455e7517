import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { deviceForSignIn, setDeviceCookie } from '../login-security/http.js';
import { CHALLENGE_TTL_MS, SESSION_IDLE_MS, type AuthenticatedSession, type SessionService } from './service.js';

export const SESSION_COOKIE = '__Host-kenalan-session';
/** Binds a sign-in challenge to the browser that entered the right password (5 minutes). */
export const CHALLENGE_COOKIE = '__Host-kenalan-challenge';

export const challengeSchema = Type.Object({
  challenge: Type.Object({
    id: Type.String(),
    methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('passkey'), Type.Literal('email_code'), Type.Literal('sms_code')])),
    reason: Type.Union([Type.Literal('mfa'), Type.Literal('step_up')]),
  }),
});

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireMember` for routes that need a signed-in member. */
    session: AuthenticatedSession | null;
  }
}

const locationSchema = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    accuracy: Type.Number({ minimum: 0, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });

/** The session cookie: the same for password sign-in, a passed challenge and passkey sign-in. */
export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: Math.floor(SESSION_IDLE_MS / 1000),
  });
}

export function setChallengeCookie(reply: FastifyReply, browserToken: string): void {
  reply.setCookie(CHALLENGE_COOKIE, browserToken, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    maxAge: Math.floor(CHALLENGE_TTL_MS / 1000),
  });
}

export function clearChallengeCookie(reply: FastifyReply): void {
  reply.clearCookie(CHALLENGE_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
}

/** Sign-in, sign-out, "who am I", and the member's own list of sessions. */
/** The signed-in member behind the session cookie, or 401 `unauthenticated`: every member-only route's check. */
export async function signedInMember(sessions: SessionService, request: FastifyRequest): Promise<AuthenticatedSession> {
  const session = await sessions.authenticate(request.cookies[SESSION_COOKIE]);
  if (!session) throw new AppError('unauthenticated', 401, 'no live session');
  return session;
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService }> = async (app, { sessions }) => {
  app.decorateRequest('session', null);

  async function requireMember(request: FastifyRequest): Promise<void> {
    request.session = await signedInMember(sessions, request);
  }
  const current = (request: FastifyRequest) => request.session!;

  app.post(
    '/api/sessions',
    {
      schema: {
        summary: 'Sign in with username, email or phone number and password',
        tags: ['sessions'],
        body: Type.Object(
          {
            identifier: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            /** Cancel a pending account deletion and sign in (offered after `account_deletion_pending`). */
            restore: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ memberId: Type.String(), sessionId: Type.String() }),
          202: challengeSchema,
          '4xx': problemSchema,
        },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const device = deviceForSignIn(request);
      const result = await sessions.login(
        request.body.identifier,
        request.body.password,
        { ip: request.ip, userAgent: request.headers['user-agent'], deviceToken: device.token },
        { restore: request.body.restore === true },
      );
      // The device cookie (login-security, P1.6) is set once the password was right.
      if (device.fresh) setDeviceCookie(reply, device.token);
      if (result.kind === 'challenge') {
        setChallengeCookie(reply, result.browserToken);
        return reply.code(202).send({ challenge: { id: result.challengeId, methods: result.methods, reason: result.reason } });
      }
      setSessionCookie(reply, result.token);
      return reply.code(201).send({ memberId: result.memberId, sessionId: result.sessionId });
    },
  );

  app.get(
    '/api/me',
    {
      preHandler: requireMember,
      schema: {
        summary: 'The signed-in member',
        tags: ['sessions'],
        response: {
          200: Type.Object({ id: Type.String(), username: Type.String(), status: Type.String(), language: Type.String(), nikLast4: Type.String() }),
          '4xx': problemSchema,
        },
      },
    },
    async (request) => {
      const me = current(request);
      return { id: me.memberId, username: me.username, status: me.status, language: me.language, nikLast4: me.nikLast4 };
    },
  );

  app.get(
    '/api/sessions',
    {
      preHandler: requireMember,
      schema: {
        summary: 'My sessions: device, browser, when started and last used',
        tags: ['sessions'],
        response: {
          200: Type.Object({
            sessions: Type.Array(
              Type.Object({
                id: Type.String(),
                device: Type.String(),
                /** Browser and system names as parsed from the user agent (the page words them in the member's language). */
                browser: Type.Union([Type.String(), Type.Null()]),
                os: Type.Union([Type.String(), Type.Null()]),
                /** Approximate place from the IP address at sign-in. */
                place: Type.Union([Type.Object({ city: Type.String(), country: Type.String() }), Type.Null()]),
                /** Only when the member shared the browser's location for this session. */
                location: Type.Union([locationSchema, Type.Null()]),
                createdAt: Type.String({ format: 'date-time' }),
                lastSeenAt: Type.String({ format: 'date-time' }),
                current: Type.Boolean(),
              }),
            ),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request) => {
      const rows = await sessions.list(current(request).memberId);
      return {
        sessions: rows.map((s) => ({
          id: s.id,
          device: s.device_label,
          browser: s.browser,
          os: s.os,
          place: s.place,
          location: s.location,
          createdAt: s.created_at.toISOString(),
          lastSeenAt: s.last_seen_at.toISOString(),
          current: s.id === current(request).sessionId,
        })),
      };
    },
  );

  app.put(
    '/api/sessions/current/location',
    {
      preHandler: requireMember,
      schema: {
        summary: "Share this browser's location with this session (P1.6; sent only after the browser's permission prompt; stored to about 1 km)",
        tags: ['sessions'],
        body: locationSchema,
        response: { 200: locationSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request) => sessions.shareLocation(current(request).memberId, current(request).sessionId, request.body),
  );

  app.delete(
    '/api/sessions/current/location',
    { preHandler: requireMember, schema: { summary: "Remove the location shared with this session", tags: ['sessions'], response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await sessions.forgetLocation(current(request).memberId, current(request).sessionId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/sessions/current',
    { preHandler: requireMember, schema: { summary: 'Sign out', tags: ['sessions'], response: { 204: Type.Null(), '4xx': problemSchema } } },
    async (request, reply) => {
      await sessions.revoke(current(request).memberId, current(request).sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/sessions/others',
    {
      preHandler: requireMember,
      schema: { summary: 'Sign out everywhere else', tags: ['sessions'], response: { 200: Type.Object({ ended: Type.Integer() }), '4xx': problemSchema } },
    },
    async (request) => ({ ended: await sessions.revokeOthers(current(request).memberId, current(request).sessionId) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/sessions/:id',
    {
      preHandler: requireMember,
      schema: { summary: 'Sign out one of my sessions', tags: ['sessions'], params: Type.Object({ id: uuid }), response: { 204: Type.Null(), '4xx': problemSchema } },
    },
    async (request, reply) => {
      if (!(await sessions.revoke(current(request).memberId, request.params.id))) throw new AppError('not_found', 404, 'no such session');
      return reply.code(204).send(null);
    },
  );
};
