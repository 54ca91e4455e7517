import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import '../common/formats.js';

/**
 * Every environment variable Kenalan reads, in one place. The README's configuration table is
 * generated from the descriptions here (`npm run docs:config`; test/readme.test.ts keeps them equal), so keep them user-facing.
 */
export const configSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
    description: 'development, test or production. Production refuses the dev mailbox and dev SMS outbox.',
  }),
  HOST: Type.String({ default: 'localhost', minLength: 1, description: 'Interface to listen on (0.0.0.0 for all).' }),
  PORT: Type.Integer({ default: 8443, minimum: 0, maximum: 65535, description: 'HTTPS port.' }),
  HTTP_PORT: Type.Integer({
    default: 8080,
    minimum: 0,
    maximum: 65535,
    description: 'Plain HTTP port that only redirects to HTTPS; 0 turns it off.',
  }),
  PUBLIC_URL: Type.String({
    default: 'https://localhost:8443',
    pattern: '^https://[^\\s/]+(:\\d+)?$',
    description: 'The https origin members reach Kenalan at (used in emails and redirects).',
  }),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'Embedded database, keys, certificates and uploads.' }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL; unset = embedded PGlite in DATA_DIR.' }),
  ),
  KENALAN_MASTER_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9+/]{43}=$',
      description: '32-byte master key, base64. Unset = a key file created with mode 0600 in DATA_DIR.',
    }),
  ),
  TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate; unset = self-signed localhost certificate in DATA_DIR.' })),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key, required with TLS_CERT_FILE.' })),
  SMTP_URL: Type.Optional(
    Type.String({ pattern: '^smtps?://', description: 'SMTP server for email; unset = embedded dev mailbox at /dev/mailbox (not in production).' }),
  ),
  MAIL_FROM: Type.String({ default: 'Kenalan <no-reply\u0040kenalan.example>', minLength: 3, description: 'Sender of every email.' }),
  SUPPORT_EMAIL: Type.String({
    default: 'support\u0040kenalan.example',
    format: 'email',
    description: 'Customer-service address shown in the Privacy Policy and emails (the seed policy lacks one).',
  }),
  DEFAULT_LANGUAGE: Type.Union([Type.Literal('id'), Type.Literal('en')], { default: 'id', description: 'Language when nothing else decides.' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level.' },
  ),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 300, minimum: 1, description: 'Requests per minute per client IP across the API.' }),
  JOB_POLL_SECONDS: Type.Number({ default: 1, minimum: 0.5, maximum: 60, description: 'How often job workers poll the queue.' }),
  TRUST_PROXY: Type.Boolean({ default: false, description: 'Trust X-Forwarded-* headers from a reverse proxy.' }),
  LOGIN_DELAY_MS: Type.Integer({
    default: 1000,
    minimum: 0,
    maximum: 10_000,
    description:
      'After 5 failed sign-ins on one account from one IP, each further attempt waits this long, doubling per failure (at most 32 times as long).',
  }),
  ERASURE_GRACE_DAYS: Type.Integer({
    default: 14,
    minimum: 0,
    maximum: 90,
    description: 'Days between "delete my account" (the account is deactivated at once) and its erasure; signing in meanwhile can restore it.',
  }),
  GEOIP_LOOKUP: Type.Boolean({
    default: true,
    description:
      'Look up the approximate city of sign-in IP addresses (geoip-lite, loaded on first use: about 150 MB of memory) for the sessions page, the new-device email and the impossible-travel check; false skips all three.',
  }),
  FACE_POOL_SIZE: Type.Integer({
    default: 1,
    minimum: 1,
    maximum: 16,
    description:
      'Worker processes for face verification (each its own process at the lowest CPU priority, SCHED_IDLE where chrt exists), started at start-up (FACE_WARMUP) or on the first check (each loads the face models: about 220 MB). 1 suits 2 cores (bench/results/face.md).',
  }),
  FACE_WORKER_PRIORITY: Type.Union([Type.Literal('idle'), Type.Literal('normal')], {
    default: 'idle',
    description:
      'CPU priority of the face worker processes. idle: SCHED_IDLE where chrt exists, else nice 19 — the models use only CPU that nothing else wants, so checks never slow other requests, but wait while the server is saturated (a task fails after 60 s). normal: ordinary priority (the tests use it, where parallel test files keep both cores busy).',
  }),
  FACE_WORKER_CGROUP: Type.String({
    default: 'auto',
    minLength: 1,
    description:
      'Linux: the cgroup the idle face worker processes join, marked cpu.idle so they get only CPU that no other group wants (SCHED_IDLE alone yields only within its own group, not to PostgreSQL). auto: make one below the server\'s own cgroup where allowed (root on cgroup v1; on v2 a delegated cgroup, see docs/adr/0013), else run without; off; or the absolute path of a cgroup prepared for it.',
  }),
  FACE_IDLE_MINUTES: Type.Integer({
    default: 30,
    minimum: 0,
    maximum: 10_080,
    description:
      'Minutes without any face check after which the face worker processes stop and give their memory back (about 220 MB each); the next check starts them again and waits for the models (about 0.5–1 s more). 0 = keep them running.',
  }),
  FACE_REFRESH_IDLE_SECONDS: Type.Integer({
    default: 120,
    minimum: 0,
    maximum: 86_400,
    description:
      'Seconds without any face check after which a face worker that has analysed photos is replaced by a fresh one with the models loaded: its model memory grows on the first analyses (about 80–90 MB) and is never given back otherwise. The next check stays as fast; its profile-photo analysis, which runs while the member reads the challenge, takes about 0.2 s more. 0 = never.',
  }),
  FACE_WARMUP: Type.Optional(
    Type.Boolean({
      description:
        'Load the face models in the worker pool right after start-up, in the background (the server answers meanwhile; a check that comes first waits for them), so no member waits 0.5–8 s for the first check. Unset = on, except with NODE_ENV=test; false = load on the first check.',
    }),
  ),
});

