import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { SmsTransport } from '../../platform/sms/sms.js';
import { consentConfirmationEmail, invitationEmail, invitationSms, withdrawnNoticeEmail } from './emails.js';
import type { GuardiansService } from './service.js';

/**
 * Guardian messages. Payloads are ids only; secrets (invitation and withdrawal tokens) are created
 * by the job, stored as sha256, and exist in plaintext only in memory and in the email sent.
 */
export async function registerGuardiansWorkers(deps: {
  jobs: JobQueue;
  guardians: GuardiansService;
  mailer: Mailer;
  sms: SmsTransport;
  publicUrl: string;
  logger: Logger;
}): Promise<void> {
  const { jobs, guardians, mailer, sms, publicUrl, logger } = deps;
  await jobs.work('guardians.send-invitation', async ({ guardianId }) => {
    const issued = await guardians.issueInvitation(guardianId);
    if (!issued) return logger.info({ guardianId }, 'no guardian invitation needed');
    const { messageId } = await mailer.send(invitationEmail({ ...issued, publicUrl }));
    logger.info({ guardianId, messageId }, 'guardian invitation sent');
  });
  await jobs.work('guardians.send-invitation-sms', async ({ guardianId }) => {
    const target = await guardians.invitationSmsFor(guardianId);
    if (!target) return logger.info({ guardianId }, 'no guardian SMS needed');
    const { id } = await sms.send({ to: target.to, body: invitationSms(target) });
    logger.info({ guardianId, smsId: id }, 'guardian SMS sent');
  });
  await jobs.work('guardians.send-consent-confirmation', async ({ guardianId }) => {
    const issued = await guardians.issueWithdrawalLink(guardianId);
    if (!issued) return logger.info({ guardianId }, 'no consent confirmation needed');
    const { messageId } = await mailer.send(consentConfirmationEmail({ ...issued, publicUrl }));
    logger.info({ guardianId, messageId }, 'guardian consent confirmation sent');
  });
  await jobs.work('guardians.send-withdrawal-notice', async ({ memberId }) => {
    const target = await guardians.withdrawalNoticeFor(memberId);
    if (!target) return logger.info({ memberId }, 'no withdrawal notice needed');
    const { messageId } = await mailer.send(withdrawnNoticeEmail(target));
    logger.info({ memberId, messageId }, 'withdrawal notice sent');
  });
}
