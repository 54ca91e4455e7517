import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

export interface NoticeTarget {
  to: string;
  nickname: string;
  language: Language;
  publicUrl: string;
}

/** A moderation notice: greeting, the texts under `moderation.email.<kind>` (subject, body[, support]), a link, signature. */
function notice(input: NoticeTarget, kind: 'suspended' | 'reinstated', paragraphs: string[], linkPath: string): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    ...paragraphs.map((key) => ({ kind: 'paragraph' as const, text: t(lang, `moderation.email.${kind}.${key}`) })),
    { kind: 'link', href: `${input.publicUrl.replace(/\/$/, '')}${linkPath}` },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, `moderation.email.${kind}.subject`), text, html, language: lang };
}

/** "Your account has been suspended", in the member's language, with the way to the support form. */
export const suspensionEmail = (input: NoticeTarget) => notice(input, 'suspended', ['body', 'support'], '/support');

/** "Your account is active again", with the sign-in link. */
export const reinstatementEmail = (input: NoticeTarget) => notice(input, 'reinstated', ['body'], '/signin');
