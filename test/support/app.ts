import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../../src/server/app.js';
import { composeServices, type Services } from '../../src/server/compose.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { toMasterKey } from '../../src/server/platform/crypto/master-key.js';
import type { DatabaseHandle } from '../../src/server/platform/db/database.js';
import { createLogger } from '../../src/server/platform/logging/logger.js';
import { createTestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  database: DatabaseHandle;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real app on an isolated database, for `app.inject` tests: same factory and services as
 * main.ts, with a random master key, a temporary DATA_DIR and silent logs unless `logger` is given.
 */
export async function createTestApp(
  options: { env?: Record<string, string>; logger?: Logger; database?: DatabaseHandle; workers?: boolean } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-test-'));
  // TRUST_PROXY lets a test pose as many clients (X-Forwarded-For) against per-IP rate limits.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    JOB_POLL_SECONDS: '0.5',
    LOG_LEVEL: 'silent',
    TRUST_PROXY: 'true',
    // Parallel test files keep both cores busy: a SCHED_IDLE face worker would wait for minutes.
    // face.test.ts checks the production priority on an engine of its own.
    FACE_WORKER_PRIORITY: 'normal',
    ...options.env,
  });
  const database = options.database ?? (await createTestDatabase());
  const logger = options.logger ?? createLogger('silent');
  const services = await composeServices(config, database, logger, {
    masterKey: toMasterKey(crypto.randomBytes(32)),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const app = await buildApp({ ...services, isReady: () => true });
  await app.ready();
  return {
    app,
    services,
    database,
    config,
    dataDir,
    async close() {
      await app.close();
      await services.stop();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET /api/csrf and return what a browser would send back: the cookie and the header. */
export async function csrfHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  const response = await app.inject({ method: 'GET', url: '/api/csrf' });
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie, 'x-csrf-token': (response.json() as { token: string }).token };
}
