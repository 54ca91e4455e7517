import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

/** The email-verification message, in the member's language, with the single-use link. */
export function verificationEmail(input: { to: string; nickname: string; token: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const link = `${input.publicUrl.replace(/\/$/, '')}/verify-email?token=${encodeURIComponent(input.token)}`;
  const lines = {
    greeting: t(lang, 'email.greeting', { name: input.nickname }),
    body: t(lang, 'accounts.verifyEmail.body'),
    ignore: t(lang, 'accounts.verifyEmail.ignore'),
    signature: t(lang, 'email.signature'),
  };
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: lines.greeting },
    { kind: 'paragraph', text: lines.body },
    { kind: 'link', href: link },
    { kind: 'paragraph', text: lines.ignore },
    { kind: 'paragraph', text: lines.signature },
  ]);
  return { to: input.to, subject: t(lang, 'accounts.verifyEmail.subject'), text, html, language: lang };
}

/** The SMS body with the code, in the member's language. */
export function verificationSms(code: string, language: Language): string {
  return t(language, 'accounts.sms.code', { code });
}
