import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { fetchInvitation, giveConsent, refuseConsent, type GuardianInvitation } from '../guardians/api.js';
import '../guardians/guardian.css';
import { adoptLanguageIfUnchosen } from '../guardians/language.js';
import type { Outcome } from '../http.js';
import { privacyPolicyHref } from '../links.js';
import { formatDateTime } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string } | { text: string };
type State =
  | { kind: 'loading' }
  | { kind: 'ready'; view: GuardianInvitation }
  | { kind: 'error'; message: Message }
  | { kind: 'consented' }
  | { kind: 'refused' };

function messageFor(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

/**
 * /guardian/:token — public, no sign-in (the token from the email is the credential). A parent or
 * guardian reads who asks, what Kenalan is and the Privacy Policy (in their language, new tab), then
 * gives express consent (an unticked box + button) or refuses (after a confirmation step).
 */
export function GuardianConsent() {
  const { t, i18n } = useTranslation();
  const language = useLanguage();
  const [searchParams] = useSearchParams();
  const { token = '' } = useParams();
  useDocumentTitle(t('guardian.page.title'));

  const [state, setState] = useState<State>({ kind: 'loading' });
  const [agreed, setAgreed] = useState(false);
  const [agreeError, setAgreeError] = useState(false);
  const [actionError, setActionError] = useState<Message | null>(null);
  const [busy, setBusy] = useState<'consent' | 'refuse' | null>(null);
  const [confirmingRefusal, setConfirmingRefusal] = useState(false);
  const decided = state.kind === 'consented' || state.kind === 'refused';
  const resultRef = useRef<HTMLHeadingElement>(null);
  const confirmRef = useRef<HTMLHeadingElement>(null);
  const adopted = useRef(false);

  // (Re)load on arrival and when the language changes, so server texts follow the switch; never after a decision.
  useEffect(() => {
    if (decided) return;
    let current = true;
    void fetchInvitation(token, { language }).then((outcome) => {
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
    // `searchParams`/`i18n` are read once, at the first answer.
  }, [token, language, decided]);

  useEffect(() => {
    if (decided) resultRef.current?.focus();
  }, [decided]);

  useEffect(() => {
    if (confirmingRefusal) confirmRef.current?.focus();
  }, [confirmingRefusal]);

  const text = (message: Message) => ('key' in message ? t(message.key) : message.text);

  async function consent(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!agreed) {
      setAgreeError(true);
      document.getElementById('guardian-agree')?.focus();
      return;
    }
    setAgreeError(false);
    setActionError(null);
    setBusy('consent');
    const outcome = await giveConsent(token, { language });
    setBusy(null);
    if (outcome.kind === 'ok') setState({ kind: 'consented' });
    else setActionError(messageFor(outcome));
  }

  async function refuse(): Promise<void> {
    if (busy) return;
    setActionError(null);
    setBusy('refuse');
    const outcome = await refuseConsent(token, { language });
    setBusy(null);
    if (outcome.kind === 'ok') setState({ kind: 'refused' });
    else {
      setConfirmingRefusal(false);
      setActionError(messageFor(outcome));
    }
  }

  return (
    <div className="guardian-page narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('guardian.page.title')}</h1>
      </header>

      {state.kind === 'loading' && <p role="status">{t('guardian.page.loading')}</p>}

      {state.kind === 'error' && (
        <section className="error-summary" role="alert" aria-labelledby="guardian-error-title">
          <h2 id="guardian-error-title">{t('guardian.page.errorTitle')}</h2>
          <p>{text(state.message)}</p>
        </section>
      )}

      {decided && (
        <section className="confirmation" aria-labelledby="guardian-result-title">
          <h2 id="guardian-result-title" tabIndex={-1} ref={resultRef}>
            {t(`guardian.page.${state.kind}.title`)}
          </h2>
          <p>{t(`guardian.page.${state.kind}.body`)}</p>
        </section>
      )}

      {state.kind === 'ready' && (
        <>
          <p className="guardian-asking">{t('guardian.page.asking', { nickname: state.view.nickname, username: state.view.username })}</p>
          <section aria-labelledby="guardian-why">
            <h2 id="guardian-why">{t('guardian.page.whyTitle')}</h2>
            <p>{t('guardian.page.why')}</p>
          </section>
          <section aria-labelledby="guardian-what">
            <h2 id="guardian-what">{t('guardian.page.whatTitle')}</h2>
            <p>{t('guardian.page.what')}</p>
          </section>
          <section aria-labelledby="guardian-policy">
            <h2 id="guardian-policy">{t('guardian.page.policyTitle')}</h2>
            <p>{t('guardian.page.policy', { version: state.view.policyVersion })}</p>
            <p>
              <a href={privacyPolicyHref(language)} target="_blank" rel="noopener noreferrer">
                {t('guardian.page.policyLink')}
              </a>
            </p>
          </section>

          <section className="guardian-decision" aria-labelledby="guardian-decide">
            <h2 id="guardian-decide">{t('guardian.page.decideTitle')}</h2>
            <p className="field-hint">{t('guardian.page.expiresAt', { date: formatDateTime(state.view.expiresAt, language) })}</p>
            {actionError && (
              <div className="error-summary" role="alert">
                <p>{text(actionError)}</p>
              </div>
            )}
            <form noValidate onSubmit={(event) => void consent(event)}>
              <div className={agreeError ? 'field checkbox-field has-error' : 'field checkbox-field'}>
                {agreeError && (
                  <p className="field-error" id="guardian-agree-error" role="alert">
                    <span className="visually-hidden">{t('support.errors.prefix')} </span>
                    {t('guardian.page.consentRequired')}
                  </p>
                )}
                <div className="checkbox-row">
                  <input
                    id="guardian-agree"
                    name="confirm"
                    type="checkbox"
                    checked={agreed}
                    aria-invalid={agreeError ? true : undefined}
                    aria-describedby={agreeError ? 'guardian-agree-error' : undefined}
                    onChange={(event) => {
                      setAgreed(event.target.checked);
                      if (event.target.checked) setAgreeError(false);
                    }}
                  />
                  <label htmlFor="guardian-agree">{t('guardian.page.consentLabel')}</label>
                </div>
              </div>
              <button type="submit" className="button" disabled={busy !== null}>
                {busy === 'consent' && <span className="spinner" aria-hidden="true" />}
                {busy === 'consent' ? t('guardian.page.consenting') : t('guardian.page.consent')}
              </button>
            </form>

            <div className="guardian-refuse">
              <p>{t('guardian.page.refuseIntro')}</p>
              {!confirmingRefusal ? (
                <button type="button" className="button button-secondary" disabled={busy !== null} onClick={() => setConfirmingRefusal(true)}>
                  {t('guardian.page.refuse')}
                </button>
              ) : (
                <div className="guardian-refuse-confirm" role="group" aria-labelledby="guardian-refuse-title">
                  <h3 id="guardian-refuse-title" tabIndex={-1} ref={confirmRef}>
                    {t('guardian.page.refuseConfirmTitle')}
                  </h3>
                  <p>{t('guardian.page.refuseConfirmBody', { nickname: state.view.nickname })}</p>
                  <button type="button" className="button button-danger" disabled={busy !== null} onClick={() => void refuse()}>
                    {busy === 'refuse' && <span className="spinner" aria-hidden="true" />}
                    {busy === 'refuse' ? t('guardian.page.refusing') : t('guardian.page.refuseConfirm')}
                  </button>
                  <button type="button" className="button button-secondary" disabled={busy !== null} onClick={() => setConfirmingRefusal(false)}>
                    {t('guardian.page.cancel')}
                  </button>
                </div>
              )}
            </div>
            <p className="visually-hidden" role="status">
              {busy === 'consent' ? t('guardian.page.consenting') : busy === 'refuse' ? t('guardian.page.refusing') : ''}
            </p>
          </section>
        </>
      )}
    </div>
  );
}
