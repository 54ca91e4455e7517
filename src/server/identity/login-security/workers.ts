import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { newDeviceEmail } from './emails.js';
import type { LoginSecurity } from './service.js';

/** The new-device email: the payload is the session id; the worker loads and decrypts the rest. */
export async function registerLoginSecurityWorkers(deps: {
  jobs: JobQueue;
  loginSecurity: LoginSecurity;
  mailer: Mailer;
  publicUrl: string;
  logger: Logger;
}): Promise<void> {
  await deps.jobs.work('login-security.new-device-email', async ({ sessionId }) => {
    const notice = await deps.loginSecurity.newDeviceNotice(sessionId);
    if (!notice) return deps.logger.info({ sessionId }, 'new-device email no longer applies');
    const { messageId } = await deps.mailer.send(newDeviceEmail({ ...notice, publicUrl: deps.publicUrl }));
    deps.logger.info({ sessionId, messageId }, 'new-device email sent');
  });
}