export type Config = Static<typeof configSchema> & { dataDir: string };

/** Whether main.ts loads the face models at start-up: FACE_WARMUP, or unset = every environment but tests (which mostly never verify a face). */
export function faceWarmupEnabled(config: Pick<Config, 'FACE_WARMUP' | 'NODE_ENV'>): boolean {
  return config.FACE_WARMUP ?? config.NODE_ENV !== 'test';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const VARIABLE_NAMES = Object.keys(configSchema.properties) as (keyof Static<typeof configSchema>)[];

/** Reads the environment, fills defaults, converts types and fails naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const withDefaults = Value.Default(configSchema, raw);
  const converted = Value.Convert(configSchema, withDefaults) as Record<string, unknown>;
  const problems: string[] = [];
  for (const error of Value.Errors(configSchema, converted)) {
    const name = error.path.replace(/^\//, '') || '(root)';
    const given = raw[name];
    problems.push(`${name}: ${describeProblem(error.message)}${given === undefined ? '' : ` (got ${JSON.stringify(redactSecret(name, given))})`}`);
  }
  if (problems.length === 0) problems.push(...crossFieldProblems(converted as Static<typeof configSchema>));
  if (problems.length > 0) throw new ConfigError(problems);
  const config = converted as Static<typeof configSchema>;
  return { ...config, dataDir: path.resolve(config.DATA_DIR) };
}

function crossFieldProblems(config: Static<typeof configSchema>): string[] {
  const problems: string[] = [];
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
  }
  if (config.NODE_ENV === 'production' && !config.SMTP_URL) {
    problems.push('SMTP_URL: required in production (the dev mailbox is refused there)');
  }
  if (config.HTTP_PORT !== 0 && config.HTTP_PORT === config.PORT) {
    problems.push('HTTP_PORT: must differ from PORT');
  }
  return problems;
}

function describeProblem(message: string): string {
  return message.replace(/^Expected/, 'expected');
}

function redactSecret(name: string, value: unknown): unknown {
  return name === 'KENALAN_MASTER_KEY' || name === 'DATABASE_URL' || name === 'SMTP_URL' ? '(hidden)' : value;
}
