import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { formatDateTime } from '../locale.js';
import { getJson, sendJson, type RestrictionsView } from '../rights/api.js';
import '../rights/rights.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** Restriction of processing (UU PDP): one checkbox per category the member may restrict; saved together. */
export function Restrictions() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('rights.restrictions.title'));
  const [view, setView] = useState<RestrictionsView | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  function show(value: RestrictionsView): void {
    setView(value);
    setChosen(new Set(value.restrictions.map((r) => r.category)));
  }

  useEffect(() => {
    void getJson<RestrictionsView>('/api/me/restrictions', language).then((outcome) => {
      if (outcome.kind === 'ok') show(outcome.value);
      else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setError(t('signup.errors.network'));
    });
  }, [language, navigate, t]);

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setStatus('');
    setError(null);
    const outcome = await sendJson<RestrictionsView>('/api/me/restrictions', 'PUT', { restricted: [...chosen] }, language);
    setBusy(false);
    if (outcome.kind === 'ok') {
      show(outcome.value);
      setStatus(t('rights.restrictions.saved'));
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
  }

  const since = (category: string) => view?.restrictions.find((r) => r.category === category)?.since;

  return (
    <div className="restrictions narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('rights.restrictions.title')}</h1>
        <p className="tagline">{t('rights.restrictions.intro')}</p>
      </header>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!view && !error && <p>{t('rights.restrictions.loading')}</p>}
      {view && (
        <form onSubmit={(e) => void save(e)} noValidate>
          <fieldset className="consent-list">
            <legend className="visually-hidden">{t('rights.restrictions.legend')}</legend>
            {view.categories.map((category) => (
              <div className="field checkbox-field consent" key={category}>
                <div className="checkbox-row">
                  <input
                    id={`${id}-${category}`}
                    type="checkbox"
                    checked={chosen.has(category)}
                    disabled={busy}
                    aria-describedby={`${id}-${category}-hint`}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(category);
                      else next.delete(category);
                      setChosen(next);
                    }}
                  />
                  <label htmlFor={`${id}-${category}`}>{t(`rights.restrictions.categories.${category}.name`)}</label>
                </div>
                <p id={`${id}-${category}-hint`} className="field-hint">
                  {t(`rights.restrictions.categories.${category}.description`)}
                  {since(category) && <> {t('rights.restrictions.since', { when: formatDateTime(since(category)!, language) })}</>}
                </p>
              </div>
            ))}
          </fieldset>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t('rights.restrictions.saving') : t('rights.restrictions.save')}
          </button>
          <p role="status" className="sessions-status">
            {status}
          </p>
        </form>
      )}
      <p className="hint">{t('rights.restrictions.note')}</p>
    </div>
  );
}
