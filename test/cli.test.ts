import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/server/platform/db/database.js';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-cli-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, NODE_ENV: 'test' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

// Operations commands on the embedded database (the CLI is the same code on PostgreSQL).
describe('npm run kenalan -- <command>', { timeout: 180_000 }, () => {
  it('migrates, publishes the policy, and verifies an intact audit log', () => {
    expect(cli('migrate')).toMatchObject({ code: 0, out: expect.stringContaining('up to date') });
    const published = cli('policy:publish', 'policy/v1');
    expect(published.code).toBe(0);
    expect(published.out).toContain('1.3 Information We Collect During Your Use of the Services');
    expect(cli('audit:verify')).toMatchObject({ code: 0, out: expect.stringContaining('Audit log intact: 1 rows verified') });
  });

  it('rotates keys, leaving no value on the old key', () => {
    expect(cli('keys:rotate').code).toBe(0); // creates the first keys (the server never started here)
    const rotated = cli('keys:rotate');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain('0 values left on retired keys');
    expect(cli('keys:purge-retired').out).toMatch(/Deleted retired keys: fk_/);
  });

  it('exits 1 naming the row when the audit log was tampered with', async () => {
    const handle = await openPglite(path.join(dataDir, 'pgdata'));
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(handle.db);
    await sql`UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 1`.execute(handle.db);
    await handle.close();
    const verify = cli('audit:verify');
    expect(verify.code).toBe(1);
    expect(verify.out).toContain('row 1 was altered');
  });

  it('queues a newsletter only from complete files in both languages', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-newsletter-'));
    fs.writeFileSync(path.join(dir, 'id.txt'), 'Subject: Kabar Kenalan\n\nAda fitur baru.\n\nhttps://kenalan.example/fitur\n');
    fs.writeFileSync(path.join(dir, 'en.txt'), 'Kenalan news\n\nhttp://kenalan.example/features\n');
    const refused = cli('newsletter:send', dir);
    expect(refused.code).toBe(65);
    expect(refused.out).toContain('en: the first line must be "Subject: …"');
    expect(refused.out).toContain('is not https');
    fs.writeFileSync(path.join(dir, 'en.txt'), 'Subject: Kenalan news\n\nA new feature.\n\nhttps://kenalan.example/features\n');
    const sent = cli('newsletter:send', dir);
    expect(sent.code, sent.out).toBe(0);
    expect(sent.out).toMatch(/Queued newsletter [0-9a-f-]{36} for 0 member\(s\) who consented to marketing email/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports language gaps without touching the database, and explains bad usage', () => {
    const check = cli('policy:check', 'policy/v1');
    expect(check.code).toBe(0);
    expect(check.out).toContain('section 4.4: 3 paragraphs in Indonesian, 4 in English');
    expect(cli('no-such-command')).toMatchObject({ code: 64, out: expect.stringContaining('Unknown command') });
  });

  it('reinstates only a member who exists and is suspended (the rules: src/server/ops/moderation/moderation.test.ts)', () => {
    expect(cli('member:reinstate', 'nobody_here', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1, out: expect.stringContaining('No member with username nobody_here') });
    expect(cli('member:reinstate', 'nobody_here').code).not.toBe(0);
    expect(cli('help').out).toContain('member:reinstate <username> <case id>');
  });
});
