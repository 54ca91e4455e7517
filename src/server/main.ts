import { buildApp } from './app.js';
import { composeServices } from './compose.js';
import { ConfigError, faceWarmupEnabled, loadConfig } from './config.js';
import { DataDirLockedError, lockDataDir } from './platform/db/data-dir-lock.js';
import { openConfiguredDatabase } from './platform/db/open.js';
import { startRedirectServer } from './platform/http/redirect-server.js';
import { loadTls } from './platform/http/tls.js';
import { createLogger } from './platform/logging/logger.js';
import { startFaceWarmup } from './verification/face/engine.js';

/** Process entry: config → lock → database → services → HTTPS app (+ HTTP redirect) → ready. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let releaseLock: () => Promise<void>;
  try {
    releaseLock = await lockDataDir(config.dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw err;
  }

  let ready = false;
  const database = await openConfiguredDatabase(config);
  const services = await composeServices(config, database, logger);
  const tls = await loadTls({ certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE, dataDir: config.dataDir });
  const app = await buildApp({ ...services, https: tls, isReady: () => ready });
  await app.listen({ host: config.HOST, port: config.PORT });
  const redirect =
    config.HTTP_PORT === 0 ? undefined : await startRedirectServer({ host: config.HOST, port: config.HTTP_PORT, publicUrl: config.PUBLIC_URL });
  ready = true;
  // Face models load in the worker pool in the background: readiness and every other request do not wait.
  if (faceWarmupEnabled(config)) void startFaceWarmup(services.face.engine, logger);
  logger.info(
    { database: database.kind, mail: services.mailer.kind, tls: tls.selfSigned ? 'self-signed' : 'configured', startMs: Math.round(performance.now() - startedAt) },
    `Kenalan is ready at ${config.PUBLIC_URL}`,
  );

  // Pick up keys rotated by `keys:rotate` from another process (PostgreSQL deployments).
  const keyRefresh = setInterval(() => {
    services.keyring.refresh().catch((err: unknown) => logger.error({ err }, 'keyring refresh failed'));
  }, 60_000);
  keyRefresh.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ready = false;
    clearInterval(keyRefresh);
    logger.info({ signal }, 'shutting down');
    redirect?.close();
    await app.close();
    await services.stop();
    await database.close();
    await releaseLock();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Kenalan failed to start:', err instanceof Error ? err.message : err);
  if (err instanceof Error && err.stack && process.env.LOG_LEVEL === 'debug') console.error(err.stack);
  process.exit(1);
});
