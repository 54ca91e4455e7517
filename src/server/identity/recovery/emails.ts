import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail, type EmailBlock } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');
const link = (publicUrl: string, path: string, token?: string) =>
  `${base(publicUrl)}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

function mail(to: string, language: Language, subjectKey: string, nickname: string | undefined, blocks: EmailBlock[]): OutgoingMail {
  const { html, text } = renderEmail(language, [
    ...(nickname ? [{ kind: 'paragraph' as const, text: t(language, 'email.greeting', { name: nickname }) }] : []),
    ...blocks,
    { kind: 'paragraph', text: t(language, 'email.signature') },
  ]);
  return { to, subject: t(language, subjectKey), text, html, language };
}

/** The password-reset link (valid 1 hour, single use). */
export function resetEmail(input: { to: string; nickname: string; token: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  return mail(input.to, lang, 'recovery.email.reset.subject', input.nickname, [
    { kind: 'paragraph', text: t(lang, 'recovery.email.reset.body') },
    { kind: 'link', href: link(input.publicUrl, '/reset-password', input.token) },
    { kind: 'paragraph', text: t(lang, 'recovery.email.reset.ignore') },
  ]);
}

/** "Your password was changed; if this wasn't you…" */
export function passwordChangedEmail(input: { to: string; nickname: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  return mail(input.to, lang, 'recovery.email.passwordChanged.subject', input.nickname, [
    { kind: 'paragraph', text: t(lang, 'recovery.email.passwordChanged.body') },
    { kind: 'emphasis', text: t(lang, 'recovery.email.passwordChanged.notYou') },
    { kind: 'link', href: link(input.publicUrl, '/forgot-password') },
  ]);
}

/** The confirmation link sent to a new email address (valid 24 hours, single use). */
export function emailChangeEmail(input: { to: string; nickname: string; token: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  return mail(input.to, lang, 'recovery.email.emailChange.subject', input.nickname, [
    { kind: 'paragraph', text: t(lang, 'recovery.email.emailChange.body') },
    { kind: 'link', href: link(input.publicUrl, '/confirm-email-change', input.token) },
    { kind: 'paragraph', text: t(lang, 'recovery.email.emailChange.ignore') },
  ]);
}

/** Notice of a confirmed email or phone change (to the old email, or to the email for a phone change). */
export function contactChangedEmail(input: { to: string; nickname: string; kind: 'email' | 'phone'; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const key = input.kind === 'email' ? 'emailChanged' : 'phoneChanged';
  return mail(input.to, lang, `recovery.email.${key}.subject`, input.nickname, [
    { kind: 'paragraph', text: t(lang, `recovery.email.${key}.body`) },
    { kind: 'emphasis', text: t(lang, 'recovery.email.notYou') },
    { kind: 'link', href: link(input.publicUrl, '/forgot-password') },
  ]);
}

/** "Was it you who reported this account compromised?" — following the link locks it. */
export function compromiseConfirmationEmail(input: { to: string; nickname: string; token: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  return mail(input.to, lang, 'recovery.email.compromiseConfirm.subject', input.nickname, [
    { kind: 'paragraph', text: t(lang, 'recovery.email.compromiseConfirm.body') },
    { kind: 'link', href: link(input.publicUrl, '/account/compromised/confirm', input.token) },
    { kind: 'paragraph', text: t(lang, 'recovery.email.compromiseConfirm.ignore') },
  ]);
}

/** "Your account was locked": how to unlock it. */
export function lockedEmail(input: { to: string; nickname: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  return mail(input.to, lang, 'recovery.email.locked.subject', input.nickname, [
    { kind: 'paragraph', text: t(lang, 'recovery.email.locked.body') },
    { kind: 'paragraph', text: t(lang, 'recovery.email.locked.reset') },
    { kind: 'link', href: link(input.publicUrl, '/forgot-password') },
  ]);
}

export const resetSms = (code: string, language: Language) => t(language, 'recovery.sms.resetCode', { code });
export const changeCodeSms = (code: string, language: Language) => t(language, 'recovery.sms.changeCode', { code });
export const phoneChangedSms = (language: Language) => t(language, 'recovery.sms.phoneChanged');
export const lockedSms = (language: Language) => t(language, 'recovery.sms.locked');
