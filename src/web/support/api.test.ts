import { describe, expect, it } from 'vitest';
import { submitSupportTicket } from './api.js';
import type { SupportRequestBody } from './validate.js';

const body: SupportRequestBody = {
  name: 'Siti',
  email: 'siti\u0040contoh.id',
  topic: 'privacy',
  message: 'Tolong hapus data saya.',
  language: 'id',
};
const ticket = { number: 'KNL-2025-000123', topic: 'privacy', language: 'id', createdAt: '2025-01-01T03:00:00.000Z', dueAt: '2025-01-15T03:00:00.000Z' };

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function json(status: number, value: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': type } });
}

function fakeFetch(...responses: Array<Response | Error>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init });
    const next = responses.shift();
    if (!next) throw new Error('unexpected fetch');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const headersOf = (call: Call | undefined) => new Headers(call?.init?.headers);

describe('submitSupportTicket', () => {
  it('gets a CSRF token, then posts the ticket with the protocol headers', async () => {
    const fake = fakeFetch(json(200, { token: 'tok-1' }), json(201, ticket));
    const outcome = await submitSupportTicket(body, { idempotencyKey: 'key-1', language: 'id', fetch: fake.fetch });

    expect(outcome).toEqual({ kind: 'created', ticket });
    expect(fake.calls.map((c) => `${c.init?.method} ${c.url}`)).toEqual(['GET /api/csrf', 'POST /api/support/tickets']);
    const post = fake.calls[1];
    const headers = headersOf(post);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-csrf-token')).toBe('tok-1');
    expect(headers.get('idempotency-key')).toBe('key-1');
    expect(headers.get('accept-language')).toBe('id');
    expect(JSON.parse(String(post?.init?.body))).toEqual(body);
  });

  it('returns the server’s localized detail and per-field messages', async () => {
    const problem = {
      code: 'validation_failed',
      detail: 'Sebagian informasi yang Anda kirim tidak valid.',
      errors: [
        { field: 'email', code: 'email', message: 'Masukkan alamat email yang valid.' },
        { field: '(body)', code: 'invalid', message: 'x' },
      ],
    };
    const fake = fakeFetch(json(200, { token: 't' }), json(400, problem, 'application/problem+json; charset=utf-8'));
    const outcome = await submitSupportTicket(body, { idempotencyKey: 'k', language: 'id', fetch: fake.fetch });
    expect(outcome).toEqual({
      kind: 'problem',
      status: 400,
      code: 'validation_failed',
      detail: problem.detail,
      fields: { email: 'Masukkan alamat email yang valid.' },
    });
  });

  it('retries once with a fresh token when the CSRF token was rejected, keeping the idempotency key', async () => {
    const rejected = json(403, { code: 'csrf_invalid', detail: 'Token kedaluwarsa.' }, 'application/problem+json');
    const fake = fakeFetch(json(200, { token: 'old' }), rejected, json(200, { token: 'new' }), json(201, ticket));
    const outcome = await submitSupportTicket(body, { idempotencyKey: 'same', language: 'id', fetch: fake.fetch });
    expect(outcome.kind).toBe('created');
    expect(headersOf(fake.calls[3]).get('x-csrf-token')).toBe('new');
    expect(headersOf(fake.calls[3]).get('idempotency-key')).toBe('same');
  });

  it('gives up after a second CSRF rejection', async () => {
    const rejected = () => json(403, { code: 'csrf_invalid', detail: 'Token kedaluwarsa.' }, 'application/problem+json');
    const fake = fakeFetch(json(200, { token: 'a' }), rejected(), json(200, { token: 'b' }), rejected());
    const outcome = await submitSupportTicket(body, { idempotencyKey: 'k', language: 'id', fetch: fake.fetch });
    expect(outcome).toMatchObject({ kind: 'problem', status: 403, code: 'csrf_invalid' });
    expect(fake.calls).toHaveLength(4);
  });

  it('reports a network failure when no answer arrives', async () => {
    const fake = fakeFetch(json(200, { token: 't' }), new TypeError('Failed to fetch'));
    expect(await submitSupportTicket(body, { idempotencyKey: 'k', language: 'en', fetch: fake.fetch })).toEqual({ kind: 'network' });
  });

  it('copes with an error page that is not problem+json', async () => {
    const fake = fakeFetch(new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(await submitSupportTicket(body, { idempotencyKey: 'k', language: 'en', fetch: fake.fetch })).toEqual({
      kind: 'problem',
      status: 502,
      fields: {},
    });
  });
});
