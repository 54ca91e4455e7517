import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { confirmCompromise } from '../recovery/api.js';
import { LockedNotice } from '../recovery/common.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type State = { kind: 'checking' } | { kind: 'locked'; ticketNumber: string } | { kind: 'expired' } | { kind: 'failed' };

const started = new Map<string, Promise<State>>();

/** The landing page of the "lock my account?" link sent after a support-form report: following it locks. */
export function ConfirmCompromised() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<State>(token === '' ? { kind: 'expired' } : { kind: 'checking' });
  const headingRef = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(t('recovery.compromisedConfirm.title'));

  useEffect(() => {
    if (token === '') return;
    let current = true;
    let request = started.get(token);
    if (!request) {
      request = confirmCompromise(token, { language }).then((outcome): State => {
        if (outcome.kind === 'ok') return { kind: 'locked', ticketNumber: outcome.value };
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
  }, [token]);

  useEffect(() => {
    if (state.kind !== 'checking') headingRef.current?.focus();
  }, [state]);

  return (
    <div className="verify narrow">
      <h1 tabIndex={-1}>{t('recovery.compromisedConfirm.title')}</h1>
      {state.kind === 'checking' && <p role="status">{t('recovery.compromisedConfirm.checking')}</p>}
      {state.kind === 'locked' && <LockedNotice ticketNumber={state.ticketNumber} headingRef={headingRef} />}
      {(state.kind === 'expired' || state.kind === 'failed') && (
        <section className="error-summary" aria-labelledby="compromised-result">
          <h2 id="compromised-result" tabIndex={-1} ref={headingRef}>
            {t(`recovery.compromisedConfirm.${state.kind}Title`)}
          </h2>
          <p>{t(`recovery.compromisedConfirm.${state.kind}`)}</p>
          <Link className="button button-secondary" to="/support">
            {t('home.contactSupport')}
          </Link>
        </section>
      )}
    </div>
  );
}
