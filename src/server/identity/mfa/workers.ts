import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { SmsTransport } from '../../platform/sms/sms.js';
import { challengeCodeEmail, challengeCodeSms } from './messages.js';
import type { MfaService } from './service.js';

/** Step-up codes: the job draws the code (the plaintext exists only in memory and in the message) and sends it. */
export async function registerMfaWorkers(deps: { jobs: JobQueue; mfa: MfaService; mailer: Mailer; sms: SmsTransport; logger: Logger }): Promise<void> {
  await deps.jobs.work('mfa.send-challenge-code', async ({ challengeId }) => {
    const issued = await deps.mfa.issueChallengeCode(challengeId);
    if (!issued) return deps.logger.info({ challengeId }, 'no sign-in code needed');
    if (issued.channel === 'email_code') {
      const { messageId } = await deps.mailer.send(challengeCodeEmail(issued));
      deps.logger.info({ challengeId, messageId }, 'sign-in code email sent');
    } else {
      const { id } = await deps.sms.send({ to: issued.to, body: challengeCodeSms(issued.code, issued.language) });
      deps.logger.info({ challengeId, smsId: id }, 'sign-in code SMS sent');
    }
  });
}
