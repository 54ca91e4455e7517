import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { NewsletterService } from './service.js';

export async function registerNewsletterWorkers(deps: { jobs: JobQueue; newsletters: NewsletterService; logger: Logger }): Promise<void> {
  await deps.jobs.work('newsletter.deliver', async ({ newsletterId, memberId }) => {
    const outcome = await deps.newsletters.deliver(newsletterId, memberId);
    deps.logger.info({ newsletterId, memberId, outcome }, 'newsletter delivery');
  });
}
