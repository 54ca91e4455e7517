import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COOKIE_CHOICE_COOKIE, COOKIE_CHOICE_DAYS, decodeChoice, encodeChoice, type CookieChoice } from '../../../common/cookies.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { CookieConsentService } from './service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const choiceSchema = Type.Object(
  { preferences: Type.Boolean(), analytics: Type.Boolean(), marketing: Type.Boolean() },
  { additionalProperties: false },
);
const answerSchema = Type.Object({
  choice: Type.Union([choiceSchema, Type.Null()]),
  /** The browser sent Sec-GPC: 1; analytics and marketing stay off whatever is chosen. */
  gpc: Type.Boolean(),
});
const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax', signed: true } as const;

type StoredChoice = { kind: 'none' } | { kind: 'tampered' } | { kind: 'valid'; visitorId: string; choice: CookieChoice };

/** Reads the signed choice cookie: `<visitor id>.<three 0/1 digits>`, refused if the signature or shape is wrong. */
function readChoiceCookie(request: FastifyRequest): StoredChoice {
  const raw = request.cookies[COOKIE_CHOICE_COOKIE];
  if (!raw) return { kind: 'none' };
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return { kind: 'tampered' };
  const [visitorId = '', bits = ''] = unsigned.value.split('.');
  const choice = decodeChoice(bits);
  if (!UUID.test(visitorId) || !choice) return { kind: 'tampered' };
  return { kind: 'valid', visitorId, choice };
}

const honourGpc = (choice: CookieChoice, gpc: boolean): CookieChoice => (gpc ? { ...choice, analytics: false, marketing: false } : choice);

/** The cookie banner's API: what was chosen, and a new choice (P2.1). */
export const cookieConsentRoutes: FastifyPluginAsyncTypebox<{ cookies: CookieConsentService; sessions: SessionService }> = async (app, { cookies, sessions }) => {
  const gpcOf = (request: FastifyRequest) => request.headers['sec-gpc'] === '1';
  const memberOf = async (request: FastifyRequest) => (await sessions.authenticate(request.cookies[SESSION_COOKIE]))?.memberId;
  const context = (request: FastifyRequest, visitorId: string | undefined, memberId: string | undefined) => ({
    visitorId,
    memberId,
    language: request.language,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });
  function setChoiceCookie(reply: FastifyReply, visitorId: string, choice: CookieChoice) {
    reply.setCookie(COOKIE_CHOICE_COOKIE, `${visitorId}.${encodeChoice(choice)}`, { ...cookieOptions, maxAge: COOKIE_CHOICE_DAYS * 24 * 3600 });
  }

  app.get(
    '/api/cookie-consent',
    {
      schema: {
        summary: 'The cookie choice of this browser (or of the signed-in member); null until one is made',
        tags: ['privacy'],
        response: { 200: answerSchema, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const gpc = gpcOf(request);
      const stored = readChoiceCookie(request);
      if (stored.kind === 'tampered') {
        request.log.warn({ cookie: COOKIE_CHOICE_COOKIE }, 'cookie choice refused: bad signature or shape');
        reply.clearCookie(COOKIE_CHOICE_COOKIE, cookieOptions);
        throw new AppError('cookie_invalid', 400, 'cookie choice tampered');
      }
      const memberId = await memberOf(request);
      if (memberId) {
        const own = await cookies.memberChoice(memberId);
        if (own) return { choice: honourGpc(own, gpc), gpc };
        // First request after signing in on a browser that already chose: the choice joins the account.
        if (stored.kind === 'valid') {
          await cookies.record(stored.choice, context(request, stored.visitorId, memberId));
          return { choice: honourGpc(stored.choice, gpc), gpc };
        }
      }
      return { choice: stored.kind === 'valid' ? honourGpc(stored.choice, gpc) : null, gpc };
    },
  );

  app.put(
    '/api/cookie-consent',
    {
      schema: {
        summary: 'Make or change the cookie choice; recorded in the consent ledger (with Sec-GPC: 1, analytics and marketing stay off)',
        tags: ['privacy'],
        body: choiceSchema,
        response: { 200: answerSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const gpc = gpcOf(request);
      const stored = readChoiceCookie(request);
      if (stored.kind === 'tampered') request.log.warn({ cookie: COOKIE_CHOICE_COOKIE }, 'cookie choice replaced: bad signature or shape');
      const choice = honourGpc(request.body, gpc);
      const { visitorId } = await cookies.record(choice, context(request, stored.kind === 'valid' ? stored.visitorId : undefined, await memberOf(request)));
      setChoiceCookie(reply, visitorId, choice);
      return { choice, gpc };
    },
  );
};
