import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { AppError } from './app-error.js';

export interface SecurityOptions {
  cookieSecret: Buffer;
  production: boolean;
  rateLimitPerMinute: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this unsafe /api route is authorized by a single-use token instead of a CSRF token. */
    csrf?: boolean;
  }
}

export const CSRF_COOKIE = '__Host-kenalan-csrf';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Security headers (strict CSP, HSTS), signed cookies, CSRF protection on every state-changing
 * API call, and rate limits. Registered before any route.
 */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  // helmet builds its header values once here; @fastify/helmet would rebuild them on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: [],
      },
    },
    // A long HSTS on localhost would pin every local dev server to HTTPS; production gets a year.
    strictTransportSecurity: { maxAge: options.production ? 31_536_000 : 300, includeSubDomains: options.production },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // Our helmet options do not depend on the request: run it once against a recorder and give every
  // reply the same header object, which Fastify writes in one writeHead (helmet's twelve setHeader
  // calls per request were ~9% of an authenticated request's CPU, bench/results/session.md).
  const headers = await recordHeaders(securityHeaders);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });

  await app.register(fastifyCookie, { secret: options.cookieSecret.toString('base64') });

  // Double-submit CSRF: a signed secret in a __Host- cookie, the token in the x-csrf-token header.
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', httpOnly: true, secure: true, sameSite: 'strict', signed: true },
    getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
  });
  app.addHook('onRequest', (request, reply, done) => {
    // A route may opt out only when something else authorizes it (e.g. RFC 8058 one-click unsubscribe's token).
    if (UNSAFE_METHODS.has(request.method) && request.url.startsWith('/api/') && request.routeOptions.config?.csrf !== false) {
      app.csrfProtection(request, reply, done);
    } else {
      done();
    }
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerMinute,
    timeWindow: '1 minute',
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', 429, 'rate limited', { params: { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) } }),
  });
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The headers a request-independent middleware sets, captured once. */
async function recordHeaders(middleware: Middleware): Promise<Record<string, string>> {
  const recorded: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete recorded[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  await new Promise<void>((resolve, reject) => middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res, (err) => (err ? reject(err as Error) : resolve())));
  return recorded;
}
