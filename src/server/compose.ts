import type { Logger } from 'pino';
import type { Config } from './config.js';
import { makeAccountsRepo } from './identity/accounts/repo.js';
import { makeAccountsService } from './identity/accounts/service.js';
import { registerAccountsWorkers } from './identity/accounts/workers.js';
import { makeGuardiansRepo } from './identity/guardians/repo.js';
import { makeGuardiansService } from './identity/guardians/service.js';
import { registerGuardiansWorkers } from './identity/guardians/workers.js';
import { makeRecoveryService } from './identity/recovery/service.js';
import { makePasswordStrengthPool } from './identity/password/strength-pool.js';
import { registerRecoveryWorkers } from './identity/recovery/workers.js';
import { makeGeoLocator } from './identity/login-security/geo.js';
import { makeLoginGuard, type KenalanLoginGuard } from './identity/login-security/login-guard.js';
import { makeLoginSecurity, type LoginSecurity } from './identity/login-security/service.js';
import { registerLoginSecurityWorkers } from './identity/login-security/workers.js';
import { makeSessionService } from './identity/sessions/service.js';
import { makeMfaService, webAuthnConfigFrom } from './identity/mfa/service.js';
import { registerMfaWorkers } from './identity/mfa/workers.js';
import { makeSupportRepo } from './ops/support/repo.js';
import { makeSupportService } from './ops/support/service.js';
import { registerSupportWorkers } from './ops/support/workers.js';
import { Keyring } from './platform/crypto/keyring.js';
import { deriveSecret, loadMasterKey, type MasterKey } from './platform/crypto/master-key.js';
import type { DatabaseHandle } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createJobQueue } from './platform/jobs/queue.js';
import { createDevMailbox, createSmtpMailer } from './platform/mail/mailer.js';
import { createDevSmsOutbox } from './platform/sms/sms.js';
import { makeConsentLedger, type ConsentLedger } from './privacy/consent/ledger.js';
import { makeCookieConsentService } from './privacy/cookies/service.js';
import { makeNewsletterService } from './marketing/newsletter/service.js';
import { registerNewsletterWorkers } from './marketing/newsletter/workers.js';
import { makeYourDataService } from './privacy/your-data/service.js';
import { makeExportService } from './privacy/export/service.js';
import { registerExportWorkers } from './privacy/export/workers.js';
import { makeErasureService } from './privacy/erasure/service.js';
import { registerErasureWorkers } from './privacy/erasure/workers.js';
import { makeRightsService } from './privacy/rights/service.js';
import { makePolicyService } from './privacy/policy/service.js';
import { registerPolicyWorkers } from './privacy/policy/notices.js';
import { makePolicyChangeService } from './privacy/policy/reconsent.js';
import { backfillAdultFrom } from './social/graph/relations.js';
import { makeGraphService } from './social/graph/service.js';
import { registerModerationWorkers } from './ops/moderation/workers.js';
import { makeModerationService } from './ops/moderation/service.js';
import { registerChatLive } from './social/chat/live.js';
import { makeChatService } from './social/chat/service.js';
import { makeRetentionService } from './privacy/retention/service.js';
import { createRealtimeHub } from './social/realtime/hub.js';
import { useNotificationJobs, useNotificationPresence } from './social/posts/notifications.js';
import { makeNotificationsService } from './social/posts/notifications-service.js';
import { makePostsService } from './social/posts/service.js';
import { registerPostsWorkers } from './social/posts/workers.js';
import { makeProfileService } from './social/profiles/service.js';
import { makeDiscovery } from './social/profiles/discovery.js';
import { isRestricted } from './privacy/rights/restrictions.js';
import { verifiedMembers } from './verification/face/badge.js';
import { makeFaceEngine } from './verification/face/engine.js';
import { makeFaceService } from './verification/face/service.js';
import type { AppDeps } from './app.js';

export interface Services extends Omit<AppDeps, 'https' | 'webRoot' | 'isReady'> {
  masterKey: MasterKey;
  consent: ConsentLedger;
  /** Brute-force defence (login-security, ADR 0009); password reset lifts its lock with `clearAccount`. */
  loginGuard: KenalanLoginGuard;
  /** Device identifier and sign-in risk score (login-security, ADR 0009). */
  loginSecurity: LoginSecurity;
  stop(): Promise<void>;
}

