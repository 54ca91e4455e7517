import type { Language } from '../../common/i18n/index.js';
import { INTL_LOCALE } from '../locale.js';

/**
 * How long a review case has waited, as a relative time in the page's language ("3 hours ago",
 * "3 jam yang lalu"): minutes under an hour, hours under two days, then days.
 */
export function formatWaited(seconds: number, language: Language): string {
  const format = new Intl.RelativeTimeFormat(INTL_LOCALE[language], { numeric: 'always' });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return format.format(-Math.max(1, minutes), 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return format.format(-hours, 'hour');
  return format.format(-Math.floor(hours / 24), 'day');
}
