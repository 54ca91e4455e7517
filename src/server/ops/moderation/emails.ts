import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

/** "Your account has been suspended", in the member's language, with the way to the support form. */
export function suspensionEmail(input: { to: string; nickname: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'moderation.email.suspended.body') },
    { kind: 'paragraph', text: t(lang, 'moderation.email.suspended.support') },
    { kind: 'link', href: `${input.publicUrl.replace(/\/$/, '')}/support` },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'moderation.email.suspended.subject'), text, html, language: lang };
}

/** "Your account is active again", with the sign-in link. */
export function reinstatementEmail(input: { to: string; nickname: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'moderation.email.reinstated.body') },
    { kind: 'link', href: `${input.publicUrl.replace(/\/$/, '')}/signin` },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'moderation.email.reinstated.subject'), text, html, language: lang };
}