/**
 * Wires every service from config and an open database: migrations, keys, queue, mail, modules.
 * Used by main (with TLS and listen on top), by tests and by benchmarks.
 */
export async function composeServices(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
  options: { masterKey?: MasterKey; workers?: boolean } = {},
): Promise<Services> {
  const { db } = database;
  await migrateToLatest(db);
  const masterKey = options.masterKey ?? loadMasterKey({ fromEnv: config.KENALAN_MASTER_KEY, dataDir: config.dataDir });
  const keyring = await Keyring.load(db, masterKey);
  await backfillAdultFrom(db, keyring);
  const jobs = createJobQueue(db, { pollSeconds: config.JOB_POLL_SECONDS, logger });
  await jobs.start();
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL, config.MAIL_FROM) : createDevMailbox(db, keyring, config.MAIL_FROM);
  const sms = createDevSmsOutbox(db, keyring);
  const support = makeSupportService({ db, repo: makeSupportRepo(), keyring, jobs });
  const policy = makePolicyService({ db, jobs });
  await policy.ensureSeedPublished();
  const consent = makeConsentLedger({ db, keyring, policy });
  const policyChanges = makePolicyChangeService({ db, policy, consent });
  const cookies = makeCookieConsentService({ db, consent });
  const yourData = makeYourDataService({ db, keyring });
  const exports = makeExportService({ db, keyring, yourData, jobs, dataDir: config.dataDir, logger });
  const rights = makeRightsService({ db, keyring, revealSecret: deriveSecret(masterKey, 'reveal-token') });
  let stopExportSweeper: (() => void) | undefined;
  let stopRetentionSweeper: (() => void) | undefined;
  const newsletters = makeNewsletterService({ db, keyring, consent, jobs, mailer, publicUrl: config.PUBLIC_URL, logger });
  // zxcvbn's matching (10–100 ms a password) on a worker thread instead of the event loop.
  const passwordStrength = makePasswordStrengthPool({ onFallback: (err) => logger.warn({ err }, 'password strength worker failed; checked on the main thread') });
  const accounts = makeAccountsService({ db, repo: makeAccountsRepo(), keyring, jobs, consent, dataDir: config.dataDir, checkPassword: passwordStrength.check });
  const guardians = makeGuardiansService({ db, repo: makeGuardiansRepo(), keyring, jobs, consent, policy, mailer, dataDir: config.dataDir, logger });
  const loginGuard = makeLoginGuard({ db, keyring, settings: { baseDelayMs: config.LOGIN_DELAY_MS, maxDelayMs: 32 * config.LOGIN_DELAY_MS } });
  // One geo locator per process (geoip-lite is ~150 MB once loaded): sign-in places and where updates are posted from (P6.1).
  const geo = makeGeoLocator({ enabled: config.GEOIP_LOOKUP });
  const loginSecurity = makeLoginSecurity({ db, keyring, guard: loginGuard, geo, jobs });
  const mfa = makeMfaService({ db, keyring, jobs, webauthn: webAuthnConfigFrom(config.PUBLIC_URL), guard: loginGuard });
  // Erasure ends the member's sessions in its own transaction and tells the session cache; sign-in asks it about the grace period.
  const erasure = makeErasureService({
    db, keyring, jobs, mailer, dataDir: config.dataDir, publicUrl: config.PUBLIC_URL, logger, graceDays: config.ERASURE_GRACE_DAYS,
    forgetSessions: (memberId) => sessions.forgetMember(memberId),
  });
  let stopErasureSweep: (() => void) | undefined;
  const sessions = makeSessionService({ db, keyring, guard: loginGuard, security: loginSecurity, challenges: mfa.challenges, deletion: erasure });
  const graph = makeGraphService({ db, keyring, logger });
  // Profiles and discovery (social/profiles): location honours a restriction of processing; cards carry the face-verified badge.
  const profiles = makeProfileService({ db, keyring, dataDir: config.dataDir, isLocationRestricted: (ex, id) => isRestricted(ex, id, 'location'), verifiedMembers });
  const discovery = makeDiscovery({
    db,
    keyring,
    profiles,
    verifiedMembers,
    mayUseBehaviour: async (id) => (await consent.hasConsent({ type: 'member', id }, 'personalized_recommendations')) && !(await isRestricted(db, id, 'usage')),
  });
  // One LISTEN per process forwards every member event (chat, requests, notifications) to this process's sockets.
  const realtime = createRealtimeHub({ database, logger });
  await realtime.start();
  const chat = makeChatService({ db, keyring, dataDir: config.dataDir, logger });
  registerChatLive(realtime, chat);
  // Notifications (social/posts): notify() enqueues email through this queue and asks the hub who has a socket here.
  useNotificationJobs(jobs);
  useNotificationPresence(async (_db, memberId) => realtime.isOnlineHere(memberId));
  const posts = makePostsService({ db, keyring, geo, dataDir: config.dataDir, logger });
  const notifications = makeNotificationsService({ db, keyring });
  const recovery = makeRecoveryService({ db, keyring, jobs, sessions, support, guard: loginGuard, logger, checkPassword: passwordStrength.check });
  // Face verification (P1.5): a pool of worker processes at the lowest CPU priority, created on first use (models load in the workers, never in this process).
  // Moderators work member reports (ops/moderation): the reported member's public profile as a stranger sees it; a suspension ends their cached sessions.
  const moderation = makeModerationService({ db, keyring, dataDir: config.dataDir, logger, jobs, publicProfile: (id) => profiles.preview(id, 'stranger'), forgetSessions: (id) => sessions.forgetMember(id) });
  const face = makeFaceService({ db, keyring, consent, engine: makeFaceEngine({ size: config.FACE_POOL_SIZE, idleMs: config.FACE_IDLE_MINUTES * 60_000, refreshIdleMs: config.FACE_REFRESH_IDLE_SECONDS * 1_000, priority: config.FACE_WORKER_PRIORITY, cgroup: config.FACE_WORKER_CGROUP }), dataDir: config.dataDir, logger, testHooks: config.NODE_ENV === 'test' });
  if (options.workers !== false) {
    await registerPolicyWorkers({ jobs, db, keyring, mailer, publicUrl: config.PUBLIC_URL, logger });
    await registerNewsletterWorkers({ jobs, newsletters, logger });
    await registerExportWorkers({ jobs, exports, logger });
    await registerPostsWorkers({ jobs, notifications, mailer, publicUrl: config.PUBLIC_URL, logger });
    stopErasureSweep = await registerErasureWorkers({ jobs, erasure, logger });
    stopExportSweeper = exports.startSweeper();
    // P4.3: every period the data map declares from creation or closing (privacy/retention, ADR 0016).
    // Not in tests: they date rows in the past on purpose, and call sweep() themselves.
    if (config.NODE_ENV !== 'test') stopRetentionSweeper = makeRetentionService({ db, logger }).startSweeper();
    await registerRecoveryWorkers({ jobs, recovery, mailer, sms, publicUrl: config.PUBLIC_URL, logger });
    await registerLoginSecurityWorkers({ jobs, loginSecurity, mailer, publicUrl: config.PUBLIC_URL, logger });
    await registerSupportWorkers({ jobs, support, mailer, supportEmail: config.SUPPORT_EMAIL, logger });
    await registerAccountsWorkers({ jobs, accounts, mailer, sms, publicUrl: config.PUBLIC_URL, logger });
    await registerMfaWorkers({ jobs, mfa, mailer, sms, logger });
    await registerGuardiansWorkers({ jobs, guardians, mailer, sms, publicUrl: config.PUBLIC_URL, logger });
    await registerModerationWorkers({ jobs, moderation, mailer, publicUrl: config.PUBLIC_URL, logger });
  }

  return {
    config,
    database,
    keyring,
    masterKey,
    cookieSecret: deriveSecret(masterKey, 'cookie-secret'),
    jobs,
    mailer,
    support,
    accounts,
    guardians,
    sessions,
    mfa,
    recovery,
    policy,
    policyChanges,
    consent,
    cookies,
    newsletters,
    yourData,
    exports,
    erasure,
    rights,
    graph,
    profiles,
    discovery,
    realtime,
    chat,
    posts,
    notifications,
    face,
    moderation,
    loginGuard,
    loginSecurity,
    logger,
    async stop() {
      await realtime.stop();
      stopExportSweeper?.();
      stopRetentionSweeper?.();
      stopErasureSweep?.();
      await jobs.stop();
      await face.engine.close();
      await passwordStrength.close();
      mailer.close();
    },
  };
}
