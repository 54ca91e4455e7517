import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import type { PolicyChangeService } from './reconsent.js';

/**
 * API routes a member may use before re-consenting (by route pattern prefix): the policy and the
 * re-consent itself, signing in and out, and the rights that must never wait on a new policy —
 * reading and exporting one's data, withdrawing consents, correcting, restricting, objecting,
 * deleting the account, reporting a compromised account, contacting support. A module adding such
 * a route adds its prefix here.
 */
export const RECONSENT_EXEMPT_PREFIXES: readonly string[] = [
  // the policy and the answer to it
  '/api/me/policy',
  '/api/policy',
  '/api/csrf',
  // data-subject rights: access, export, withdrawal, correction, restriction, objection, erasure
  '/api/me/data',
  '/api/me/exports',
  '/api/me/consents',
  '/api/me/face/consent',
  '/api/me/account-details',
  '/api/me/restrictions',
  '/api/me/profile/ranking',
  '/api/me/deletion',
  // security: "my account is compromised" never waits
  '/api/account/compromised',
  // public routes that a stale session cookie must not block
  '/api/accounts',
  '/api/guardians',
  '/api/password-resets',
  '/api/support',
  '/api/cookie-consent',
  '/api/newsletter',
  '/api/docs',
  '/api/openapi.json',
];

/** Signing in (password, challenge, passkey) and ending sessions (this one, others) stay open. */
function exemptSessionRoute(method: string, url: string): boolean {
  if (!url.startsWith('/api/sessions')) return false;
  return method === 'POST' || method === 'DELETE';
}

/**
 * One `onRequest` hook for every route (P7.2 "re-consent at next login"): a signed-in member who
 * has not accepted (or, for a version reducing rights, declined) the current material version gets
 * 403 `policy_reconsent_required` from every member API route but the exempt ones. Cost on a hot
 * path: a string test, then — only when a material version exists — the session (the session
 * service's in-memory cache) and one Map lookup (see PolicyChangeService.needsReconsent).
 */
export function policyReconsentGate(deps: { sessions: SessionService; changes: PolicyChangeService }) {
  return async function reconsentGate(request: FastifyRequest): Promise<void> {
    const url = request.routeOptions.url;
    if (!url || !url.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    // No material version in force: nothing to check, not even the session.
    if (deps.changes.peekNoReconsent() === false) return;
    for (const prefix of RECONSENT_EXEMPT_PREFIXES) if (url.startsWith(prefix)) return;
    // Who is signed in stays answerable, so the header does not show "sign in" while re-consenting.
    if (url === '/api/me' && request.method === 'GET') return;
    if (exemptSessionRoute(request.method, url)) return;
    const session = await deps.sessions.authenticate(token);
    if (!session) return;
    if (deps.changes.peekNoReconsent(session.memberId) === false) return;
    if (await deps.changes.needsReconsent(session.memberId)) {
      throw new AppError('policy_reconsent_required', 403, 'the member has not decided on the current material policy version', {
        messageKey: 'policyChanges.errors.reconsentRequired',
      });
    }
  };
}
