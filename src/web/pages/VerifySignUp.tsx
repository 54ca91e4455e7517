import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router';
import { resendSms, verifyPhone } from '../accounts/api.js';
import type { Outcome } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string } | { text: string };

function messageFor(outcome: Exclude<Outcome<null>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

function readStatus(state: unknown): string | undefined {
  return typeof state === 'object' && state !== null && 'status' in state && typeof state.status === 'string' ? state.status : undefined;
}

export function VerifySignUp() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [params] = useSearchParams();
  const location = useLocation();
  const memberId = params.get('member') ?? '';
  const status = readStatus(location.state);
  useDocumentTitle(t('verifySignup.title'));

  const [code, setCode] = useState('');
  const [sending, setSending] = useState(false);
  const [verified, setVerified] = useState(false);
  const [error, setError] = useState<Message | null>(null);
  const [resendNote, setResendNote] = useState<Message | null>(null);
  const [resending, setResending] = useState(false);
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
    if (outcome.kind === 'ok') setVerified(true);
    else setError(messageFor(outcome));
  }

  async function resend(): Promise<void> {
    if (resending) return;
    setResending(true);
    const outcome = await resendSms(memberId, { language });
    setResending(false);
    setResendNote(outcome.kind === 'ok' ? { key: 'verifySignup.resent' } : messageFor(outcome));
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

  return (
    <div className="verify narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('verifySignup.title')}</h1>
        <p className="tagline">{t('verifySignup.tagline')}</p>
      </header>
      <p>{t('verifySignup.sent')}</p>
      {status === 'pending_guardian' && (
        <p className="promise" id="verify-guardian">
          {t('verifySignup.guardian')}
        </p>
      )}

      {verified ? (
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
