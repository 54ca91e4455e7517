import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('fills every default when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8443);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.DEFAULT_LANGUAGE).toBe('id');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('converts numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '9443', TRUST_PROXY: 'true', JOB_POLL_SECONDS: '2.5' });
    expect(config.PORT).toBe(9443);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.JOB_POLL_SECONDS).toBe(2.5);
  });

  it('names every bad variable in one error', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'abc', HTTP_PORT: '70000', DEFAULT_LANGUAGE: 'fr', DATABASE_URL: 'mysql://x' });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'HTTP_PORT', 'DEFAULT_LANGUAGE', 'DATABASE_URL']) expect(message).toContain(`${name}:`);
  });

  it('never echoes secrets in its errors', () => {
    expect(() => loadConfig({ KENALAN_MASTER_KEY: 'too-short-secret-value' })).toThrow(/KENALAN_MASTER_KEY: .*\(hidden\)/);
    expect(() => loadConfig({ KENALAN_MASTER_KEY: 'too-short-secret-value' })).not.toThrow(/too-short-secret-value/);
  });

  it('refuses half a TLS configuration and the dev mailbox in production', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: '/x.pem' })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SMTP_URL: required in production/);
  });

  it('answers any environment with a config or a ConfigError, never anything else (property)', () => {
    const names = Object.keys(configSchema.properties);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('true', 'false', '', ' '))), (env) => {
        try {
          const config = loadConfig(env);
          expect(typeof config.PORT).toBe('number');
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as ConfigError).problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
