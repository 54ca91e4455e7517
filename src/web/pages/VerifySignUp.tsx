import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router';
import { fetchSignUpStatus, resendGuardianInvitation, resendSms, verifyPhone, type SignUpStatus } from '../accounts/api.js';
import '../guardians/guardian.css';
import type { Outcome } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string } | { text: string };

function messageFor(outcome: Exclude<Outcome<null>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

/** While something is still pending, the page asks again this often (and when the tab comes back into view). */
const POLL_MS = 10_000;
const FINAL = new Set(['active', 'suspended', 'locked', 'deleted']);

/** The guardian's masked address, handed over by the sign-up page in the history entry's state. */
function maskedGuardianEmail(state: unknown): string | undefined {
  return typeof state === 'object' && state !== null && 'guardianEmailMasked' in state && typeof state.guardianEmailMasked === 'string'
    ? state.guardianEmailMasked
    : undefined;
}

export function VerifySignUp() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [params] = useSearchParams();
  const location = useLocation();
  // The id is in the URL (an unguessable UUID); the status comes from the server, so a reload loses nothing.
  const memberId = params.get('member') ?? '';
  const guardianEmail = maskedGuardianEmail(location.state);
  useDocumentTitle(t('verifySignup.title'));

  const [progress, setProgress] = useState<SignUpStatus | null>(null);
  const [gone, setGone] = useState(false);
  const final = gone || (progress !== null && FINAL.has(progress.status));

  const refresh = useCallback(async (): Promise<void> => {
    if (memberId === '') return;
    const outcome = await fetchSignUpStatus(memberId, { language });
    if (outcome.kind === 'ok') setProgress(outcome.value);
    else if (outcome.kind === 'problem' && outcome.status === 404) setGone(true);
  }, [memberId, language]);

  useEffect(() => {
    if (memberId === '' || final) return;
    void refresh();
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [memberId, final, refresh]);

  const [code, setCode] = useState('');
  const [sending, setSending] = useState(false);
  const [verified, setVerified] = useState(false);
  const [error, setError] = useState<Message | null>(null);
  const [resendNote, setResendNote] = useState<Message | null>(null);
  const [resending, setResending] = useState(false);
  const [inviteNote, setInviteNote] = useState<Message | null>(null);
  const [inviting, setInviting] = useState(false);
  const successRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (verified) successRef.current?.focus();
  }, [verified]);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (sending) return;
    const digits = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setError({ key: 'verifySignup.codeFormat' });
      return;
    }
    setError(null);
    setSending(true);
    const outcome = await verifyPhone(memberId, digits, { language });
    setSending(false);
    if (outcome.kind === 'ok') {
      setVerified(true);
      void refresh();
    } else setError(messageFor(outcome));
  }

  async function resend(): Promise<void> {
    if (resending) return;
    setResending(true);
    const outcome = await resendSms(memberId, { language });
    setResending(false);
    setResendNote(outcome.kind === 'ok' ? { key: 'verifySignup.resent' } : messageFor(outcome));
  }

  async function resendInvitation(): Promise<void> {
    if (inviting) return;
    setInviting(true);
    const outcome = await resendGuardianInvitation(memberId, { language });
    setInviting(false);
    setInviteNote(outcome.kind === 'ok' ? { key: 'guardian.verify.resent' } : messageFor(outcome));
  }

  const text = (message: Message) => ('key' in message ? t(message.key) : message.text);

  if (memberId === '') {
    return (
      <div className="verify narrow">
        <h1 tabIndex={-1}>{t('verifySignup.title')}</h1>
        <p>{t('verifySignup.missing')}</p>
        <Link className="button" to="/signup">
          {t('verifySignup.backToSignUp')}
        </Link>
      </div>
    );
  }

  if (gone) {
    return (
      <div className="verify narrow">
        <h1 tabIndex={-1}>{t('verifySignup.title')}</h1>
        <div className="error-summary" role="alert">
          <p>{t('guardian.verify.gone')}</p>
        </div>
        <Link className="button" to="/signup">
          {t('verifySignup.backToSignUp')}
        </Link>
      </div>
    );
  }

  if (progress?.status === 'active') {
    return (
      <div className="verify narrow">
        <h1 tabIndex={-1}>{t('verifySignup.title')}</h1>
        <section className="confirmation" aria-labelledby="verify-active-title">
          <h2 id="verify-active-title">{t('guardian.verify.activeTitle')}</h2>
          <p>{t('guardian.verify.activeBody')}</p>
          <Link className="button" to="/signin">
            {t('guardian.verify.signIn')}
          </Link>
        </section>
      </div>
    );
  }

  const phoneDone = verified || progress?.phoneVerified === true;
  const stateText = (done: boolean, withdrawn = false) => t(`guardian.verify.state.${withdrawn ? 'withdrawn' : done ? 'done' : 'waiting'}`);

  return (
    <div className="verify narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('verifySignup.title')}</h1>
        <p className="tagline">{t('verifySignup.tagline')}</p>
      </header>
      {!(phoneDone && progress?.emailVerified) && <p>{t('verifySignup.sent')}</p>}

      {progress && (
        <section aria-labelledby="verify-steps-title">
          <h2 id="verify-steps-title" className="visually-hidden">
            {t('guardian.verify.stepsTitle')}
          </h2>
          <ul className="signup-steps">
            <li className={phoneDone ? 'step-done' : undefined}>
              <span>{t('guardian.verify.steps.phone')}</span>
              <span className="step-state">{stateText(phoneDone)}</span>
            </li>
            <li className={progress.emailVerified ? 'step-done' : undefined}>
              <span>{t('guardian.verify.steps.email')}</span>
              <span className="step-state">{stateText(progress.emailVerified)}</span>
            </li>
            {progress.guardian !== 'none' && (
              <li className={progress.guardian === 'consented' ? 'step-done' : undefined}>
                <span>{t('guardian.verify.steps.guardian')}</span>
                <span className="step-state">{stateText(progress.guardian === 'consented', progress.guardian === 'withdrawn')}</span>
              </li>
            )}
          </ul>
        </section>
      )}

      {progress?.guardian === 'pending' && (
        <section className="promise guardian-waiting" id="verify-guardian" aria-labelledby="verify-guardian-title">
          <div>
            <h2 id="verify-guardian-title">{t('guardian.verify.waitingTitle')}</h2>
            <p>{guardianEmail ? t('guardian.verify.waiting', { email: guardianEmail }) : t('guardian.verify.waitingNoEmail')}</p>
            <button type="button" className="button button-secondary" disabled={inviting} onClick={() => void resendInvitation()}>
              {t('guardian.verify.resend')}
            </button>
            <p role="status" className="resend-note">
              {inviteNote ? text(inviteNote) : ''}
            </p>
          </div>
        </section>
      )}
      {progress?.guardian === 'consented' && <p className="promise">{t('guardian.verify.consented')}</p>}
      {progress?.guardian === 'withdrawn' && (
        <div className="error-summary" role="alert">
          <p>{t('guardian.verify.withdrawn')}</p>
        </div>
      )}

      {final || (phoneDone && progress?.emailVerified && !verified) ? null : phoneDone ? (
        <section className="confirmation" aria-labelledby="verify-done-title">
          <h2 id="verify-done-title" tabIndex={-1} ref={successRef}>
            {t('verifySignup.success.title')}
          </h2>
          <p>{t('verifySignup.success.body')}</p>
        </section>
      ) : (
        <form className="signup-form" noValidate onSubmit={(event) => void submit(event)}>
          {error && (
            <div className="error-summary" role="alert">
              <p id="verify-code-error">{text(error)}</p>
            </div>
          )}
          <div className={error ? 'field has-error' : 'field'}>
            <label htmlFor="verify-code">{t('verifySignup.codeLabel')}</label>
            <p className="field-hint" id="verify-code-hint">
              {t('verifySignup.codeHint')}
            </p>
            <input
              id="verify-code"
              name="code"
              className="code-input"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'verify-code-hint verify-code-error' : 'verify-code-hint'}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </div>
          <div className="form-actions">
            <button type="submit" className="button" disabled={sending}>
              {sending && <span className="spinner" aria-hidden="true" />}
              {sending ? t('verifySignup.checking') : t('verifySignup.submit')}
            </button>
          </div>
          <div className="resend">
            <p>{t('verifySignup.noCode')}</p>
            <button type="button" className="button button-secondary" disabled={resending} onClick={() => void resend()}>
              {t('verifySignup.resend')}
            </button>
            <p role="status" className="resend-note">
              {resendNote ? text(resendNote) : ''}
            </p>
          </div>
        </form>
      )}
    </div>
  );
}
