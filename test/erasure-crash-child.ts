// Child process for the erasure crash test (not a test file): runs one erasure against the test's
// PostgreSQL database and stops dead at a step so the parent can kill -9 it there.
// argv: <postgres url> <erasure id> <data dir> <now ms> <stop at step>; env ERASURE_MASTER_KEY (base64).
import { Keyring } from '../src/server/platform/crypto/keyring.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPostgres } from '../src/server/platform/db/database.js';
import type { JobQueue } from '../src/server/platform/jobs/queue.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import type { Mailer } from '../src/server/platform/mail/mailer.js';
import { makeErasureService } from '../src/server/privacy/erasure/service.js';

const [url, erasureId, dataDir, nowMs, stopAt] = process.argv.slice(2) as [string, string, string, string, string];
const database = await openPostgres(url, 2);
const keyring = await Keyring.load(database.db, toMasterKey(Buffer.from(process.env.ERASURE_MASTER_KEY ?? '', 'base64')));
const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by a run')) });
const erasure = makeErasureService({
  db: database.db,
  keyring,
  jobs: unused as JobQueue,
  mailer: unused as Mailer,
  dataDir,
  publicUrl: 'https://localhost',
  logger: createLogger('silent'),
  graceDays: 14,
  beforeStep: async (step) => {
    process.stdout.write(`step ${step}\n`);
    if (step === stopAt) await new Promise(() => {}); // wait here to be killed
  },
});
await erasure.run(erasureId, { now: new Date(Number(nowMs)) });
process.stdout.write('finished\n');
