import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { csrfHeaders } from './support/app.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function filesContaining(root: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (fs.readFileSync(full).includes(bytes)) hits.push(path.relative(root, full));
    }
  };
  walk(root);
  return hits;
}

// Runs on the embedded engine whatever KENALAN_TEST_DB says: it reads PGlite's files on disk.
describe('encryption at rest (raw PGlite files)', () => {
  it('leaves no planted personal value anywhere in the data directory, while an unencrypted control value is found', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-at-rest-'));
    dirs.push(dataDir);
    const pgdata = path.join(dataDir, 'pgdata');
    const canary = `Canary${crypto.randomBytes(6).toString('hex')}`;
    const control = `Control${crypto.randomBytes(6).toString('hex')}`;

    const database = await openPglite(pgdata);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const services = await composeServices(config, database, createLogger('silent'), { masterKey: toMasterKey(crypto.randomBytes(32)) });
    const app = await buildApp({ ...services, isReady: () => true });
    const response = await app.inject({
      method: 'POST',
      url: '/api/support/tickets',
      headers: await csrfHeaders(app),
      payload: { name: `${canary} Name`, email: `${canary.toLowerCase()}@contoh.id`, topic: 'privacy', message: `My secret is ${canary} message` },
    });
    expect(response.statusCode).toBe(201);
    // Let the confirmation email (dev mailbox, also encrypted) be written.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const mails = await database.db.selectFrom('dev_mailbox').select('id').execute();
      if (mails.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await database.db.selectFrom('dev_mailbox').select('id').execute()).toHaveLength(1);

    await sql`CREATE TABLE at_rest_control (value text)`.execute(database.db);
    await sql`INSERT INTO at_rest_control VALUES (${control})`.execute(database.db);
    await sql`CHECKPOINT`.execute(database.db);
    await app.close();
    await services.stop();
    await database.close();

    expect(filesContaining(pgdata, control).length, 'the scan must see plaintext when it is there').toBeGreaterThan(0);
    expect(filesContaining(pgdata, canary)).toEqual([]);
    expect(filesContaining(pgdata, canary.toLowerCase())).toEqual([]);
  });
});
