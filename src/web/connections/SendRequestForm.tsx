import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { INTRO_MAX, newIdempotencyKey, sendRequest } from './api.js';
import { problemText } from './problems.js';

/** Send a kenalan request to a username one already knows (a friend told it), with an optional intro. */
export function SendRequestForm({ onSent }: { onSent?: () => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [username, setUsername] = useState('');
  const [intro, setIntro] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const key = useRef(newIdempotencyKey());
  const ids = { username: useId(), usernameHint: useId(), intro: useId(), introHint: useId(), error: useId(), title: useId() };
  const length = [...intro].length;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!username.trim()) {
      setError(t('validation.required'));
      return;
    }
    setBusy(true);
    setError(null);
    setStatus('');
    const outcome = await sendRequest(username.trim(), intro, key.current, { language });
    setBusy(false);
    if (outcome.kind !== 'ok') {
      setError(problemText(outcome, t));
      return;
    }
    key.current = newIdempotencyKey();
    setUsername('');
    setIntro('');
    setStatus(t(outcome.value.status === 'accepted' ? 'connections.send.connected' : 'connections.send.sent'));
    onSent?.();
  }

  return (
    <section aria-labelledby={ids.title} className="send-request">
      <h2 id={ids.title}>{t('connections.send.formTitle')}</h2>
      <p role="status" className="connections-status">
        {status}
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {error && (
          <p className="field-error" id={ids.error} role="alert">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor={ids.username}>{t('connections.send.username')}</label>
          <p className="field-hint" id={ids.usernameHint}>
            {t('connections.send.usernameHint')}
          </p>
          <input
            id={ids.username}
            type="text"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            aria-describedby={[ids.usernameHint, error ? ids.error : ''].filter(Boolean).join(' ')}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.intro}>{t('connections.send.intro')}</label>
          <p className="field-hint" id={ids.introHint}>
            {t('connections.send.introHintAny', { max: INTRO_MAX })}
          </p>
          <textarea id={ids.intro} rows={3} value={intro} aria-describedby={ids.introHint} aria-invalid={length > INTRO_MAX} onChange={(e) => setIntro(e.target.value)} />
          <p className={length > INTRO_MAX ? 'counter over' : 'counter'} aria-live="polite">
            {length}/{INTRO_MAX}
          </p>
        </div>
        <button type="submit" className="button" disabled={busy || length > INTRO_MAX}>
          {t('connections.send.submit')}
        </button>
      </form>
    </section>
  );
}
