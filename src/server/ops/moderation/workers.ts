import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { reinstatementEmail, suspensionEmail } from './emails.js';
import type { ModerationService } from './service.js';

/** Each job, the account status its notice is still true for, and the email. */
const NOTICES = [
  { job: 'moderation.send-suspension-notice', status: 'suspended', email: suspensionEmail, what: 'suspension' },
  { job: 'moderation.send-reinstatement-notice', status: 'active', email: reinstatementEmail, what: 'reinstatement' },
] as const;

/** The suspension and reinstatement notices: each job carries the member id only; the address is read (and decrypted) when it runs. */
export async function registerModerationWorkers(deps: { jobs: JobQueue; moderation: ModerationService; mailer: Mailer; publicUrl: string; logger: Logger }): Promise<void> {
  for (const { job, status, email, what } of NOTICES) {
    await deps.jobs.work(job, async ({ memberId }) => {
      const target = await deps.moderation.noticeFor(memberId, status);
      if (!target) return deps.logger.info({ memberId }, `no ${what} notice needed`);
      const { messageId } = await deps.mailer.send(email({ ...target, publicUrl: deps.publicUrl }));
      deps.logger.info({ memberId, messageId }, `${what} notice sent`);
    });
  }
}
