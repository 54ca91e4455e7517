import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { personalFields } from '../../data-map.js';
import { createRedactor, redactedKeys, type Redactor } from './redaction.js';

/** The redactor every Kenalan logger uses: key names from the data map (see redaction.ts). */
export function dataMapRedactor(): Redactor {
  return createRedactor(redactedKeys([...new Set(personalFields().map((f) => f.column))]));
}

/**
 * Some links carry their secret in the path (a guardian's consent link, newsletter unsubscribe and
 * tracking links): whoever reads the logs must not be able to use them. Long random segments are
 * logged as `:token`; UUIDs (record ids, not secrets) stay.
 */
const TOKEN_SEGMENT = /(?<=\/)(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?:\/|$))[A-Za-z0-9_-]{20,}(?=\.gif$|\/|$)/g;

export function loggablePath(url: string): string {
  return (url.split('?')[0] ?? '').replace(TOKEN_SEGMENT, ':token');
}

export function loggerOptions(level: string, redactor: Redactor = dataMapRedactor()): LoggerOptions {
  return {
    level,
    // Every logged object is copied with personal values censored before pino serializes it. A
    // log call must never throw into the caller (a getter or toJSON that throws): log a marker then.
    formatters: {
      log: (obj) => {
        try {
          return redactor.logObject(obj);
        } catch {
          return { logRedaction: 'failed: object not logged' };
        }
      },
    },
    serializers: {
      // Query strings can carry personal values (?email=…); log the path only, with secret tokens out.
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: loggablePath(req.url) }),
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const redactor = dataMapRedactor();
  const options = loggerOptions(level, redactor);
  const logger = destination ? pino(options, destination) : pino(options);
  // Child bindings (Fastify's per-request `reqId`, anyone's `logger.child({...})`) are serialized
  // once when the child is made and never pass through formatters.log: redact them here. Children
  // are created with Object.create(parent), so every descendant inherits these two methods.
  const protoChild = logger.child as unknown as (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
  const protoSetBindings = logger.setBindings as unknown as (this: Logger, bindings: Bindings) => void;
  Object.assign(logger, {
    child(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions) {
      return protoChild.call(this, redactor.value(bindings) as Bindings, childOptions);
    },
    setBindings(this: Logger, bindings: Bindings) {
      protoSetBindings.call(this, redactor.value(bindings) as Bindings);
    },
  });
  return logger;
}
