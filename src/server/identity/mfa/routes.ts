import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { deviceForSignIn, setDeviceCookie } from '../login-security/http.js';
import { CHALLENGE_COOKIE, clearChallengeCookie, setSessionCookie, signedInMember } from '../sessions/routes.js';
import type { AuthenticatedSession, SessionService } from '../sessions/service.js';
import { PASSKEY_NAME_MAX, type ChallengeAnswer, type MfaService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const b64url = Type.String({ maxLength: 16_384, pattern: '^[A-Za-z0-9_-]*={0,2}$' });
const code = Type.String({ minLength: 1, maxLength: 40 });
const transports = Type.Array(Type.Union(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'].map((t) => Type.Literal(t))), { maxItems: 8 });

/**
 * The browser's PublicKeyCredential JSON. Every field is declared because the app strips unknown
 * properties before the handler sees them.
 */
const authenticationResponse = Type.Object({
  id: b64url,
  rawId: b64url,
  type: Type.Literal('public-key'),
  authenticatorAttachment: Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')])),
  clientExtensionResults: Type.Object({}),
  response: Type.Object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: Type.Optional(b64url),
  }),
});
const registrationResponse = Type.Object({
  id: b64url,
  rawId: b64url,
  type: Type.Literal('public-key'),
  authenticatorAttachment: Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')])),
  clientExtensionResults: Type.Object({}),
  response: Type.Object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    authenticatorData: Type.Optional(b64url),
    transports: Type.Optional(transports),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(b64url),
  }),
});
/** WebAuthn options go to the browser as they are (the browser library reads them). */
const webauthnOptions = Type.Object({}, { additionalProperties: true });

const passkeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  synced: Type.Boolean(),
});
const recoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

/**
 * Answering sign-in challenges (/api/sessions/challenge…), passwordless passkey sign-in
 * (/api/sessions/passkey…), and the signed-in member's second factors (/api/mfa…).
 */
/** How recent a sign-in must be to add or remove a second factor. */
export const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

