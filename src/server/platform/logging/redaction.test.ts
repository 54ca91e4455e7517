import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { personalFields } from '../../data-map.js';
import { createLogger } from './logger.js';
import { redactPaths } from './redaction.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, callback) {
    lines.push(chunk.toString());
    callback();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logger: createLogger('trace', sink), workers: true });
});
afterAll(() => t.close());

describe('log redaction derived from the data map', () => {
  it('covers every declared personal column', () => {
    const paths = redactPaths(personalFields().map((f) => f.column));
    for (const { column } of personalFields()) expect(paths).toContain(`*.${column}`);
  });

  it('keeps personal values out of the logs while a request, its audit and its email job run', async () => {
    const planted = { name: 'Ratna Kusumawati Planted', email: 'ratna.planted@contoh.id', message: 'Nomor HP saya 081299998888 tolong hapus' };
    const headers = await csrfHeaders(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/support/tickets?email=ratna.planted@contoh.id',
      headers,
      payload: { ...planted, topic: 'privacy' },
    });
    expect(response.statusCode).toBe(201);
    // Let the confirmation job run and log.
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('support confirmation sent')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(lines.some((l) => l.includes('support confirmation sent'))).toBe(true);

    // A careless log call with personal fields is redacted too.
    t.services.logger.info({ ticket: { name: planted.name, email: planted.email } }, 'debugging a ticket');
    const all = lines.join('');
    expect(all).toContain('[personal]');
    for (const value of [planted.name, planted.email, '081299998888']) expect(all).not.toContain(value);
  });
});
