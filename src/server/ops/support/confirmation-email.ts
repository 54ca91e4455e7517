import type { Language } from '../../../common/i18n/index.js';
import { formatDate, t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
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
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: lines.greeting },
    { kind: 'paragraph', text: lines.body },
    { kind: 'emphasis', text: lines.due },
    { kind: 'paragraph', text: lines.yourMessage },
    { kind: 'quote', text: ticket.message },
    { kind: 'paragraph', text: lines.noReply },
    { kind: 'paragraph', text: lines.signature },
  ]);
  return {
    to: ticket.email,
    subject: t(lang, 'email.supportConfirmation.subject', params),
    text,
    html,
    language: lang,
    headers: { 'Reply-To': supportEmail, 'X-Kenalan-Ticket': ticket.number },
  };
}
