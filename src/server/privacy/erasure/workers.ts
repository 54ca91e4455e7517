import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { ErasureService } from './service.js';

/** How often the sweep looks for due erasures and runs that died (a safety net beside the scheduled jobs). */
export const ERASURE_SWEEP_MS = 15 * 60 * 1000;

/**
 * The scheduled erasure job (startAfter = end of the grace period; a throw makes pg-boss retry it,
 * and the run resumes from its recorded steps), the two emails, and a periodic sweep. Returns a
 * function that stops the sweep.
 */
export async function registerErasureWorkers(deps: { jobs: JobQueue; erasure: ErasureService; logger: Logger; sweepMs?: number }): Promise<() => void> {
  const { jobs, erasure, logger } = deps;
  await jobs.work('privacy.erase-member', async ({ erasureId }) => {
    const outcome = await erasure.run(erasureId);
    logger.info({ erasureId, outcome }, 'erasure');
  });
  await jobs.work('privacy.erasure-scheduled-email', async ({ erasureId }) => {
    const outcome = await erasure.sendScheduledEmail(erasureId);
    logger.info({ erasureId, outcome }, 'erasure scheduled email');
  });
  await jobs.work('privacy.erasure-restored-email', async ({ erasureId }) => {
    const outcome = await erasure.sendRestoredEmail(erasureId);
    logger.info({ erasureId, outcome }, 'erasure restored email');
  });
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const results = await erasure.sweep();
      if (results.length > 0) logger.info({ results }, 'erasure sweep');
    } catch (err) {
      logger.error({ err }, 'erasure sweep failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.sweepMs ?? ERASURE_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
