import crypto from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Keyring } from '../crypto/keyring.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  language: 'id' | 'en';
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  readonly kind: 'smtp' | 'dev-mailbox';
  close(): void;
}

/** Real delivery through nodemailer to SMTP_URL. */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transport.sendMail({ from, ...mail, headers: { 'Content-Language': mail.language, ...mail.headers } });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/**
 * Development mailbox: nodemailer builds the real RFC 5322 message (same code path as SMTP up to
 * the wire), and we store it, encrypted, for /dev/mailbox. Config refuses this in production.
 */
export function createDevMailbox(db: Kysely<Database>, keyring: Keyring, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'dev-mailbox',
    async send(mail) {
      const info = await transport.sendMail({ from, ...mail, headers: { 'Content-Language': mail.language, ...mail.headers } });
      const raw = (info.message as Buffer).toString('utf8');
      await db
        .insertInto('dev_mailbox')
        .values({
          id: crypto.randomUUID(),
          to_address: keyring.encrypt(mail.to, 'dev_mailbox.to_address'),
          subject: keyring.encrypt(mail.subject, 'dev_mailbox.subject'),
          raw: keyring.encrypt(raw, 'dev_mailbox.raw'),
        })
        .execute();
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