export const mfaRoutes: FastifyPluginAsyncTypebox<{ mfa: MfaService; sessions: SessionService }> = async (app, { mfa, sessions }) => {
  const signedIn = (request: FastifyRequest) => signedInMember(sessions, request);
  /**
   * Adding or removing a way to sign in needs a recent sign-in (the last 10 minutes), so a session
   * cookie stolen or left open on a shared device cannot plant its own authenticator or passkey.
   */
  async function recentlySignedIn(request: FastifyRequest): Promise<AuthenticatedSession> {
    const session = await signedIn(request);
    const startedAt = await sessions.startedAt(session.sessionId);
    if (!startedAt || Date.now() - startedAt.getTime() > RECENT_SIGN_IN_MS) throw new AppError('reauth_required', 403, 'sign-in too old for a factor change');
    return session;
  }
  const contextOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });
  /** The session's context, with the login-security device cookie (set here if the browser has none yet). */
  const signInContextOf = (request: FastifyRequest, reply: FastifyReply) => {
    const device = deviceForSignIn(request);
    if (device.fresh) setDeviceCookie(reply, device.token);
    return { ...contextOf(request), deviceToken: device.token };
  };
  const signInLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };
  const created = Type.Object({ memberId: Type.String(), sessionId: Type.String() });

  // ── Sign-in challenges ────────────────────────────────────────────────────────────────────

  app.post(
    '/api/sessions/challenge',
    {
      schema: {
        summary: 'Pass the second step of a sign-in (TOTP, recovery code, passkey, or an emailed/texted code)',
        tags: ['sessions'],
        body: Type.Object({
          challengeId: uuid,
          method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('email_code'), Type.Literal('sms_code'), Type.Literal('passkey')]),
          code: Type.Optional(code),
          response: Type.Optional(authenticationResponse),
        }),
        response: { 201: created, '4xx': problemSchema },
      },
      config: signInLimit,
    },
    async (request, reply) => {
      const { challengeId, method } = request.body;
      let answer: ChallengeAnswer;
      if (method === 'passkey') {
        if (!request.body.response) throw new AppError('validation_failed', 400, 'passkey response missing', { fields: [{ field: 'response', code: 'required' }] });
        answer = { method, response: request.body.response as AuthenticationResponseJSON };
      } else {
        if (!request.body.code) throw new AppError('validation_failed', 400, 'code missing', { fields: [{ field: 'code', code: 'required' }] });
        answer = { method, code: request.body.code };
      }
      const passed = await mfa.completeChallenge(challengeId, request.cookies[CHALLENGE_COOKIE], answer, contextOf(request));
      if (passed.restoreDeletion) await sessions.restoreDeletion(passed.memberId);
      const session = await sessions.createSession({ id: passed.memberId }, signInContextOf(request, reply), { method: 'challenge', challengeId, factor: passed.method });
      clearChallengeCookie(reply);
      setSessionCookie(reply, session.token);
      return reply.code(201).send({ memberId: session.memberId, sessionId: session.sessionId });
    },
  );

  app.post(
    '/api/sessions/challenge/send',
    {
      schema: {
        summary: 'Send a 6-digit sign-in code to my verified email or phone (step-up)',
        tags: ['sessions'],
        body: Type.Object({ challengeId: uuid, method: Type.Union([Type.Literal('email_code'), Type.Literal('sms_code')]) }),
        response: { 202: Type.Object({ sent: Type.Literal(true) }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await mfa.requestChallengeCode(request.body.challengeId, request.cookies[CHALLENGE_COOKIE], request.body.method);
      return reply.code(202).send({ sent: true });
    },
  );

  app.post(
    '/api/sessions/challenge/passkey-options',
    {
      schema: {
        summary: 'WebAuthn options for answering a sign-in challenge with a passkey',
        tags: ['sessions'],
        body: Type.Object({ challengeId: uuid }),
        response: { 200: webauthnOptions, '4xx': problemSchema },
      },
      config: signInLimit,
    },
    async (request) => mfa.challengePasskeyOptions(request.body.challengeId, request.cookies[CHALLENGE_COOKIE]),
  );

  // ── Passwordless sign-in with a passkey ───────────────────────────────────────────────────

  app.post(
    '/api/sessions/passkey/options',
    { schema: { summary: 'WebAuthn options for signing in with a passkey', tags: ['sessions'], response: { 200: webauthnOptions, '4xx': problemSchema } }, config: signInLimit },
    async () => mfa.passkeySignInOptions(),
  );

  app.post(
    '/api/sessions/passkey',
    {
      schema: {
        summary: 'Sign in with a passkey (no password)',
        tags: ['sessions'],
        body: Type.Object({ response: authenticationResponse }),
        response: { 201: created, '4xx': problemSchema },
      },
      config: signInLimit,
    },
    async (request, reply) => {
      const { memberId, passkeyId } = await mfa.passkeySignIn(request.body.response as AuthenticationResponseJSON);
      const session = await sessions.createSession({ id: memberId }, signInContextOf(request, reply), { method: 'passkey' });
      request.log.info({ passkeyId }, 'passkey sign-in');
      setSessionCookie(reply, session.token);
      return reply.code(201).send({ memberId: session.memberId, sessionId: session.sessionId });
    },
  );

  // ── My second factors ─────────────────────────────────────────────────────────────────────

  app.get(
    '/api/mfa',
    {
      schema: {
        summary: 'My second factors: authenticator app, recovery codes left, passkeys',
        tags: ['mfa'],
        response: {
          200: Type.Object({
            totp: Type.Object({ enabled: Type.Boolean(), pending: Type.Boolean() }),
            recoveryCodesLeft: Type.Integer(),
            passkeys: Type.Array(passkeySchema),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request) => {
      const status = await mfa.status((await signedIn(request)).memberId);
      return {
        ...status,
        passkeys: status.passkeys.map((p) => ({ ...p, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null })),
      };
    },
  );

  app.post(
    '/api/mfa/totp',
    {
      schema: {
        summary: 'Start setting up an authenticator app: a new secret (pending until confirmed), its otpauth URI and QR code',
        tags: ['mfa'],
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String(), qrSvgDataUrl: Type.String() }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const setup = await mfa.startTotp((await recentlySignedIn(request)).memberId);
      void reply.header('cache-control', 'no-store');
      return setup;
    },
  );

  app.post(
    '/api/mfa/totp/confirm',
    {
      schema: {
        summary: 'Confirm the authenticator app with a code; turns it on and returns 10 one-time recovery codes (shown once)',
        tags: ['mfa'],
        body: Type.Object({ code }),
        response: { 200: recoveryCodes, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await mfa.confirmTotp((await signedIn(request)).memberId, request.body.code);
      void reply.header('cache-control', 'no-store');
      return result;
    },
  );

  app.post(
    '/api/mfa/totp/disable',
    {
      schema: {
        summary: 'Turn the authenticator app off (needs the current password and a code)',
        tags: ['mfa'],
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }), code }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await mfa.disableTotp((await signedIn(request)).memberId, request.body.password, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/mfa/recovery-codes',
    {
      schema: {
        summary: 'New recovery codes (the old ones stop working); needs a current code',
        tags: ['mfa'],
        body: Type.Object({ code }),
        response: { 200: recoveryCodes, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await mfa.regenerateRecoveryCodes((await signedIn(request)).memberId, request.body.code);
      void reply.header('cache-control', 'no-store');
      return result;
    },
  );

  app.post(
    '/api/mfa/passkeys/options',
    { schema: { summary: 'WebAuthn options for registering a passkey', tags: ['mfa'], response: { 200: webauthnOptions, '4xx': problemSchema } } },
    async (request) => mfa.passkeyRegistrationOptions((await recentlySignedIn(request)).memberId),
  );

  app.post(
    '/api/mfa/passkeys',
    {
      schema: {
        summary: 'Register a passkey',
        tags: ['mfa'],
        body: Type.Object({ response: registrationResponse, name: Type.String({ maxLength: PASSKEY_NAME_MAX }) }),
        response: { 201: Type.Object({ id: Type.String() }), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const result = await mfa.registerPasskey((await recentlySignedIn(request)).memberId, request.body.response as RegistrationResponseJSON, request.body.name);
      return reply.code(201).send(result);
    },
  );

  app.patch<{ Params: { id: string }; Body: { name: string } }>(
    '/api/mfa/passkeys/:id',
    {
      schema: {
        summary: 'Rename one of my passkeys',
        tags: ['mfa'],
        params: Type.Object({ id: uuid }),
        body: Type.Object({ name: Type.String({ maxLength: PASSKEY_NAME_MAX }) }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      if (!(await mfa.renamePasskey((await signedIn(request)).memberId, request.params.id, request.body.name))) throw new AppError('not_found', 404, 'no such passkey');
      return reply.code(204).send(null);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/mfa/passkeys/:id',
    {
      schema: { summary: 'Remove one of my passkeys', tags: ['mfa'], params: Type.Object({ id: uuid }), response: { 204: Type.Null(), '4xx': problemSchema } },
    },
    async (request, reply) => {
      if (!(await mfa.removePasskey((await recentlySignedIn(request)).memberId, request.params.id))) throw new AppError('not_found', 404, 'no such passkey');
      return reply.code(204).send(null);
    },
  );
};
