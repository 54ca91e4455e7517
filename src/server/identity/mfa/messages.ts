import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

/** The sign-in confirmation code by email, in the member's language. */
export function challengeCodeEmail(input: { to: string; nickname: string; code: string; language: Language }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'mfa.codeEmail.body') },
    { kind: 'emphasis', text: input.code },
    { kind: 'paragraph', text: t(lang, 'mfa.codeEmail.notYou') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'mfa.codeEmail.subject'), text, html, language: lang };
}

/** The sign-in confirmation code by SMS. */
export function challengeCodeSms(code: string, language: Language): string {
  return t(language, 'mfa.codeSms', { code });
}
