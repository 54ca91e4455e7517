import { useId, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { LANGUAGES, isLanguage } from '../../common/i18n/index.js';
import { mayStorePreferences } from '../cookies/gate.js';
import { storeLanguage } from '../language.js';
import { useLanguage } from '../useLanguage.js';

/** A native <select>: keyboard operable everywhere and familiar on phones. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = useLanguage();
  const [searchParams, setSearchParams] = useSearchParams();
  const id = useId();

  function handleChange(event: ChangeEvent<HTMLSelectElement>): void {
    const next = event.target.value;
    if (!isLanguage(next) || next === language) return;
    // Remembering the language is a preference: kept only with consent (P2.1), otherwise it lasts for this visit.
    if (mayStorePreferences()) storeLanguage(next);
    void i18n.changeLanguage(next);
    // A ?lang= in the address wins over the stored choice, so keep it in step with the switch.
    if (searchParams.has('lang')) {
      setSearchParams(
        (params) => {
          params.set('lang', next);
          return params;
        },
        { replace: true, preventScrollReset: true },
      );
    }
  }

  return (
    <div className="language-switch">
      <label htmlFor={id}>
        <GlobeIcon />
        <span>{t('app.language')}</span>
      </label>
      <select id={id} value={language} onChange={handleChange}>
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(`app.languageName.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function GlobeIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
}
