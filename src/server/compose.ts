import type { Logger } from 'pino';
import type { Config } from './config.js';
import { makeAccountsRepo } from './identity/accounts/repo.js';
import { makeAccountsService } from './identity/accounts/service.js';
import { registerAccountsWorkers } from './identity/accounts/workers.js';
import { makeSessionService } from './identity/sessions/service.js';
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
import { makePolicyService } from './privacy/policy/service.js';
import type { AppDeps } from './app.js';

export interface Services extends Omit<AppDeps, 'https' | 'webRoot' | 'isReady'> {
  masterKey: MasterKey;
  consent: ConsentLedger;
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
  const jobs = createJobQueue(db, { pollSeconds: config.JOB_POLL_SECONDS, logger });
  await jobs.start();
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL, config.MAIL_FROM) : createDevMailbox(db, keyring, config.MAIL_FROM);
  const sms = createDevSmsOutbox(db, keyring);
  const support = makeSupportService({ db, repo: makeSupportRepo(), keyring, jobs });
  const policy = makePolicyService({ db });
  await policy.ensureSeedPublished();
  const consent = makeConsentLedger({ db, keyring, policy });
  const accounts = makeAccountsService({ db, repo: makeAccountsRepo(), keyring, jobs, consent, dataDir: config.dataDir });
  const sessions = makeSessionService({ db, keyring });
  if (options.workers !== false) {
    await registerSupportWorkers({ jobs, support, mailer, supportEmail: config.SUPPORT_EMAIL, logger });
    await registerAccountsWorkers({ jobs, accounts, mailer, sms, publicUrl: config.PUBLIC_URL, logger });
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
    sessions,
    policy,
    consent,
    logger,
    async stop() {
      await jobs.stop();
      mailer.close();
    },
  };
}
