import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { personalFields } from '../../data-map.js';
import { redactPaths } from './redaction.js';

export function loggerOptions(level: string): LoggerOptions {
  const personal = [...new Set(personalFields().map((f) => f.column))];
  return {
    level,
    redact: { paths: redactPaths(personal), censor: '[personal]' },
    serializers: {
      // Query strings can carry personal values (?email=…); log the path only.
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
