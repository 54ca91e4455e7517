import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
});
afterAll(() => t.close());

describe('HTTP platform', () => {
  it('sends strict security headers on every kind of answer', async () => {
    // A probe, the web app, a server-rendered page, an API error, an unknown API path and a file.
    for (const [url, accept] of [
      ['/healthz', '*/*'],
      ['/', 'text/html'],
      ['/privacy', 'text/html'],
      ['/api/me', 'application/json'],
      ['/api/nope', 'application/json'],
      ['/favicon.svg', '*/*'],
    ] as const) {
      const response = await t.app.inject({ url, headers: { accept } });
      expect(response.headers['content-security-policy'], url).toMatch(/default-src 'self'.*script-src 'self'.*object-src 'none'.*frame-ancestors 'none'/);
      expect(response.headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
      expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    }
  });

  it('sets no cookie on pages, and only the necessary, locked-down CSRF cookie when a form asks for a token', async () => {
    for (const url of ['/', '/support', '/privacy', '/healthz']) {
      const response = await t.app.inject({ url, headers: { accept: 'text/html' } });
      expect(response.headers['set-cookie'], url).toBeUndefined();
    }
    const csrf = await t.app.inject({ url: '/api/csrf' });
    expect(csrf.cookies).toHaveLength(1);
    expect(csrf.cookies[0]).toMatchObject({ name: '__Host-kenalan-csrf', path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
  });

  it('answers unknown API paths with a localized problem and page paths with the web app', async () => {
    const api = await t.app.inject({ url: '/api/nothing-here', headers: { 'accept-language': 'id' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ status: 404, code: 'not_found', detail: 'Kami tidak dapat menemukan yang Anda minta.' });

    const page = await t.app.inject({ url: '/support', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const plain = await t.app.inject({ url: '/' }); // curl and friends send Accept: */*
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toContain('text/html');
  });

  it('publishes the OpenAPI document and its docs page', async () => {
    const spec = (await t.app.inject({ url: '/api/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/support/tickets', '/api/policy', '/api/csrf']));
    expect(spec.paths['/api/support/tickets'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'email', 'topic', 'message']),
    );
    const docs = await t.app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('reports readiness with the database kind', async () => {
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', database: t.database.kind });
  });

  it('shows the dev mailbox only when mail is not sent through SMTP', async () => {
    const list = await t.app.inject({ url: '/dev/mailbox' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Dev mailbox');
    const withSmtp = await createTestApp({ workers: false, env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    try {
      expect((await withSmtp.app.inject({ url: '/dev/mailbox', headers: { accept: 'application/json' } })).statusCode).toBe(404);
    } finally {
      await withSmtp.close();
    }
  });
});
