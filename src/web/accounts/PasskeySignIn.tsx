import { browserSupportsWebAuthn, startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { passkeySignIn, passkeySignInOptions } from './mfa.js';

/** "Sign in with a passkey": a discoverable credential, no username or password typed. */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (typeof window === 'undefined' || !browserSupportsWebAuthn()) return null;

  async function go(): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const options = await passkeySignInOptions({ language });
      if (options.kind !== 'ok') return setError(options.kind === 'problem' && options.detail ? options.detail : t('signup.errors.network'));
      let response: unknown;
      try {
        response = await startAuthentication({ optionsJSON: options.value as PublicKeyCredentialRequestOptionsJSON });
      } catch {
        return setError(t('mfa.passkeySignIn.cancelled'));
      }
      const outcome = await passkeySignIn(response, { language });
      if (outcome.kind === 'ok') return onSignedIn();
      setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="passkey-signin">
      <p className="divider-or">{t('mfa.passkeySignIn.or')}</p>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <button type="button" className="button button-secondary" disabled={busy} onClick={() => void go()}>
        {busy && <span className="spinner" aria-hidden="true" />}
        {busy ? t('mfa.passkeySignIn.working') : t('mfa.passkeySignIn.button')}
      </button>
    </div>
  );
}
