import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

/**
 * Messages of the guardian flow. They name the minor by nickname and username only: never the NIK,
 * the date of birth or any contact value of the minor.
 */
const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');

export const inviteLink = (publicUrl: string, token: string) => `${base(publicUrl)}/guardian/${encodeURIComponent(token)}`;
export const withdrawLink = (publicUrl: string, token: string) => `${base(publicUrl)}/guardian/withdraw/${encodeURIComponent(token)}`;

interface Minor {
  nickname: string;
  username: string;
}

/** To the guardian: who asks, why, and the single 7-day link. */
export function invitationEmail(input: Minor & { to: string; token: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const names = { nickname: input.nickname, username: input.username };
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'guardian.invite.greeting') },
    { kind: 'paragraph', text: t(lang, 'guardian.invite.body', names) },
    { kind: 'paragraph', text: t(lang, 'guardian.invite.action') },
    { kind: 'link', href: inviteLink(input.publicUrl, input.token) },
    { kind: 'paragraph', text: t(lang, 'guardian.invite.ignore') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'guardian.invite.subject', names), text, html, language: lang };
}

/** To the guardian's phone: look for the email (no link in the SMS). */
export function invitationSms(input: Minor & { language: Language }): string {
  return t(input.language, 'guardian.invite.sms', { nickname: input.nickname, username: input.username });
}

/** To the guardian after consent: what was recorded, and the long-lived withdrawal link. */
export function consentConfirmationEmail(input: Minor & { to: string; token: string; version: string; language: Language; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const names = { nickname: input.nickname, username: input.username };
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'guardian.invite.greeting') },
    { kind: 'paragraph', text: t(lang, 'guardian.confirmation.body', { ...names, version: input.version }) },
    { kind: 'paragraph', text: t(lang, 'guardian.confirmation.withdraw') },
    { kind: 'link', href: withdrawLink(input.publicUrl, input.token) },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'guardian.confirmation.subject', names), text, html, language: lang };
}

/** To the minor: the guardian refused, the sign-up is deleted. */
export function refusedNoticeEmail(input: { to: string; nickname: string; language: Language }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'guardian.refusedNotice.body') },
    { kind: 'paragraph', text: t(lang, 'guardian.refusedNotice.more') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'guardian.refusedNotice.subject'), text, html, language: lang };
}

/** To the minor: the guardian withdrew consent, the account is suspended. */
export function withdrawnNoticeEmail(input: { to: string; nickname: string; language: Language }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'guardian.withdrawnNotice.body') },
    { kind: 'paragraph', text: t(lang, 'guardian.withdrawnNotice.more') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'guardian.withdrawnNotice.subject'), text, html, language: lang };
}
