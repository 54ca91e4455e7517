import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';
import type { NotificationEmail } from './notifications-service.js';

/**
 * A service notice (never marketing) to a member who was offline: what happened, by whom (username
 * only), and a link to the notifications page. No message text, update text or photo is included.
 */
export function notificationEmail(input: NotificationEmail & { publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const params = { actor: input.actorUsername ? `@${input.actorUsername}` : t(lang, 'posts.notifications.someone') };
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, `posts.notifications.kinds.${input.kind}`, params) },
    { kind: 'paragraph', text: t(lang, 'posts.email.open') },
    { kind: 'link', href: `${input.publicUrl.replace(/\/$/, '')}/notifications` },
    { kind: 'paragraph', text: t(lang, 'posts.email.preferences') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, `posts.email.subject.${input.kind}`, params), text, html, language: lang };
}
