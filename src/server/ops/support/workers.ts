import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { supportConfirmationEmail } from './confirmation-email.js';
import type { SupportService } from './service.js';

/** Background work of the support module: the confirmation email, retried by the queue on failure. */
export async function registerSupportWorkers(deps: {
  jobs: JobQueue;
  support: SupportService;
  mailer: Mailer;
  supportEmail: string;
  logger: Logger;
}): Promise<void> {
  await deps.jobs.work('support.send-confirmation', async ({ ticketId }) => {
    const ticket = await deps.support.loadTicket(ticketId);
    if (!ticket) {
      // Erased before the job ran: nothing to send, and nothing to retry.
      deps.logger.warn({ ticketId }, 'support ticket gone before its confirmation was sent');
      return;
    }
    const { messageId } = await deps.mailer.send(supportConfirmationEmail(ticket, deps.supportEmail));
    deps.logger.info({ ticketId, messageId }, 'support confirmation sent');
  });
}
