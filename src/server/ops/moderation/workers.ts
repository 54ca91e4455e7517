import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { suspensionEmail } from './emails.js';
import type { ModerationService } from './service.js';

/** The suspension notice: the job carries the member id only; the address is read (and decrypted) when it runs. */
export async function registerModerationWorkers(deps: { jobs: JobQueue; moderation: ModerationService; mailer: Mailer; publicUrl: string; logger: Logger }): Promise<void> {
  await deps.jobs.work('moderation.send-suspension-notice', async ({ memberId }) => {
    const target = await deps.moderation.suspensionNoticeFor(memberId);
    if (!target) return deps.logger.info({ memberId }, 'no suspension notice needed');
    const { messageId } = await deps.mailer.send(suspensionEmail({ ...target, publicUrl: deps.publicUrl }));
    deps.logger.info({ memberId, messageId }, 'suspension notice sent');
  });
}
