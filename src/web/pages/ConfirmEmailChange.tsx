import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { confirmEmailChange } from '../recovery/api.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type State = { kind: 'checking' } | { kind: 'done' } | { kind: 'expired' } | { kind: 'refused'; detail: string } | { kind: 'failed' };

/** Sends each token once, even under StrictMode's double effects. */
const started = new Map<string, Promise<State>>();

/** The landing page of the link sent to a new email address. */
export function ConfirmEmailChange() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<State>(token === '' ? { kind: 'expired' } : { kind: 'checking' });
  const headingRef = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(t('recovery.confirmEmail.title'));

  useEffect(() => {
    if (token === '') return;
    let current = true;
    let request = started.get(token);
    if (!request) {
      request = confirmEmailChange(token, { language }).then((outcome): State => {
        if (outcome.kind === 'ok') return { kind: 'done' };
        if (outcome.kind === 'problem' && outcome.code === 'contact_change_refused') return { kind: 'refused', detail: outcome.detail ?? '' };
        if (outcome.kind === 'problem' && outcome.status >= 400 && outcome.status < 500 && outcome.code !== 'rate_limited') return { kind: 'expired' };
        return { kind: 'failed' };
      });
      started.set(token, request);
    }
    void request.then((result) => {
      if (current) setState(result);
    });
    return () => {
      current = false;
    };
    // The language only affects error texts: changing it must not send the token again.
  }, [token]);

  useEffect(() => {
    if (state.kind !== 'checking') headingRef.current?.focus();
  }, [state]);

  const title = state.kind === 'done' ? 'doneTitle' : state.kind === 'refused' ? 'refusedTitle' : state.kind === 'failed' ? 'failedTitle' : 'expiredTitle';
  return (
    <div className="verify narrow">
      <h1 tabIndex={-1}>{t('recovery.confirmEmail.title')}</h1>
      {state.kind === 'checking' ? (
        <p role="status">{t('recovery.confirmEmail.checking')}</p>
      ) : (
        <section className={state.kind === 'done' ? 'confirmation' : 'error-summary'} aria-labelledby="confirm-email-result">
          <h2 id="confirm-email-result" tabIndex={-1} ref={headingRef}>
            {t(`recovery.confirmEmail.${title}`)}
          </h2>
          <p>{state.kind === 'refused' ? state.detail : t(`recovery.confirmEmail.${state.kind}`)}</p>
          <Link className="button button-secondary" to={state.kind === 'done' ? '/account/security' : '/support'}>
            {state.kind === 'done' ? t('recovery.security.title') : t('home.contactSupport')}
          </Link>
        </section>
      )}
    </div>
  );
}
