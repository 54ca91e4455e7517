import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Outcome } from '../http.js';
import { signIn } from '../accounts/signin.js';
import { ChallengeStep } from '../accounts/ChallengeStep.js';
import type { Challenge } from '../accounts/mfa.js';
import { PasskeySignIn } from '../accounts/PasskeySignIn.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Message = { key: string } | { text: string };

function messageFor(outcome: Exclude<Outcome<null>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

export function SignIn() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('signin.title'));

  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Message | null>(null);
  /** The answer was account_locked: offer the password reset that unlocks it (recovery module). */
  const [locked, setLocked] = useState(false);
  /** The password was right and a second step is needed (mfa module). */
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  /** The password was right but the account is in its deletion grace period: offer to restore it (erasure module). */
  const [pendingDeletion, setPendingDeletion] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement> | null, restore = false): Promise<void> {
    event?.preventDefault();
    if (sending) return;
    if (identifier.trim() === '' || password === '') {
      setError({ key: 'signin.missing' });
      return;
    }
    setError(null);
    setSending(true);
    const outcome = await signIn(identifier.trim(), password, { language }, { restore });
    setSending(false);
    setPendingDeletion(outcome.kind === 'problem' && outcome.code === 'account_deletion_pending');
    if (outcome.kind === 'problem' && outcome.code === 'account_deletion_pending') {
      // The password stays in memory only for the "restore my account" button right below.
      setError(messageFor(outcome));
      return;
    }
    if (outcome.kind === 'ok') {
      if (outcome.value.kind === 'challenge') {
        setPassword('');
        setChallenge(outcome.value.challenge);
        return;
      }
      void navigate('/account/sessions');
      return;
    }
    setPassword('');
    setError(messageFor(outcome));
    setLocked(outcome.kind === 'problem' && outcome.code === 'account_locked');
  }

  const text = (message: Message) => ('key' in message ? t(message.key) : message.text);
  const describedBy = (hint?: string) => [hint, error ? 'signin-error' : undefined].filter(Boolean).join(' ') || undefined;

  const intro = (
    <header className="page-intro">
      <h1 tabIndex={-1}>{t('signin.title')}</h1>
      <p className="tagline">{t('signin.tagline')}</p>
    </header>
  );

  // The password was right and the account has a second step (mfa module): only that step is shown.
  if (challenge) {
    return (
      <div className="signin narrow">
        {intro}
        <ChallengeStep challenge={challenge} onSignedIn={() => void navigate('/account/sessions')} onRestart={() => setChallenge(null)} />
      </div>
    );
  }

  return (
    <div className="signin narrow">
      {intro}
      <form className="signup-form" noValidate onSubmit={(event) => void submit(event)}>
        {error && (
          <div className="error-summary" role="alert">
            <p id="signin-error">{text(error)}</p>
            {locked && (
              <p>
                <Link to="/forgot-password">{t('recovery.signin.lockedReset')}</Link>
              </p>
            )}
            {pendingDeletion && (
              <>
                <p>{t('erasure.signin.restoreHint')}</p>
                <button type="button" className="button" disabled={sending} onClick={() => void submit(null, true)}>
                  {sending ? t('erasure.signin.restoring') : t('erasure.signin.restore')}
                </button>
              </>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor="signin-identifier">{t('signin.identifierLabel')}</label>
          <input
            id="signin-identifier"
            name="identifier"
            type="text"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy()}
            value={identifier}
            onChange={(event) => setIdentifier(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="signin-password">{t('signin.passwordLabel')}</label>
          <div className="password-wrap">
            <input
              id="signin-password"
              name="password"
              type={showPassword ? 'text' : 'password'}
              autoComplete="current-password"
              autoCapitalize="none"
              spellCheck={false}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy()}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <button
              type="button"
              className="password-toggle"
              aria-controls="signin-password"
              aria-pressed={showPassword}
              aria-label={t('signin.showPassword')}
              onClick={() => setShowPassword((shown) => !shown)}
            >
              {t('signin.showPasswordShort')}
            </button>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={sending}>
            {sending && <span className="spinner" aria-hidden="true" />}
            {sending ? t('signin.sending') : t('signin.submit')}
          </button>
        </div>
        <p className="signin-alt">
          <Link to="/forgot-password">{t('recovery.signin.forgot')}</Link>
        </p>
        <p className="signin-alt">
          {t('signin.noAccount')} <Link to="/signup">{t('signin.toSignUp')}</Link>
        </p>
      </form>
      <PasskeySignIn onSignedIn={() => void navigate('/account/sessions')} />
    </div>
  );
}
