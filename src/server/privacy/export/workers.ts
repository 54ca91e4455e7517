import type { Logger } from 'pino';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { ExportService } from './service.js';

export async function registerExportWorkers(deps: { jobs: JobQueue; exports: ExportService; logger: Logger }): Promise<void> {
  await deps.jobs.work('privacy.build-export', async ({ exportId }) => {
    const outcome = await deps.exports.build(exportId);
    deps.logger.info({ exportId, outcome }, 'data export');
  });
}
