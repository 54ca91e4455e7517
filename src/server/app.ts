import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Language } from '../common/i18n/index.js';
import type { Config } from './config.js';
import { devRoutes } from './dev/routes.js';
import { accountsRoutes } from './identity/accounts/routes.js';
import type { AccountsService } from './identity/accounts/service.js';
import { guardiansRoutes } from './identity/guardians/routes.js';
import type { GuardiansService } from './identity/guardians/service.js';
import { sessionRoutes } from './identity/sessions/routes.js';
import type { SessionService } from './identity/sessions/service.js';
import { mfaRoutes } from './identity/mfa/routes.js';
import type { MfaService } from './identity/mfa/service.js';
import { recoveryRoutes } from './identity/recovery/routes.js';
import type { RecoveryService } from './identity/recovery/service.js';
import { supportRoutes } from './ops/support/routes.js';
import type { SupportService } from './ops/support/service.js';
import type { Keyring } from './platform/crypto/keyring.js';
import type { DatabaseHandle } from './platform/db/database.js';
import { healthRoutes } from './platform/http/health.js';
import { registerProblemHandlers, sendProblem } from './platform/http/problem.js';
import { problemSchema } from './platform/http/schemas.js';
import { registerSecurity } from './platform/http/security.js';
import { negotiateLanguage } from './platform/i18n/i18n.js';
import type { JobQueue } from './platform/jobs/queue.js';
import type { Mailer } from './platform/mail/mailer.js';
import { newsletterRoutes } from './marketing/newsletter/routes.js';
import type { NewsletterService } from './marketing/newsletter/service.js';
import { consentRoutes } from './privacy/consent/routes.js';
import { yourDataRoutes } from './privacy/your-data/routes.js';
import { exportRoutes } from './privacy/export/routes.js';
import type { ExportService } from './privacy/export/service.js';
import { erasureRoutes } from './privacy/erasure/routes.js';
import type { ErasureService } from './privacy/erasure/service.js';
import type { YourDataService } from './privacy/your-data/service.js';
import { rightsRoutes } from './privacy/rights/routes.js';
import type { RightsService } from './privacy/rights/service.js';
import type { ConsentLedger } from './privacy/consent/ledger.js';
import { cookieConsentRoutes } from './privacy/cookies/routes.js';
import type { CookieConsentService } from './privacy/cookies/service.js';
import { policyRoutes } from './privacy/policy/routes.js';
import { graphRoutes } from './social/graph/routes.js';
import type { GraphService } from './social/graph/service.js';
import { profileRoutes } from './social/profiles/routes.js';
import type { ProfileService } from './social/profiles/service.js';
import type { Discovery } from './social/profiles/discovery.js';
import { chatRoutes } from './social/chat/routes.js';
import type { ChatService } from './social/chat/service.js';
import { postsRoutes } from './social/posts/routes.js';
import type { PostsService } from './social/posts/service.js';
import type { NotificationsService } from './social/posts/notifications-service.js';
import type { RealtimeHub } from './social/realtime/hub.js';
import { liveRoutes } from './social/realtime/routes.js';
import type { PolicyService } from './privacy/policy/service.js';
import { policyReconsentGate } from './privacy/policy/gate.js';
import type { PolicyChangeService } from './privacy/policy/reconsent.js';

import { faceRoutes } from './verification/face/routes.js';
import { moderationRoutes } from './ops/moderation/routes.js';
import type { ModerationService } from './ops/moderation/service.js';
import { staffRoutes } from './ops/staff/routes.js';
import type { FaceService } from './verification/face/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language this request is answered in (see negotiateLanguage). */
    language: Language;
  }
}

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  keyring: Keyring;
  cookieSecret: Buffer;
  jobs: JobQueue;
  mailer: Mailer;
  support: SupportService;
  accounts: AccountsService;
  guardians: GuardiansService;
  sessions: SessionService;
  mfa: MfaService;
  recovery: RecoveryService;
  policy: PolicyService;
  /** Policy changes: re-consent state and decisions (P7.1, P7.2). */
  policyChanges: PolicyChangeService;
  cookies: CookieConsentService;
  consent: ConsentLedger;
  newsletters: NewsletterService;
  yourData: YourDataService;
  exports: ExportService;
  /** "Delete my account": grace period, data-map-driven erasure, receipt (privacy/erasure/). */
  erasure: ErasureService;
  /** Reveal after re-authentication, correction, restriction, the privacy officer's request log (privacy/rights). */
  rights: RightsService;
  /** Kenalan requests, connections, blocks, reports (social/graph). */
  graph: GraphService;
  /** Profiles, photos, location cells and discovery (social/profiles). */
  profiles: ProfileService;
  discovery: Discovery;
  /** Live events to members' sockets over LISTEN/NOTIFY, GET /api/live (social/realtime, ADR 0015). */
  realtime: RealtimeHub;
  /** 1:1 chat between connected members (social/chat). */
  chat: ChatService;
  /** Updates (posts), likes, comments, cross-border record (social/posts). */
  posts: PostsService;
  /** Notifications: list, read state, email preferences (social/posts). */
  notifications: NotificationsService;
  /** Face verification (verification/face, P1.5): consent, challenge, check, badge, review queue. */
  face: FaceService;
  /** The moderators' queue of member reports and its decisions (ops/moderation). */
  moderation: ModerationService;
  logger: Logger;
  /** Set by main once migrations, keys and the queue are up; /readyz reports it. */
  isReady: () => boolean;
  https?: { cert: string; key: string };
  /** Built web app; defaults to dist/web at the repository root (the same path from src/ and dist/). */
  webRoot?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_ROOT = path.resolve(here, '../../dist/web');

