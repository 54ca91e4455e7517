import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { SmsTransport } from '../../platform/sms/sms.js';
import { verificationEmail, verificationSms } from './emails.js';
import type { AccountsService } from './service.js';

/**
 * Verification senders. The job payload is the member id only; the job creates the secret (the
 * plaintext exists only in memory and in the message sent), stores its hash, and sends it.
 */
export async function registerAccountsWorkers(deps: {
  jobs: JobQueue;
  accounts: AccountsService;
  mailer: Mailer;
  sms: SmsTransport;
  publicUrl: string;
  logger: Logger;
}): Promise<void> {
  await deps.jobs.work('accounts.send-sms-code', async ({ memberId }) => {
    const issued = await deps.accounts.issueSmsCode(memberId);
    if (!issued) return deps.logger.info({ memberId }, 'no SMS code needed');
    const { id } = await deps.sms.send({ to: issued.to, body: verificationSms(issued.code, issued.language) });
    deps.logger.info({ memberId, smsId: id }, 'verification SMS sent');
  });
  await deps.jobs.work('accounts.send-verification-email', async ({ memberId }) => {
    const issued = await deps.accounts.issueEmailToken(memberId);
    if (!issued) return deps.logger.info({ memberId }, 'no verification email needed');
    const { messageId } = await deps.mailer.send(verificationEmail({ ...issued, publicUrl: deps.publicUrl }));
    deps.logger.info({ memberId, messageId }, 'verification email sent');
  });
}
