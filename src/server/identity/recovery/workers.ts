import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { SmsTransport } from '../../platform/sms/sms.js';
import {
  changeCodeSms,
  compromiseConfirmationEmail,
  contactChangedEmail,
  emailChangeEmail,
  lockedEmail,
  lockedSms,
  passwordChangedEmail,
  phoneChangedSms,
  resetEmail,
  resetSms,
} from './emails.js';
import type { RecoveryService } from './service.js';

/**
 * Recovery messages. Payloads are ids only; the job that sends a secret creates it (the plaintext
 * exists only in memory and in the message) and stores its hash.
 */
export async function registerRecoveryWorkers(deps: {
  jobs: JobQueue;
  recovery: RecoveryService;
  mailer: Mailer;
  sms: SmsTransport;
  publicUrl: string;
  logger: Logger;
}): Promise<void> {
  const { jobs, recovery, mailer, sms, publicUrl, logger } = deps;

  await jobs.work('recovery.send-reset', async ({ resetId }) => {
    const issued = await recovery.issueReset(resetId);
    if (!issued) return logger.info({ resetId }, 'password reset no longer pending');
    if (issued.channel === 'email') {
      const { messageId } = await mailer.send(resetEmail({ to: issued.to, nickname: issued.nickname, token: issued.secret, language: issued.language, publicUrl }));
      logger.info({ resetId, messageId }, 'password reset link sent');
    } else {
      const { id } = await sms.send({ to: issued.to, body: resetSms(issued.secret, issued.language) });
      logger.info({ resetId, smsId: id }, 'password reset code sent');
    }
  });

  await jobs.work('recovery.send-password-changed', async ({ memberId }) => {
    const member = await recovery.contactsOf(memberId);
    if (!member) return;
    const { messageId } = await mailer.send(passwordChangedEmail({ to: member.email, nickname: member.nickname, language: member.language, publicUrl }));
    logger.info({ memberId, messageId }, 'password-changed notice sent');
  });

  await jobs.work('recovery.send-contact-change', async ({ changeId }) => {
    const issued = await recovery.issueContactChange(changeId);
    if (!issued) return logger.info({ changeId }, 'contact change no longer pending');
    if (issued.kind === 'email') {
      const { messageId } = await mailer.send(emailChangeEmail({ to: issued.to, nickname: issued.nickname, token: issued.secret, language: issued.language, publicUrl }));
      logger.info({ changeId, messageId }, 'email change link sent');
    } else {
      const { id } = await sms.send({ to: issued.to, body: changeCodeSms(issued.secret, issued.language) });
      logger.info({ changeId, smsId: id }, 'phone change code sent');
    }
  });

  await jobs.work('recovery.send-contact-changed-notices', async ({ changeId }) => {
    const change = await recovery.changedContact(changeId);
    if (!change) return;
    const notice = (to: string) => contactChangedEmail({ to, nickname: change.nickname, kind: change.kind, language: change.language, publicUrl });
    if (change.kind === 'email') {
      const { messageId } = await mailer.send(notice(change.old));
      logger.info({ changeId, messageId }, 'email-changed notice sent to the old address');
    } else {
      const { id } = await sms.send({ to: change.old, body: phoneChangedSms(change.language) });
      const { messageId } = await mailer.send(notice(change.email));
      logger.info({ changeId, smsId: id, messageId }, 'phone-changed notices sent');
    }
  });

  await jobs.work('recovery.send-compromise-confirmation', async ({ reportId }) => {
    const issued = await recovery.issueCompromiseConfirmation(reportId);
    if (!issued) return logger.info({ reportId }, 'compromise report no longer pending');
    const { messageId } = await mailer.send(compromiseConfirmationEmail({ ...issued, publicUrl }));
    logger.info({ reportId, messageId }, 'compromise confirmation link sent');
  });

  await jobs.work('recovery.send-compromised-notice', async ({ memberId }) => {
    const member = await recovery.contactsOf(memberId);
    if (!member) return;
    const { messageId } = await mailer.send(lockedEmail({ to: member.email, nickname: member.nickname, language: member.language, publicUrl }));
    const smsId = member.phone ? (await sms.send({ to: member.phone, body: lockedSms(member.language) })).id : undefined;
    logger.info({ memberId, messageId, smsId }, 'account-locked notices sent');
  });
}