/** The one app factory: main, tests and benchmarks all build Kenalan through it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    ...(deps.https ? { https: { ...deps.https, minVersion: 'TLSv1.2' as const } } : {}),
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 64 * 1024,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: 'all', coerceTypes: false, allErrors: true } },
    return503OnClosing: true,
    // Health probes are polled constantly and log nothing: skip building a request logger for them
    // (the child's bindings go through log redaction, platform/logging/redaction.ts).
    childLoggerFactory: (logger, bindings, options, rawRequest) =>
      rawRequest.url === '/healthz' || rawRequest.url === '/readyz' ? logger : logger.child(bindings, options),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('language', 'id' as Language);
  app.addHook('onRequest', async (request) => {
    request.language = negotiateLanguage({
      query: (request.query as Record<string, unknown> | undefined)?.lang,
      acceptLanguage: request.headers['accept-language'],
      fallback: config.DEFAULT_LANGUAGE,
    });
  });

  registerProblemHandlers(app);
  app.addSchema(problemSchema);
  await registerSecurity(app, {
    cookieSecret: deps.cookieSecret,
    production: config.NODE_ENV === 'production',
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  await app.register(fastifyFormbody);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kenalan API', version: '0.1.0', description: 'Kenalan: the social connection app whose Privacy Policy is executable.' },
      servers: [{ url: config.PUBLIC_URL }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/api/csrf',
    { schema: { summary: 'A CSRF token for the next state-changing request (send it as x-csrf-token)', tags: ['security'] } },
    async (_request, reply) => ({ token: reply.generateCsrf() }),
  );

  // Re-consent after a material policy change (P7.2): one hook before every route, see privacy/policy/gate.ts.
  app.addHook('onRequest', policyReconsentGate({ sessions: deps.sessions, changes: deps.policyChanges }));
  await app.register(healthRoutes, { database: deps.database, isReady: deps.isReady });
  await app.register(supportRoutes, { support: deps.support });
  await app.register(accountsRoutes, { accounts: deps.accounts });
  await app.register(guardiansRoutes, { guardians: deps.guardians });
  await app.register(sessionRoutes, { sessions: deps.sessions });
  await app.register(mfaRoutes, { mfa: deps.mfa, sessions: deps.sessions });
  await app.register(recoveryRoutes, { recovery: deps.recovery, sessions: deps.sessions });
  await app.register(newsletterRoutes, { newsletters: deps.newsletters });
  await app.register(exportRoutes, { exports: deps.exports, sessions: deps.sessions });
  await app.register(erasureRoutes, { erasure: deps.erasure, sessions: deps.sessions });
  await app.register(yourDataRoutes, { yourData: deps.yourData, sessions: deps.sessions, rights: deps.rights });
  await app.register(rightsRoutes, { rights: deps.rights, sessions: deps.sessions, db: deps.database.db });
  await app.register(consentRoutes, { db: deps.database.db, consent: deps.consent, sessions: deps.sessions });
  await app.register(cookieConsentRoutes, { cookies: deps.cookies, sessions: deps.sessions });
  await app.register(policyRoutes, { policy: deps.policy, supportEmail: config.SUPPORT_EMAIL, changes: deps.policyChanges, sessions: deps.sessions });
  await app.register(graphRoutes, { graph: deps.graph, sessions: deps.sessions });
  await app.register(profileRoutes, { profiles: deps.profiles, discovery: deps.discovery, sessions: deps.sessions });
  await app.register(liveRoutes, { hub: deps.realtime, sessions: deps.sessions, publicUrl: config.PUBLIC_URL, production: config.NODE_ENV === 'production' });
  await app.register(chatRoutes, { chat: deps.chat, sessions: deps.sessions });
  await app.register(postsRoutes, { posts: deps.posts, notifications: deps.notifications, sessions: deps.sessions });
  await app.register(faceRoutes, { face: deps.face, sessions: deps.sessions, db: deps.database.db });
  await app.register(moderationRoutes, { moderation: deps.moderation, sessions: deps.sessions, db: deps.database.db });
  await app.register(staffRoutes, { sessions: deps.sessions, db: deps.database.db });
  if (deps.mailer.kind === 'dev-mailbox') await app.register(devRoutes, { database: deps.database, keyring: deps.keyring });

  const webRoot = deps.webRoot ?? DEFAULT_WEB_ROOT;
  const indexHtml = path.join(webRoot, 'index.html');
  if (fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: false, maxAge: '1h', immutable: false });
  }

  // Anything else: the web app for page navigations (client-side routes), problem+json otherwise.
  app.setNotFoundHandler((request, reply) => {
    const accept = request.headers.accept ?? '*/*';
    const wantsPage = request.method === 'GET' && !request.url.startsWith('/api/') && (accept.includes('text/html') || accept.includes('*/*'));
    if (wantsPage && fs.existsSync(indexHtml)) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(fs.createReadStream(indexHtml));
    }
    return sendProblem(reply, request, 'not_found', 404);
  });

  return app;
}
