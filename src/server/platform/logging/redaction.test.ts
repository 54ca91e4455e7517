import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { personalFields } from '../../data-map.js';
import { createLogger } from './logger.js';
import { CENSOR, CIRCULAR, MAX_DEPTH, TRUNCATED, createRedactor, redactedKeys } from './redaction.js';

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
  it('censors every declared personal column, snake_case and camelCase, at any depth and in arrays', () => {
    const columns = [...new Set(personalFields().map((f) => f.column))];
    const redactor = createRedactor(redactedKeys(columns));
    for (const column of columns) {
      const camel = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      for (const key of new Set([column, camel])) {
        // Depth 1 (top level of the log object) to MAX_DEPTH, alone and inside an array.
        for (let depth = 1; depth <= MAX_DEPTH; depth++) {
          let planted: unknown = { [key]: 'planted-value', keep: 'ok' };
          for (let i = 1; i < depth; i++) planted = { level: planted };
          const out = JSON.stringify(redactor.logObject(planted as Record<string, unknown>));
          expect(out, `${key} at depth ${depth}`).not.toContain('planted-value');
          expect(out).toContain(CENSOR);
          expect(out).toContain('"keep":"ok"');
          const inArray = JSON.stringify(redactor.logObject({ list: [1, [planted]] }));
          expect(inArray, `${key} in an array at depth ${depth}`).not.toContain('planted-value');
        }
      }
    }
  });

  it('never copies past the depth limit, survives cycles and leaves the input untouched', () => {
    const redactor = createRedactor(redactedKeys(['email']));
    let deep: Record<string, unknown> = { other: 'planted-deep' };
    for (let i = 0; i < MAX_DEPTH + 3; i++) deep = { level: deep };
    const out = JSON.stringify(redactor.logObject({ deep }));
    expect(out).not.toContain('planted-deep');
    expect(out).toContain(TRUNCATED);

    const cyclic: Record<string, unknown> = { email: 'cyclic\u0040contoh.id', id: 7 };
    cyclic.self = cyclic;
    const original = { cyclic };
    expect(redactor.logObject(original)).toEqual({ cyclic: { email: CENSOR, id: 7, self: CIRCULAR } });
    expect(cyclic.email).toBe('cyclic\u0040contoh.id'); // the caller's object is not modified
    // Values with toJSON are logged as JSON.stringify would write them, then redacted.
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(redactor.logObject({ when, wrapped: { toJSON: () => ({ email: 'x', n: 1 }) } })).toEqual({
      when: '2026-01-02T03:04:05.000Z',
      wrapped: { email: CENSOR, n: 1 },
    });
  });

  it('redacts error objects: their fields, causes, aggregated errors and the message in the stack', () => {
    const redactor = createRedactor(redactedKeys(['email', 'message', 'phone']));
    class SignUpError extends Error {
      params = { email: 'err-planted\u0040contoh.id', seconds: 3 };
    }
    const inner = Object.assign(new Error('inner'), { phone: '081200001111' });
    const err = new SignUpError('Nomor 081277776666 sudah dipakai', { cause: inner });
    const aggregate = new AggregateError([Object.assign(new Error('one'), { phone: '081233334444' })], 'many');
    const out = redactor.logObject({ err, aggregate }) as { err: Error & { params: unknown }; aggregate: AggregateError };
    expect(out.err).toBeInstanceOf(SignUpError);
    expect(out.err.params).toEqual({ email: CENSOR, seconds: 3 });
    expect(out.err.message).toBe(CENSOR);
    expect(out.err.stack).not.toContain('081277776666');
    expect(out.err.stack).toContain('redaction.test.ts'); // the frames are kept
    expect((out.err.cause as { phone: string }).phone).toBe(CENSOR);
    expect((out.aggregate.errors[0] as { phone: string }).phone).toBe(CENSOR);
    expect(err.params.email).toBe('err-planted\u0040contoh.id');
  });

  it('redacts credentials and PostgreSQL error details everywhere', () => {
    const redactor = createRedactor(redactedKeys([]));
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "members_username_key"'), {
      code: '23505',
      detail: 'Key (username)=(planted_user) already exists.',
    });
    const out = JSON.stringify(
      redactor.logObject({ err: pgError, headers: { cookie: 'planted-cookie', authorization: 'Bearer planted' }, body: { password: 'planted-password' } }),
    );
    for (const value of ['planted_user', 'planted-cookie', 'Bearer planted', 'planted-password']) expect(out).not.toContain(value);
    expect(out).toContain('23505');
  });

  it('redacts through the real logger: careless calls, nested objects, errors and child bindings', () => {
    const captured: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, callback) {
          captured.push(chunk.toString());
          callback();
        },
      }),
    );
    const email = 'careless.planted\u0040contoh.id';
    logger.info({ a: { b: { c: { d: { e: { email } } } } }, members: [{ phone: '081255556666', nickname: 'Planted Nick' }] }, 'deep');
    logger.error({ err: Object.assign(new Error('failed'), { nik: '3174051203900009' }) }, 'error');
    logger.error(Object.assign(new Error('bare error'), { username: 'planted_username' }));
    const child = logger.child({ email, reqId: 'req-1' });
    child.info({ username: 'planted_username' }, 'from a child');
    child.child({ grandchild: { phone: '081255556666' } }).warn('from a grandchild');
    const all = captured.join('');
    expect(captured).toHaveLength(5);
    for (const value of [email, '081255556666', 'Planted Nick', '3174051203900009', 'planted_username']) expect(all).not.toContain(value);
    expect(all).toContain('"reqId":"req-1"');
    // An object that throws while being read is not logged, and the log call does not throw.
    const hostile = { get email(): string { throw new Error('boom'); } };
    expect(() => logger.info({ hostile, other: 1 }, 'hostile')).not.toThrow();
    expect(captured.at(-1)).toContain('object not logged');
    expect(all).toContain('"type":"Error"');
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
