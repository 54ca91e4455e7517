import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { notificationEmail } from './emails.js';
import type { NotificationsService } from './notifications-service.js';

/** Emails a notification to an offline member; the job re-checks everything when it runs. */
export async function registerPostsWorkers(deps: { jobs: JobQueue; notifications: NotificationsService; mailer: Mailer; publicUrl: string; logger: Logger }): Promise<void> {
  const { jobs, notifications, mailer, publicUrl, logger } = deps;
  await jobs.work('notifications.send-email', async ({ notificationId }) => {
    const target = await notifications.emailFor(notificationId);
    if (!target) return logger.info({ notificationId }, 'notification email no longer needed');
    const { messageId } = await mailer.send(notificationEmail({ ...target, publicUrl }));
    await notifications.markEmailed(notificationId);
    logger.info({ notificationId, messageId }, 'notification email sent');
  });
}
