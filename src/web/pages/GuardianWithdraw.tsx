import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { fetchWithdrawal, withdrawConsent, type GuardianWithdrawal } from '../guardians/api.js';
import '../guardians/guardian.css';
import { adoptLanguageIfUnchosen } from '../guardians/language.js';
import type { Outcome } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string } | { text: string };
type State = { kind: 'loading' } | { kind: 'ready'; view: GuardianWithdrawal } | { kind: 'error'; message: Message } | { kind: 'done' };

function messageFor(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

/**
 * /guardian/withdraw/:token — from the link in the consent confirmation email. The page says what
 * withdrawing does (the account is suspended and signed out everywhere); the button confirms it.
 */
export function GuardianWithdraw() {
  const { t, i18n } = useTranslation();
  const language = useLanguage();
  const [searchParams] = useSearchParams();
  const { token = '' } = useParams();
  useDocumentTitle(t('guardian.withdraw.title'));

  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Message | null>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);
  const adopted = useRef(false);
  const done = state.kind === 'done';

  useEffect(() => {
    if (done) return;
    let current = true;
    void fetchWithdrawal(token, { language }).then((outcome) => {
      if (!current) return;
      if (outcome.kind === 'ok') {
        setState({ kind: 'ready', view: outcome.value });
        if (!adopted.current) {
          adopted.current = true;
          adoptLanguageIfUnchosen(outcome.value.language, searchParams, i18n);
        }
      } else setState({ kind: 'error', message: messageFor(outcome) });
    });
    return () => {
      current = false;
    };
  }, [token, language, done]);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const text = (message: Message) => ('key' in message ? t(message.key) : message.text);

  async function withdraw(): Promise<void> {
    if (busy) return;
    setBusy(true);
    setActionError(null);
    const outcome = await withdrawConsent(token, { language });
    setBusy(false);
    if (outcome.kind === 'ok') setState({ kind: 'done' });
    else setActionError(messageFor(outcome));
  }

  return (
    <div className="guardian-page narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('guardian.withdraw.title')}</h1>
      </header>
      {state.kind === 'loading' && <p role="status">{t('guardian.page.loading')}</p>}
      {state.kind === 'error' && (
        <section className="error-summary" role="alert" aria-labelledby="withdraw-error-title">
          <h2 id="withdraw-error-title">{t('guardian.page.errorTitle')}</h2>
          <p>{text(state.message)}</p>
        </section>
      )}
      {state.kind === 'done' && (
        <section className="confirmation" aria-labelledby="withdraw-done-title">
          <h2 id="withdraw-done-title" tabIndex={-1} ref={doneRef}>
            {t('guardian.withdraw.done.title')}
          </h2>
          <p>{t('guardian.withdraw.done.body')}</p>
        </section>
      )}
      {state.kind === 'ready' && (
        <section className="guardian-decision" aria-labelledby="withdraw-intro">
          <p id="withdraw-intro" className="guardian-asking">
            {t('guardian.withdraw.intro', { nickname: state.view.nickname, username: state.view.username })}
          </p>
          <p>{t('guardian.withdraw.effect')}</p>
          {actionError && (
            <div className="error-summary" role="alert">
              <p>{text(actionError)}</p>
            </div>
          )}
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void withdraw()}>
            {busy && <span className="spinner" aria-hidden="true" />}
            {busy ? t('guardian.withdraw.sending') : t('guardian.withdraw.confirm')}
          </button>
          <p className="visually-hidden" role="status">
            {busy ? t('guardian.withdraw.sending') : ''}
          </p>
        </section>
      )}
    </div>
  );
}
