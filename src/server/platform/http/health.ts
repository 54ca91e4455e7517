import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import { sendProblem } from './problem.js';

/** /healthz: the process answers. /readyz: the database answers and start-up has finished. */
export const healthRoutes: FastifyPluginAsync<{ database: DatabaseHandle; isReady: () => boolean }> = async (app, { database, isReady }) => {
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    if (!isReady()) return sendProblem(reply, request, 'not_ready', 503);
    try {
      await sql`SELECT 1`.execute(database.db);
    } catch {
      return sendProblem(reply, request, 'not_ready', 503);
    }
    return { status: 'ready', database: database.kind };
  });
};
