import i18next, { type TFunction } from 'i18next';
import { isLanguage, languageFromAcceptLanguage, resources, type Language } from '../../../common/i18n/index.js';

const instance = i18next.createInstance();
await instance.init({
  resources,
  fallbackLng: 'en',
  supportedLngs: ['id', 'en'],
  interpolation: { escapeValue: false },
  initAsync: false,
});

export function translator(language: Language): TFunction {
  return instance.getFixedT(language);
}

export function t(language: Language, key: string, params?: Record<string, unknown>): string {
  return instance.getFixedT(language)(key, params ?? {}) as string;
}

export interface LanguageSources {
  query?: unknown;
  memberSetting?: Language | null;
  acceptLanguage?: string | undefined;
  fallback: Language;
}

/** `?lang=`, then the member's own setting, then Accept-Language, then the configured default. */
export function negotiateLanguage(sources: LanguageSources): Language {
  if (isLanguage(sources.query)) return sources.query;
  if (sources.memberSetting) return sources.memberSetting;
  return languageFromAcceptLanguage(sources.acceptLanguage) ?? sources.fallback;
}

export function formatDate(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeZone: 'Asia/Jakarta',
  }).format(date);
}
