import type { FastifyPluginAsync } from 'fastify';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Keyring } from '../platform/crypto/keyring.js';
import type { DatabaseHandle } from '../platform/db/database.js';
import { sendProblem } from '../platform/http/problem.js';

/**
 * The development mailbox: every email the app "sent" without SMTP_URL, readable here.
 * Only registered when the dev mailbox is the mail transport, which config refuses in production.
 */
export const devRoutes: FastifyPluginAsync<{ database: DatabaseHandle; keyring: Keyring }> = async (app, { database, keyring }) => {
  const page = (title: string, body: React.ReactNode) =>
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang="en">
        <head>
          <meta charSet="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{title}</title>
        </head>
        <body>
          <main>
            <h1>{title}</h1>
            <p>Development only: these messages were not sent anywhere.</p>
            {body}
          </main>
        </body>
      </html>,
    );

  app.get('/dev/mailbox', { schema: { hide: true } }, async (_request, reply) => {
    const rows = await database.db.selectFrom('dev_mailbox').selectAll().orderBy('created_at', 'desc').limit(100).execute();
    const items = rows.map((row) => ({
      id: row.id,
      to: keyring.decrypt(row.to_address, 'dev_mailbox.to_address'),
      subject: keyring.decrypt(row.subject, 'dev_mailbox.subject'),
      at: row.created_at.toISOString(),
    }));
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Dev mailbox',
        items.length === 0 ? (
          <p>No messages yet.</p>
        ) : (
          <ol>
            {items.map((m) => (
              <li key={m.id}>
                <a href={`/dev/mailbox/${m.id}`}>{m.subject}</a> — {m.to} — <time dateTime={m.at}>{m.at}</time>
              </li>
            ))}
          </ol>
        ),
      ),
    );
  });

  app.get<{ Params: { id: string } }>(
    '/dev/mailbox/:id',
    { schema: { hide: true, params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } },
    async (request, reply) => {
      const row = await database.db.selectFrom('dev_mailbox').selectAll().where('id', '=', request.params.id).executeTakeFirst();
      if (!row) return sendProblem(reply, request, 'not_found', 404);
      const { simpleParser } = await import('mailparser'); // dev-only, kept off the start-up path
      const parsed = await simpleParser(keyring.decrypt(row.raw, 'dev_mailbox.raw'));
      return reply.type('text/html; charset=utf-8').send(
        page(
          parsed.subject ?? '(no subject)',
          <>
            <p>
              <a href="/dev/mailbox">← All messages</a>
            </p>
            <dl>
              <dt>To</dt>
              <dd>{keyring.decrypt(row.to_address, 'dev_mailbox.to_address')}</dd>
              <dt>Date</dt>
              <dd>{row.created_at.toISOString()}</dd>
            </dl>
            <pre>{parsed.text ?? ''}</pre>
          </>,
        ),
      );
    },
  );
};
