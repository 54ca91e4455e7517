import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { OPTIONAL_COOKIE_CATEGORIES, REJECT_ALL, type CookieChoice } from '../../common/cookies.js';
import { useLanguage } from '../useLanguage.js';
import { chooseCookies } from './store.js';

/**
 * Per-category cookie choice: necessary is always on (shown, not changeable); the optional
 * categories start as they were chosen, or off. Accept all and reject all are equally prominent.
 */
export function CookieChoiceForm({ initial, gpc, onSaved, compact = false }: { initial: CookieChoice | null; gpc: boolean; onSaved?: () => void; compact?: boolean }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const [choice, setChoice] = useState<CookieChoice>(initial ?? REJECT_ALL);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(next: CookieChoice): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    const outcome = await chooseCookies(next, language);
    setBusy(false);
    if (outcome.kind === 'ok') {
      setChoice(outcome.value.choice ?? next);
      onSaved?.();
    } else setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('cookies.saveFailed'));
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    void save(choice);
  }

  return (
    <form className="cookie-form" onSubmit={submit} aria-describedby={gpc ? `${id}-gpc` : undefined}>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {gpc && (
        <p id={`${id}-gpc`} className="cookie-gpc">
          {t('cookies.gpc')}
        </p>
      )}
      <fieldset className="cookie-categories">
        <legend className={compact ? 'visually-hidden' : undefined}>{t('cookies.categoriesLegend')}</legend>
        <div className="field checkbox-field">
          <div className="checkbox-row">
            <input id={`${id}-necessary`} type="checkbox" checked disabled aria-describedby={`${id}-necessary-hint`} />
            <label htmlFor={`${id}-necessary`}>{t('cookies.categories.necessary.name')}</label>
          </div>
          <p id={`${id}-necessary-hint`} className="field-hint">
            {t('cookies.categories.necessary.description')}
          </p>
        </div>
        {OPTIONAL_COOKIE_CATEGORIES.map((category) => {
          const locked = gpc && category !== 'preferences';
          return (
            <div className="field checkbox-field" key={category}>
              <div className="checkbox-row">
                <input
                  id={`${id}-${category}`}
                  type="checkbox"
                  checked={choice[category] && !locked}
                  disabled={locked || busy}
                  onChange={(event) => setChoice({ ...choice, [category]: event.target.checked })}
                  aria-describedby={`${id}-${category}-hint`}
                />
                <label htmlFor={`${id}-${category}`}>{t(`cookies.categories.${category}.name`)}</label>
              </div>
              <p id={`${id}-${category}-hint`} className="field-hint">
                {t(`cookies.categories.${category}.description`)}
              </p>
            </div>
          );
        })}
      </fieldset>
      <div className="cookie-actions">
        <button type="button" className="button" disabled={busy} onClick={() => void save({ preferences: true, analytics: true, marketing: true })}>
          {t('cookies.acceptAll')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void save(REJECT_ALL)}>
          {t('cookies.rejectAll')}
        </button>
        <button type="submit" className="button button-secondary" disabled={busy}>
          {t('cookies.saveChoice')}
        </button>
      </div>
    </form>
  );
}
