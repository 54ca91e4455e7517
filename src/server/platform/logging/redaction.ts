/**
 * Log redaction derived from the data map: a value under any personal column name (snake_case or
 * camelCase) is replaced by the censor wherever it sits in a logged object (any depth, in arrays,
 * in error objects and their causes, and in child logger bindings), and so are credentials.
 *
 * Why not pino's `redact` option: it takes paths, so "anywhere" has to be spelled as `*.name`,
 * `*.*.name`, … (3 × 40 names, still blind past the depth spelled out), and pino 10's
 * `@pinojs/redact` re-parses every path on every call, for every binding and every logged key —
 * each request's child logger cost more than the rest of an authenticated `GET /api/me`
 * (bench/results/session.md). Matching key names while copying the object costs one Set lookup
 * per key and has no depth blind spot.
 */

export const CENSOR = '[personal]';
/** What replaces an object nested deeper than {@link MAX_DEPTH} (it is not logged at all). */
export const TRUNCATED = '[truncated]';
export const CIRCULAR = '[circular]';
/** Logged objects are copied this many levels deep; anything deeper is replaced by TRUNCATED. */
export const MAX_DEPTH = 8;

/**
 * Not personal columns, but never to be logged: credentials in headers and bodies, and
 * PostgreSQL's error `detail`, which quotes row values ("Key (…)=(…) already exists",
 * "Failing row contains (…)").
 */
export const ALWAYS_REDACTED = [
  'cookie',
  'authorization',
  'x-csrf-token',
  'set-cookie',
  'password',
  'currentPassword',
  'newPassword',
  'detail',
] as const;

/** Every personal column in snake_case and camelCase, plus {@link ALWAYS_REDACTED}. */
export function redactedKeys(personalColumns: readonly string[]): Set<string> {
  const keys = new Set<string>(ALWAYS_REDACTED);
  for (const column of personalColumns) {
    keys.add(column);
    keys.add(column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  }
  return keys;
}

export interface Redactor {
  /** A redacted copy of any value (the input is never modified). */
  value(value: unknown): unknown;
  /**
   * A redacted copy of a log line's merge object. Top-level `req`/`res` that are not plain objects
   * (Fastify's request and reply) are left to the logger's serializers, which keep only
   * id/method/path and the status code.
   */
  logObject(obj: Record<string, unknown>): Record<string, unknown>;
}

const hasOwn = Object.prototype.hasOwnProperty;

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function createRedactor(keys: ReadonlySet<string>, censor: string = CENSOR): Redactor {
  const ancestors: object[] = [];

  function walk(value: unknown, depth: number): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) return TRUNCATED;
    if (ancestors.includes(value)) return CIRCULAR;
    ancestors.push(value);
    try {
      if (Array.isArray(value)) return value.map((item: unknown) => walk(item, depth + 1));
      if (value instanceof Error) return copyError(value, depth);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        // What JSON.stringify would write (Date → string, Buffer → {type, data}), redacted.
        const json: unknown = toJSON.call(value);
        return json === value ? copyProperties(value, depth) : walk(json, depth);
      }
      return copyProperties(value, depth);
    } finally {
      ancestors.pop();
    }
  }

  /** Own enumerable properties (what JSON.stringify writes), personal ones censored. */
  function copyProperties(value: object, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    for (const key in source) {
      if (!hasOwn.call(source, key)) continue;
      const item = source[key];
      out[key] = keys.has(key) && item !== undefined ? censor : walk(item, depth + 1);
    }
    return out;
  }

  /**
   * A copy that is still an Error of the same class (pino's err serializer reads type, message,
   * stack, causes and every enumerable property). `message` is itself a personal column name
   * (support tickets), so when it is redacted the message is also cut out of the stack's header.
   */
  function copyError(err: Error, depth: number): Error {
    const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
    const censorMessage = keys.has('message') && typeof err.message === 'string' && err.message !== '';
    const message = censorMessage ? censor : err.message;
    let stack = err.stack;
    if (censorMessage && typeof stack === 'string') {
      const frames = stack.indexOf('\n    at ');
      const header = frames < 0 ? stack : stack.slice(0, frames);
      stack = header.split(err.message).join(censor) + (frames < 0 ? '' : stack.slice(frames));
    }
    const hidden = (name: string, v: unknown) => Object.defineProperty(copy, name, { value: v, enumerable: false, writable: true, configurable: true });
    hidden('message', message);
    hidden('stack', stack);
    if (hasOwn.call(err, 'name')) hidden('name', err.name);
    if ('cause' in err && err.cause !== undefined) hidden('cause', walk(err.cause, depth + 1));
    const errors = (err as { errors?: unknown }).errors;
    if (Array.isArray(errors)) hidden('errors', walk(errors, depth + 1));
    const source = err as unknown as Record<string, unknown>;
    const target = copy as unknown as Record<string, unknown>;
    for (const key in source) {
      if (key === 'cause' || key === 'errors') continue;
      const item = source[key];
      target[key] = keys.has(key) && item !== undefined ? censor : walk(item, depth + 1);
    }
    return copy;
  }

  return {
    value: (value) => walk(value, 0),
    logObject(obj) {
      const out: Record<string, unknown> = {};
      for (const key in obj) {
        if (!hasOwn.call(obj, key)) continue;
        const item = obj[key];
        if (keys.has(key) && item !== undefined) out[key] = censor;
        else if ((key === 'req' || key === 'res') && item !== null && typeof item === 'object' && !isPlain(item)) out[key] = item;
        else out[key] = walk(item, 1);
      }
      return out;
    },
  };
}
