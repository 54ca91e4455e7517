import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

/** "12 Januari 2026 pukul 14.05 WIB" / "12 January 2026 at 14:05 WIB": Jakarta time, as members read it. */
export function jakartaTime(date: Date, language: Language): string {
  const formatted = new Intl.DateTimeFormat(language === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Jakarta',
  }).format(date);
  return `${formatted} WIB`;
}

/** Country name in the member's language from its ISO code ("ID" → "Indonesia"). */
function countryName(code: string, language: Language): string {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function describePlace(place: { city: string; country: string } | null, language: Language): string {
  if (!place) return t(language, 'loginSecurity.place.unknown');
  return [place.city, countryName(place.country, language)].filter(Boolean).join(', ') || t(language, 'loginSecurity.place.unknown');
}

/** "A new device signed in to your account": device, approximate place, Jakarta time, what to do if it was not you. */
export function newDeviceEmail(input: {
  to: string;
  nickname: string;
  language: Language;
  device: string;
  place: { city: string; country: string } | null;
  at: Date;
  publicUrl: string;
}): OutgoingMail {
  const lang = input.language;
  const base = input.publicUrl.replace(/\/$/, '');
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'loginSecurity.newDevice.body') },
    { kind: 'emphasis', text: t(lang, 'loginSecurity.newDevice.device', { device: input.device }) },
    { kind: 'emphasis', text: t(lang, 'loginSecurity.newDevice.place', { place: describePlace(input.place, lang) }) },
    { kind: 'emphasis', text: t(lang, 'loginSecurity.newDevice.time', { time: jakartaTime(input.at, lang) }) },
    { kind: 'paragraph', text: t(lang, 'loginSecurity.newDevice.ifYou') },
    { kind: 'paragraph', text: t(lang, 'loginSecurity.newDevice.notYou') },
    { kind: 'link', href: `${base}/account/sessions` },
    { kind: 'paragraph', text: t(lang, 'loginSecurity.newDevice.reset') },
    { kind: 'link', href: `${base}/forgot-password` },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'loginSecurity.newDevice.subject'), text, html, language: lang };
}
