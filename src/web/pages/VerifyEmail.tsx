import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { verifyEmail } from '../accounts/api.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type State = 'checking' | 'verified' | 'expired' | 'failed';

/** Sends the token once per token, even under StrictMode's double effects. */
const started = new Map<string, Promise<State>>();

export function VerifyEmail() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<State>(token === '' ? 'expired' : 'checking');
  const headingRef = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(t('verifyEmail.title'));

  useEffect(() => {
    if (token === '') return;
    let current = true;
    let request = started.get(token);
    if (!request) {
      request = verifyEmail(token, { language }).then((outcome): State => {
        if (outcome.kind === 'ok') return 'verified';
        if (outcome.kind === 'problem' && outcome.status >= 400 && outcome.status < 500 && outcome.code !== 'rate_limited') return 'expired';
        return 'failed';
      });
      started.set(token, request);
    }
    void request.then((result) => {
      if (current) setState(result);
    });
    return () => {
      current = false;
    };
    // The language is only the language of error texts: changing it must not send the token again.
  }, [token]);

  useEffect(() => {
    if (state !== 'checking') headingRef.current?.focus();
  }, [state]);

  return (
    <div className="verify narrow">
      <h1 tabIndex={-1}>{t('verifyEmail.title')}</h1>
      {state === 'checking' && <p role="status">{t('verifyEmail.checking')}</p>}
      {state !== 'checking' && (
        <section className={state === 'verified' ? 'confirmation' : 'error-summary'} aria-labelledby="verify-email-result">
          <h2 id="verify-email-result" tabIndex={-1} ref={headingRef}>
            {t(`verifyEmail.${state}.title`)}
          </h2>
          <p>{t(`verifyEmail.${state}.body`)}</p>
          {state !== 'verified' && (
            <Link className="button button-secondary" to="/support">
              {t('home.contactSupport')}
            </Link>
          )}
        </section>
      )}
    </div>
  );
}
