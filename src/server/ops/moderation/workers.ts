import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { reinstatementEmail, suspensionEmail } from './emails.js';
import type { ModerationService } from './service.js';

/** The suspension and reinstatement notices: each job carries the member id only; the address is read (and decrypted) when it runs. */
export async function registerModerationWorkers(deps: { jobs: JobQueue; moderation: ModerationService; mailer: Mailer; publicUrl: string; logger: Logger }): Promise<void> {
  await deps.jobs.work('moderation.send-suspension-notice', async ({ memberId }) => {
    const target = await deps.moderation.noticeFor(memberId, 'suspended');
    if (!target) return deps.logger.info({ memberId }, 'no suspension notice needed');
    const { messageId } = await deps.mailer.send(suspensionEmail({ ...target, publicUrl: deps.publicUrl }));
    deps.logger.info({ memberId, messageId }, 'suspension notice sent');
  });
  await deps.jobs.work('moderation.send-reinstatement-notice', async ({ memberId }) => {
    const target = await deps.moderation.noticeFor(memberId, 'active');
    if (!target) return deps.logger.info({ memberId }, 'no reinstatement notice needed');
    const { messageId } = await deps.mailer.send(reinstatementEmail({ ...target, publicUrl: deps.publicUrl }));
    deps.logger.info({ memberId, messageId }, 'reinstatement notice sent');
  });
}
