import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { requestReset, type ResetChannel } from '../recovery/api.js';
import { Field, fieldAria, messageFor, useMessageText, type Message } from '../recovery/common.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** "Lupa kata sandi?": identifier and channel; email → "check your email", SMS → the code page. */
export function ForgotPassword() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const text = useMessageText();
  useDocumentTitle(t('recovery.forgot.title'));

  const [identifier, setIdentifier] = useState('');
  const [channel, setChannel] = useState<ResetChannel>('email');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Message | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [sent, setSent] = useState(false);
  const sentRef = useRef<HTMLHeadingElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (sent) sentRef.current?.focus();
  }, [sent]);
  useEffect(() => {
    if (error || fieldError) summaryRef.current?.focus();
  }, [error, fieldError]);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (sending) return;
    if (identifier.trim() === '') {
      setError(null);
      setFieldError(t('recovery.forgot.missing'));
      return;
    }
    setError(null);
    setFieldError(undefined);
    setSending(true);
    const outcome = await requestReset(identifier.trim(), channel, { language });
    setSending(false);
    if (outcome.kind !== 'ok') {
      setError(messageFor(outcome));
      return;
    }
    if (channel === 'sms') {
      void navigate(`/reset-password?resetId=${encodeURIComponent(outcome.value)}`);
      return;
    }
    setSent(true);
  }

  return (
    <div className="recovery narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('recovery.forgot.title')}</h1>
        <p className="tagline">{t('recovery.forgot.tagline')}</p>
      </header>
      {sent ? (
        <section className="confirmation" aria-labelledby="forgot-sent-title">
          <h2 id="forgot-sent-title" tabIndex={-1} ref={sentRef}>
            {t('recovery.forgot.sentTitle')}
          </h2>
          <p>{t('recovery.forgot.sentEmail')}</p>
          <Link className="button button-secondary" to="/signin">
            {t('recovery.forgot.backToSignIn')}
          </Link>
        </section>
      ) : (
        <form className="signup-form" noValidate onSubmit={(event) => void submit(event)}>
          {(error || fieldError) && (
            <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
              <p>{error ? text(error) : fieldError}</p>
            </div>
          )}
          <Field id="forgot-identifier" label={t('recovery.forgot.identifierLabel')} error={fieldError}>
            <input
              id="forgot-identifier"
              name="identifier"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={254}
              required
              {...fieldAria('forgot-identifier', false, fieldError)}
              value={identifier}
              onChange={(event) => setIdentifier(event.target.value)}
            />
          </Field>
          <fieldset className="field choice-group">
            <legend>{t('recovery.forgot.channelLegend')}</legend>
            {(['email', 'sms'] as const).map((value) => (
              <div className="radio-row" key={value}>
                <input
                  id={`forgot-channel-${value}`}
                  type="radio"
                  name="channel"
                  value={value}
                  checked={channel === value}
                  onChange={() => setChannel(value)}
                />
                <label htmlFor={`forgot-channel-${value}`}>{t(value === 'email' ? 'recovery.forgot.channelEmail' : 'recovery.forgot.channelSms')}</label>
              </div>
            ))}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="button" disabled={sending}>
              {sending && <span className="spinner" aria-hidden="true" />}
              {sending ? t('recovery.forgot.sending') : t('recovery.forgot.submit')}
            </button>
          </div>
          <p className="signin-alt">
            <Link to="/signin">{t('recovery.forgot.backToSignIn')}</Link>
          </p>
        </form>
      )}
    </div>
  );
}
