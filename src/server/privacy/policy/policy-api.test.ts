import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { sha256Hex } from './hash.js';
import { POLICY_ROOT } from './load.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false, env: { SUPPORT_EMAIL: 'privasi\u0040kenalan.example' } });
});
afterAll(() => t.close());

describe('Privacy Policy documents', () => {
  it('publishes the seed v1 on first start with sha256 per language and an audit record', async () => {
    const docs = await t.database.db.selectFrom('policy_documents').select(['version', 'language', 'sha256']).orderBy('language').execute();
    expect(docs).toEqual([
      { version: '1', language: 'en', sha256: sha256Hex(fs.readFileSync(path.join(POLICY_ROOT, 'v1/en.txt'), 'utf8')) },
      { version: '1', language: 'id', sha256: sha256Hex(fs.readFileSync(path.join(POLICY_ROOT, 'v1/id.txt'), 'utf8')) },
    ]);
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'policy.published').execute();
    expect(audit).toEqual([{ action: 'policy.published', subject_id: '1' }]);
  });

  it('serves /privacy as HTML in the language asked for, with the configured support address', async () => {
    const id = await t.app.inject({ url: '/privacy', headers: { 'accept-language': 'id-ID' } });
    expect(id.statusCode).toBe(200);
    expect(id.headers['content-type']).toContain('text/html');
    expect(id.headers['content-language']).toBe('id');
    expect(id.body).toContain('<html lang="id"');
    expect(id.body).toContain('Kebijakan Privasi Kenalan');
    expect(id.body).toContain('privasi\u0040kenalan.example');
    expect(id.body).not.toContain('protected');
    expect(id.body).not.toContain('<script');

    const en = await t.app.inject({ url: '/privacy?lang=en', headers: { 'accept-language': 'id' } });
    expect(en.body).toContain('<html lang="en"');
    expect(en.body).toContain('How We Use Cookies and Similar Technologies');
    expect((await t.app.inject({ url: '/privacy.css' })).headers['content-type']).toContain('text/css');
  });

  it('shows every section the Indonesian text lacks, in English, in its place', async () => {
    const id = await t.app.inject({ url: '/privacy?lang=id' });
    for (const anchor of ['s-1-3', 's-1-4', 's-1-5', 's-1-6', 's-2', 's-2-1', 's-2-2', 's-5']) expect(id.body).toContain(`id="${anchor}"`);
    expect(id.body).toContain('Bagian ini tidak ada dalam teks Bahasa Indonesia');
    expect(id.body.indexOf('id="s-1-6"')).toBeLessThan(id.body.indexOf('id="s-3"'));
    expect(id.body).toContain('Please use complex passwords');
  });

  it('answers unknown versions and bad parameters with localized problems', async () => {
    const missing = await t.app.inject({ url: '/privacy/9', headers: { 'accept-language': 'en' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found', detail: 'We could not find what you asked for.' });
    const badLang = await t.app.inject({ url: '/api/policy/1/fr', headers: { 'accept-language': 'id' } });
    expect(badLang.statusCode).toBe(400);
    expect(badLang.json().code).toBe('validation_failed');
    const badVersion = await t.app.inject({ url: '/privacy/..%2F..%2Fetc' });
    expect(badVersion.statusCode).toBe(400);
  });

  it('serves the documents by API with the parity report', async () => {
    const list = (await t.app.inject({ url: '/api/policy' })).json();
    expect(list.current).toBe('1');
    expect(list.versions[0].parity.languages.id.missing.map((m: { id: string }) => m.id)).toEqual(['1.3', '1.4', '1.5', '1.6', '2', '2.1', '2.2', '5']);
    const doc = (await t.app.inject({ url: '/api/policy/1/en' })).json();
    expect(doc).toMatchObject({ version: '1', language: 'en', supportEmail: 'privasi\u0040kenalan.example' });
    expect(doc.document.sections.length).toBeGreaterThan(20);
  });

  it('refuses to republish a version with different text, and keeps past versions readable after a new one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-policy-'));
    try {
      for (const f of ['en.txt', 'id.txt']) fs.copyFileSync(path.join(POLICY_ROOT, 'v1', f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ version: '1', effectiveAt: '2026-11-27' }));
      expect((await t.services.policy.publishFromDirectory(dir)).created).toBe(false);

      fs.appendFileSync(path.join(dir, 'en.txt'), '\nAn extra sentence.\n');
      await expect(t.services.policy.publishFromDirectory(dir)).rejects.toThrow(/already published with different text/);

      // A later version says what changed (policy-changes.test.ts covers the rules of changes.json).
      fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ version: '2', effectiveAt: '2026-11-27T00:30:00Z' }));
      fs.writeFileSync(
        path.join(dir, 'changes.json'),
        JSON.stringify({ material: false, reducesRights: false, affectedPurposes: [], changes: { id: ['Satu kalimat ditambahkan.'], en: ['An extra sentence.'] } }),
      );
      const published = await t.services.policy.publishFromDirectory(dir);
      expect(published.created).toBe(true);
      const list = (await t.app.inject({ url: '/api/policy' })).json();
      expect(list.versions.map((v: { version: string }) => v.version).sort()).toEqual(['1', '2']);
      const past = await t.app.inject({ url: '/privacy/1?lang=en' });
      expect(past.statusCode).toBe(200);
      expect(past.body).toContain('/privacy/2?lang=en');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
