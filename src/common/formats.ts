import { FormatRegistry } from '@sinclair/typebox';

/**
 * String formats used by the shared schemas. Fastify's Ajv knows these already (ajv-formats);
 * TypeBox's own checker (used by config and by the web app) needs them registered.
 * The email rule matches Ajv's "email" format so both sides agree.
 */
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

export function registerFormats(): void {
  if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => EMAIL.test(value));
}

registerFormats();
