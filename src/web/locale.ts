import type { Language } from '../common/i18n/index.js';

/** Intl locales for our UI languages. */
export const INTL_LOCALE: Record<Language, string> = { id: 'id-ID', en: 'en-GB' };

/** Kenalan's promises (e.g. the 14-day answer) are counted in Western Indonesia Time. */
export const APP_TIME_ZONE = 'Asia/Jakarta';

/** A long date such as "12 Desember 2025" / "12 December 2025", in Jakarta time. */
export function formatLongDate(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(INTL_LOCALE[language], { dateStyle: 'long', timeZone: APP_TIME_ZONE }).format(date);
}

export function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(INTL_LOCALE[language]).format(value);
}

/** A date and time such as "27 Nov 2026, 14.05 WIB", in Jakarta time. */
export function formatDateTime(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(INTL_LOCALE[language], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: APP_TIME_ZONE,
    timeZoneName: 'short',
  }).format(date);
}
