import { renderToStaticMarkup } from 'react-dom/server';
import type { Language } from '../../../common/i18n/index.js';
import { formatDate, t } from '../../platform/i18n/i18n.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

interface Ticket {
  number: string;
  name: string;
  email: string;
  topic: string;
  message: string;
  language: Language;
  dueAt: Date;
}

/** The confirmation a member gets after filing a support ticket, in the language they used. */
export function supportConfirmationEmail(ticket: Ticket, supportEmail: string): OutgoingMail {
  const lang = ticket.language;
  const params = {
    number: ticket.number,
    topic: t(lang, `support.topics.${ticket.topic}`),
    date: formatDate(ticket.dueAt, lang),
    supportEmail,
  };
  const lines = {
    greeting: t(lang, 'email.greeting', { name: ticket.name }),
    body: t(lang, 'email.supportConfirmation.body', params),
    due: t(lang, 'email.supportConfirmation.due', params),
    yourMessage: t(lang, 'email.supportConfirmation.yourMessage'),
    noReply: t(lang, 'email.supportConfirmation.noReply', params),
    signature: t(lang, 'email.signature'),
  };
  const html =
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang={lang}>
        <body>
          <p>{lines.greeting}</p>
          <p>{lines.body}</p>
          <p>
            <strong>{lines.due}</strong>
          </p>
          <p>{lines.yourMessage}</p>
          <blockquote style={{ whiteSpace: 'pre-wrap' }}>{ticket.message}</blockquote>
          <p>{lines.noReply}</p>
          <p>{lines.signature}</p>
        </body>
      </html>,
    );
  const text = [lines.greeting, '', lines.body, '', lines.due, '', lines.yourMessage, quote(ticket.message), '', lines.noReply, '', lines.signature].join('\n');
  return {
    to: ticket.email,
    subject: t(lang, 'email.supportConfirmation.subject', params),
    text,
    html,
    language: lang,
    headers: { 'Reply-To': supportEmail, 'X-Kenalan-Ticket': ticket.number },
  };
}

function quote(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
}
