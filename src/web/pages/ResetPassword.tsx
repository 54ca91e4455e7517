import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { completeReset } from '../recovery/api.js';
import { Field, fieldAria, messageFor, useMessageText, type Message } from '../recovery/common.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

const PASSWORD_MAX = 128;

/**
 * A new password, with the token from the emailed link (?token=) or the reset id from the
 * forgot-password page (?resetId=) and the SMS code. Password problems come from the server in
 * the member's language, next to the field, exactly as on sign-up.
 */
export function ResetPassword() {
  const { t } = useTranslation();
  const language = useLanguage();
  const text = useMessageText();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const resetId = params.get('resetId') ?? '';
  useDocumentTitle(t('recovery.reset.title'));

  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<Message | null>(null);
  const [fields, setFields] = useState<{ code?: string; newPassword?: string }>({});
  const [done, setDone] = useState(false);
  const [failures, setFailures] = useState(0);
  const summaryRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (failures > 0) summaryRef.current?.focus();
  }, [failures]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (sending) return;
    const missing: typeof fields = {};
    if (!token && code.trim() === '') missing.code = t('validation.required');
    if (password === '') missing.newPassword = t('validation.required');
    if (Object.keys(missing).length > 0) {
      setFields(missing);
      setProblem({ key: 'recovery.reset.missing' });
      setFailures((n) => n + 1);
      return;
    }
    setSending(true);
    setProblem(null);
    setFields({});
    const outcome = await completeReset(token ? { token } : { resetId, code: code.trim() }, password, { language });
    setSending(false);
    if (outcome.kind === 'ok') {
      setDone(true);
      return;
    }
    if (outcome.kind === 'problem') {
      setFields({ ...(outcome.fields.code ? { code: outcome.fields.code } : {}), ...(outcome.fields.newPassword ? { newPassword: outcome.fields.newPassword } : {}) });
    }
    setProblem(messageFor(outcome));
    setFailures((n) => n + 1);
  }

  function focusField(event: MouseEvent<HTMLAnchorElement>, id: string): void {
    event.preventDefault();
    document.getElementById(id)?.focus();
  }

  if (!token && !resetId) {
    return (
      <div className="recovery narrow">
        <h1 tabIndex={-1}>{t('recovery.reset.title')}</h1>
        <div className="error-summary" role="alert">
          <p>{t('recovery.reset.missingLink')}</p>
        </div>
        <Link className="button button-secondary" to="/forgot-password">
          {t('recovery.reset.askAgain')}
        </Link>
      </div>
    );
  }

  return (
    <div className="recovery narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('recovery.reset.title')}</h1>
        <p className="tagline">{token ? t('recovery.reset.linkIntro') : t('recovery.reset.codeIntro')}</p>
      </header>
      {done ? (
        <section className="confirmation" aria-labelledby="reset-done-title">
          <h2 id="reset-done-title" tabIndex={-1} ref={doneRef}>
            {t('recovery.reset.doneTitle')}
          </h2>
          <p>{t('recovery.reset.done')}</p>
          <Link className="button" to="/signin">
            {t('recovery.reset.toSignIn')}
          </Link>
        </section>
      ) : (
        <form className="signup-form" noValidate onSubmit={(event) => void submit(event)}>
          {problem && (
            <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
              <p>{text(problem)}</p>
              {(fields.code || fields.newPassword) && (
                <ul>
                  {fields.code && (
                    <li>
                      <a href="#reset-code" onClick={(event) => focusField(event, 'reset-code')}>
                        {t('recovery.reset.codeLabel')}: {fields.code}
                      </a>
                    </li>
                  )}
                  {fields.newPassword && (
                    <li>
                      <a href="#reset-password" onClick={(event) => focusField(event, 'reset-password')}>
                        {t('recovery.reset.passwordLabel')}: {fields.newPassword}
                      </a>
                    </li>
                  )}
                </ul>
              )}
            </div>
          )}
          {!token && (
            <Field id="reset-code" label={t('recovery.reset.codeLabel')} hint={t('recovery.reset.codeHint')} error={fields.code}>
              <input
                id="reset-code"
                name="code"
                className="code-input"
                type="text"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={6}
                required
                {...fieldAria('reset-code', true, fields.code)}
                value={code}
                onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
              />
            </Field>
          )}
          <Field id="reset-password" label={t('recovery.reset.passwordLabel')} hint={t('password.hint')} error={fields.newPassword}>
            <div className="password-wrap">
              <input
                id="reset-password"
                name="newPassword"
                type={showPassword ? 'text' : 'password'}
                autoComplete="new-password"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={PASSWORD_MAX * 2}
                required
                {...fieldAria('reset-password', true, fields.newPassword)}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <button
                type="button"
                className="password-toggle"
                aria-controls="reset-password"
                aria-pressed={showPassword}
                aria-label={t('signin.showPassword')}
                onClick={() => setShowPassword((shown) => !shown)}
              >
                {t('signin.showPasswordShort')}
              </button>
            </div>
          </Field>
          <div className="form-actions">
            <button type="submit" className="button" disabled={sending}>
              {sending && <span className="spinner" aria-hidden="true" />}
              {sending ? t('recovery.reset.sending') : t('recovery.reset.submit')}
            </button>
          </div>
          <p className="signin-alt">
            <Link to="/forgot-password">{t('recovery.reset.askAgain')}</Link>
          </p>
        </form>
      )}
    </div>
  );
}
