import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Keyring } from '../crypto/keyring.js';

/** An SMS provider. Production adapters (e.g. an Indonesian SMS gateway) implement this. */
export interface SmsTransport {
  readonly kind: string;
  send(message: { to: string; body: string }): Promise<{ id: string }>;
}

/** Development outbox: stores each SMS, encrypted, instead of sending it. */
export function createDevSmsOutbox(db: Kysely<Database>, keyring: Keyring): SmsTransport {
  return {
    kind: 'dev-outbox',
    async send({ to, body }) {
      const id = crypto.randomUUID();
      await db
        .insertInto('dev_sms_outbox')
        .values({
          id,
          to_number: keyring.encrypt(to, 'dev_sms_outbox.to_number'),
          body: keyring.encrypt(body, 'dev_sms_outbox.body'),
        })
        .execute();
      return { id };
    },
  };
}
