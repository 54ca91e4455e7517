// What a request's logger costs: Fastify makes a child logger (bindings { reqId }) for every
// request, and at LOG_LEVEL=info writes two lines per request ("incoming request", "request
// completed"). Compares pino's path-based `redact` with the data map's ~160 paths (what Kenalan
// used before, rebuilt here as the reference) with the key-name redactor in formatters.log
// (src/server/platform/logging). Single-threaded and in-process, so far less sensitive to other
// load on the machine than the HTTP benchmarks. Usage: npx tsx bench/logger.ts
import os from 'node:os';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { personalFields } from '../src/server/data-map.js';
import { createLogger } from '../src/server/platform/logging/logger.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const MS_PER_ROUND = Number(process.env.MS_PER_ROUND ?? 1000);

/** The redact paths Kenalan used before (every personal name, as is and under *, *.*, *.*.*). */
function previousRedactPaths(columns: readonly string[]): string[] {
  const names = new Set<string>();
  for (const c of columns) {
    names.add(c);
    names.add(c.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()));
  }
  const paths = new Set(['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]']);
  for (const n of names) for (const prefix of ['', '*.', '*.*.', '*.*.*.']) paths.add(prefix + n);
  return [...paths];
}

const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
const columns = [...new Set(personalFields().map((f) => f.column))];
const redactPaths = previousRedactPaths(columns);

function makeLogger(kind: 'paths' | 'keys', level: string): Logger {
  if (kind === 'keys') return createLogger(level, sink());
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[personal]' },
      serializers: { req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }) },
    },
    sink(),
  );
}

const fakeRequest = { id: 'x', method: 'GET', url: '/api/me', headers: {} };
let n = 0;
const cases: [string, (logger: Logger) => void][] = [
  ['child logger per request (LOG_LEVEL=warn: nothing written)', (l) => void l.child({ reqId: `req-${n++}` }, {})],
  [
    'child + 2 request lines (LOG_LEVEL=info, Fastify default request logging)',
    (l) => {
      const child = l.child({ reqId: `req-${n++}` }, {});
      child.info({ req: fakeRequest }, 'incoming request');
      child.info({ res: { statusCode: 200 }, responseTime: 1.2 }, 'request completed');
    },
  ],
  [
    'a service log line with a nested object (LOG_LEVEL=info)',
    (l) => l.info({ ticket: { id: 't1', topic: 'privacy', member: { id: 'm1', status: 'active' } }, attempt: 2 }, 'support confirmation sent'),
  ],
];

function opsPerSecond(fn: () => void): number {
  let ops = 0;
  const started = performance.now();
  let now = started;
  while (now - started < MS_PER_ROUND) {
    for (let i = 0; i < 200; i++) fn();
    ops += 200;
    now = performance.now();
  }
  return (ops / (now - started)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, pino ${pino.version}; ${redactPaths.length} redact paths from ${columns.length} personal columns; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
console.log(`Median of ${ROUNDS} alternating rounds of ${MS_PER_ROUND} ms each:\n`);
console.log('| case | pino redact paths (before): µs/op | key redactor (now): µs/op | speed-up |\n|---|---|---|---|');
for (const [label, fn] of cases) {
  const level = label.includes('warn') ? 'warn' : 'info';
  const loggers = { paths: makeLogger('paths', level), keys: makeLogger('keys', level) };
  opsPerSecond(() => fn(loggers.paths)); // warm-up
  opsPerSecond(() => fn(loggers.keys));
  const results = { paths: [] as number[], keys: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    results.paths.push(opsPerSecond(() => fn(loggers.paths)));
    results.keys.push(opsPerSecond(() => fn(loggers.keys)));
  }
  const before = 1e6 / median(results.paths);
  const now = 1e6 / median(results.keys);
  console.log(`| ${label} | ${before.toFixed(1)} | ${now.toFixed(1)} | ${(before / now).toFixed(0)}× |`);
}
