import fastifyWebsocket from '@fastify/websocket';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { isLanguage } from '../../../common/i18n/index.js';
import { SESSION_COOKIE, signedInMember } from '../../identity/sessions/routes.js';
import type { AuthenticatedSession, SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { t } from '../../platform/i18n/i18n.js';
import type { LiveConnection, RealtimeHub } from './hub.js';

/** Largest inbound frame (text only: photos go over REST). */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Inbound frames per socket: a bucket of 30, refilled at 10 per second. */
const BUCKET = 30;
const REFILL_PER_SECOND = 10;
/** A socket that keeps flooding after this many refusals is closed (1008 policy violation). */
const MAX_REFUSALS = 50;

export interface LiveRoutesOptions {
  hub: RealtimeHub;
  sessions: SessionService;
  /** PUBLIC_URL: the only origin whose pages may open the socket. */
  publicUrl: string;
  production: boolean;
  /** Ping every socket this often; one without a pong since the last ping is closed. */
  keepaliveMs?: number;
}

/**
 * `GET /api/live`: the member's WebSocket. Authenticated by the session cookie on the upgrade;
 * the Origin must be PUBLIC_URL's (a browser sends cookies with a cross-site WebSocket upgrade and
 * CSRF tokens do not apply to GET, so this check is what stops cross-site WebSocket hijacking).
 * Outside production the server's own https origin (its Host) is accepted too, for test servers on
 * random ports. Events for the member arrive from the hub; inbound frames `{type, …}` go to the
 * handler registered for their type, with a per-socket rate limit.
 */
export const liveRoutes: FastifyPluginAsyncTypebox<LiveRoutesOptions> = async (app, { hub, sessions, publicUrl, production, keepaliveMs = 25_000 }) => {
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  const allowedOrigin = new URL(publicUrl).origin;
  const authenticated = new WeakMap<FastifyRequest, AuthenticatedSession>();
  const live = new Map<WebSocket, { alive: boolean; token: string; sessionId: string; connection: LiveConnection }>();

  const timer = setInterval(() => {
    const checked: [WebSocket, string][] = [];
    for (const [socket, state] of live) {
      if (!state.alive) {
        socket.terminate();
        continue;
      }
      state.alive = false;
      socket.ping();
      checked.push([socket, state.sessionId]);
    }
    // A session ended elsewhere (sign-out, password reset, compromise) also ends its sockets:
    // every socket's session checked in one query, not one each (a burst that stalled chat).
    sessions
      .stillValid(checked.map(([, id]) => id))
      .then((valid) => {
        for (const [socket, id] of checked) if (!valid.has(id)) socket.close(4401, 'session ended');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'live sessions could not be checked'));
  }, keepaliveMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get(
    '/api/live',
    {
      websocket: true,
      schema: { summary: 'The signed-in member’s live events (WebSocket): chat messages and receipts, requests, notifications', tags: ['realtime'] },
      // No route limit beyond the global per-IP one: many members share an IP behind carrier-grade NAT.
      preValidation: async (request) => {
        const origin = request.headers.origin;
        const ownOrigin = request.headers.host ? `https://${request.headers.host}` : undefined;
        if (!origin || (origin !== allowedOrigin && (production || origin !== ownOrigin))) {
          request.log.warn({ origin: origin ?? null }, 'live socket refused: foreign origin');
          throw new AppError('csrf_invalid', 403, 'websocket origin not allowed');
        }
        authenticated.set(request, await signedInMember(sessions, request));
      },
    },
    (socket, request) => {
      const session = authenticated.get(request);
      if (!session) {
        socket.close(4401, 'unauthenticated');
        return;
      }
      const language = isLanguage(session.language) ? session.language : request.language;
      const connection: LiveConnection = {
        memberId: session.memberId,
        send: (data) => {
          if (socket.readyState === socket.OPEN) socket.send(data);
        },
      };
      const state = { alive: true, token: request.cookies[SESSION_COOKIE] ?? '', sessionId: session.sessionId, connection };
      live.set(socket, state);
      hub.add(connection);
      socket.on('pong', () => {
        state.alive = true;
      });

      let tokens = BUCKET;
      let refilledAt = Date.now();
      let refusals = 0;
      const reply = (event: { type: string; [key: string]: unknown }) => connection.send(JSON.stringify(event));
      const problem = (code: string, detailKey: string, extra: Record<string, unknown> = {}) =>
        reply({ type: 'error', code, detail: t(language, detailKey, extra.params as Record<string, unknown> | undefined), ...extra });

      socket.on('message', (data, isBinary) => {
        const now = Date.now();
        tokens = Math.min(BUCKET, tokens + ((now - refilledAt) / 1000) * REFILL_PER_SECOND);
        refilledAt = now;
        if (tokens < 1) {
          refusals += 1;
          if (refusals > MAX_REFUSALS) socket.close(1008, 'rate limited');
          else problem('rate_limited', 'errors.rate_limited', { params: { seconds: 1 } });
          return;
        }
        tokens -= 1;
        let frame: unknown;
        try {
          frame = isBinary ? undefined : JSON.parse(String(data));
        } catch {
          frame = undefined;
        }
        if (typeof frame !== 'object' || frame === null || Array.isArray(frame) || typeof (frame as { type?: unknown }).type !== 'string') {
          problem('bad_request', 'errors.bad_request');
          return;
        }
        const type = (frame as { type: string }).type;
        if (type === 'ping') {
          reply({ type: 'pong' });
          return;
        }
        const handler = hub.frameHandler(type);
        if (!handler) {
          problem('bad_request', 'errors.bad_request');
          return;
        }
        void (async () => {
          // The session may have ended since the upgrade (cached for up to SESSION_CACHE_MS).
          if (!(await sessions.authenticate(state.token))) {
            socket.close(4401, 'session ended');
            return;
          }
          await handler({ memberId: session.memberId, language, reply }, frame as Record<string, unknown>);
        })().catch((err: unknown) => {
          request.log.error({ err, type }, 'live frame handler failed');
          problem('internal', 'errors.internal');
        });
      });

      socket.on('close', () => {
        live.delete(socket);
        hub.remove(connection);
      });
      reply({ type: 'live.ready' });
    },
  );
};
