import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { changeConsent, fetchConsents, type ConsentInfo } from '../accounts/consents.js';
import { privacyPolicyHref } from '../links.js';
import { PolicyStatus } from '../policy/PolicyStatus.js';
import { formatDateTime } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/**
 * The member's consents (P0.1, P1.10): one checkbox per purpose, all off until turned on. Each
 * change is saved at once and recorded in the consent ledger with the policy version in force.
 */
export function Consents() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('consents.title'));
  const [consents, setConsents] = useState<ConsentInfo[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    void fetchConsents({ language }).then((outcome) => {
      if (outcome.kind === 'ok') setConsents(outcome.value);
      else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setError(t('signup.errors.network'));
    });
  }, [language, navigate, t]);

  async function toggle(purpose: string, granted: boolean): Promise<void> {
    setBusy(purpose);
    setStatus('');
    setError(null);
    // Show the new state at once; the server's answer replaces it (or puts the old one back).
    const before = consents;
    setConsents((list) => list?.map((c) => (c.purpose === purpose ? { ...c, granted } : c)) ?? list);
    const outcome = await changeConsent(purpose, granted, { language });
    setBusy(null);
    if (outcome.kind === 'ok') {
      setConsents(outcome.value);
      const name = t(`consents.purposes.${purpose}.name`);
      setStatus(granted ? t('consents.given', { name }) : t('consents.withdrawn', { name }));
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else {
      setConsents(before);
      setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
    }
  }

  return (
    <div className="consents narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('consents.title')}</h1>
        <p className="tagline">{t('consents.intro')}</p>
      </header>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <p role="status" className="sessions-status">
        {status}
      </p>
      {consents === null && !error && <p>{t('consents.loading')}</p>}
      {consents && (
        <fieldset className="consent-list">
          <legend className="visually-hidden">{t('consents.title')}</legend>
          {consents.map((c) => (
            <div className="field checkbox-field consent" key={c.purpose}>
              <div className="checkbox-row">
                <input
                  id={`${id}-${c.purpose}`}
                  type="checkbox"
                  checked={c.granted}
                  disabled={busy !== null}
                  aria-describedby={`${id}-${c.purpose}-hint`}
                  onChange={(event) => void toggle(c.purpose, event.target.checked)}
                />
                <label htmlFor={`${id}-${c.purpose}`}>{t(`consents.purposes.${c.purpose}.name`)}</label>
              </div>
              <p id={`${id}-${c.purpose}-hint`} className="field-hint">
                {t(`consents.purposes.${c.purpose}.description`)}
                {c.at && (
                  <>
                    {' '}
                    <span className="consent-when">
                      {t(c.granted ? 'consents.givenAt' : 'consents.withdrawnAt', { when: formatDateTime(c.at, language), version: c.policyVersion ?? '' })}
                    </span>
                  </>
                )}
              </p>
            </div>
          ))}
        </fieldset>
      )}
      <PolicyStatus />
      <p>
        {t('consents.cookiesNote')} <Link to="/cookies">{t('cookies.pageLink')}</Link>
      </p>
      <p>
        <a href={privacyPolicyHref(language)}>{t('app.footer.privacy')}</a>
      </p>
    </div>
  );
}
