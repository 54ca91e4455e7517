import { browserSupportsWebAuthn, startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Outcome } from '../http.js';
import { useLanguage } from '../useLanguage.js';
import { answerChallenge, challengePasskeyOptions, sendChallengeCode, type Challenge, type ChallengeMethod } from './mfa.js';

type Message = { key: string } | { text: string };

function messageFor(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

/** Codes after which the challenge cannot be answered any more: only "sign in again" helps. */
const DEAD = new Set(['challenge_invalid', 'challenge_too_many_attempts', 'account_locked', 'account_inactive', 'login_locked']);

/**
 * The second step of signing in: a code from the authenticator app, a recovery code, a passkey,
 * or (for a step-up) a code sent by email or SMS. The server bound the challenge to this browser
 * with an httpOnly cookie; this component only carries the challenge id.
 */
export function ChallengeStep({ challenge, onSignedIn, onRestart }: { challenge: Challenge; onSignedIn: () => void; onRestart: () => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const heading = useRef<HTMLHeadingElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const primary = challenge.methods.filter((m) => m !== 'recovery_code');
  const [method, setMethod] = useState<ChallengeMethod>(primary[0] ?? challenge.methods[0]!);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Message | null>(null);
  const [dead, setDead] = useState(false);
  const [sent, setSent] = useState<ChallengeMethod | null>(null);
  const [locked, setLocked] = useState(false);

  useEffect(() => heading.current?.focus(), []);

  const choose = (next: ChallengeMethod) => {
    setMethod(next);
    setCode('');
    setError(null);
  };

  function fail(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>) {
    setError(messageFor(outcome));
    if (outcome.kind === 'problem' && outcome.code && DEAD.has(outcome.code)) setDead(true);
    setLocked(outcome.kind === 'problem' && (outcome.code === 'account_locked' || outcome.code === 'login_locked'));
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy || method === 'passkey') return;
    if (code.trim() === '') {
      setError({ key: 'mfa.challenge.missing' });
      codeInput.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const outcome = await answerChallenge(challenge.id, method, { code: code.trim() }, { language });
    setBusy(false);
    if (outcome.kind === 'ok') return onSignedIn();
    setCode('');
    fail(outcome);
    codeInput.current?.focus();
  }

  async function confirmWithPasskey(): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const options = await challengePasskeyOptions(challenge.id, { language });
      if (options.kind !== 'ok') return fail(options);
      let response: unknown;
      try {
        response = await startAuthentication({ optionsJSON: options.value as PublicKeyCredentialRequestOptionsJSON });
      } catch {
        setError({ key: 'mfa.passkeySignIn.cancelled' });
        return;
      }
      const outcome = await answerChallenge(challenge.id, 'passkey', { response }, { language });
      if (outcome.kind === 'ok') return onSignedIn();
      fail(outcome);
    } finally {
      setBusy(false);
    }
  }

  async function sendCode(channel: 'email_code' | 'sms_code'): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    const outcome = await sendChallengeCode(challenge.id, channel, { language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setSent(channel);
      codeInput.current?.focus();
    } else fail(outcome);
  }

  const text = (message: Message) => ('key' in message ? t(message.key) : message.text);
  const isCode = method !== 'passkey';
  const isSent = method === 'email_code' || method === 'sms_code';

  return (
    <section className="challenge" aria-labelledby="challenge-title">
      <h2 id="challenge-title" ref={heading} tabIndex={-1}>
        {t('mfa.challenge.title')}
      </h2>
      <p>{t(challenge.reason === 'step_up' ? 'mfa.challenge.introStepUp' : 'mfa.challenge.introMfa')}</p>
      {error && (
        <div className="error-summary" role="alert">
          <p id="challenge-error">{text(error)}</p>
          {locked && (
            <p>
              <Link to="/forgot-password">{t('recovery.signin.lockedReset')}</Link>
            </p>
          )}
        </div>
      )}
      {!dead && (
        <>
          {challenge.methods.length > 1 && (
            <fieldset className="choice-group challenge-methods">
              <legend>{t('mfa.challenge.methodsLabel')}</legend>
              {challenge.methods.map((m) => (
                <div className="radio-row" key={m}>
                  <input type="radio" id={`challenge-method-${m}`} name="challenge-method" value={m} checked={method === m} onChange={() => choose(m)} />
                  <label htmlFor={`challenge-method-${m}`}>{t(`mfa.challenge.method.${m}`)}</label>
                </div>
              ))}
            </fieldset>
          )}
          {method === 'passkey' && (
            <div className="challenge-passkey">
              <p className="field-hint">{t('mfa.challenge.passkeyHint')}</p>
              {browserSupportsWebAuthn() ? (
                <button type="button" className="button" disabled={busy} onClick={() => void confirmWithPasskey()}>
                  {busy && <span className="spinner" aria-hidden="true" />}
                  {busy ? t('mfa.passkeySignIn.working') : t('mfa.challenge.usePasskey')}
                </button>
              ) : (
                <p>{t('mfa.passkeySignIn.unsupported')}</p>
              )}
            </div>
          )}
          {isCode && (
            <form className="signup-form challenge-form" noValidate onSubmit={(event) => void submit(event)}>
              {isSent && (
                <div className="challenge-send">
                  <button type="button" className="button button-secondary" disabled={busy} onClick={() => void sendCode(method)}>
                    {t(`mfa.challenge.send.${method}`)}
                  </button>
                  <p className="form-status" role="status">
                    {sent === method ? t(`mfa.challenge.sent.${method}`) : ''}
                  </p>
                </div>
              )}
              <div className={error ? 'field has-error' : 'field'}>
                <label htmlFor="challenge-code">{t(`mfa.challenge.codeLabel.${method}`)}</label>
                <input
                  ref={codeInput}
                  id="challenge-code"
                  name="code"
                  className={method === 'recovery_code' ? undefined : 'code-input'}
                  type="text"
                  inputMode={method === 'recovery_code' ? 'text' : 'numeric'}
                  autoComplete="one-time-code"
                  autoCapitalize="none"
                  spellCheck={false}
                  maxLength={method === 'recovery_code' ? 20 : 6}
                  required
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? 'challenge-error' : undefined}
                  value={code}
                  onChange={(event) => setCode(event.target.value)}
                />
              </div>
              <div className="form-actions">
                <button type="submit" className="button" disabled={busy}>
                  {busy && <span className="spinner" aria-hidden="true" />}
                  {busy ? t('mfa.challenge.checking') : t('mfa.challenge.submit')}
                </button>
              </div>
            </form>
          )}
          {challenge.methods.includes('recovery_code') && method !== 'recovery_code' && (
            <p className="signin-alt">
              <button type="button" className="link-button" onClick={() => choose('recovery_code')}>
                {t('mfa.challenge.useRecovery')}
              </button>
            </p>
          )}
        </>
      )}
      <p className="signin-alt">
        <button type="button" className="link-button" onClick={onRestart}>
          {t('mfa.challenge.startOver')}
        </button>
      </p>
    </section>
  );
}
