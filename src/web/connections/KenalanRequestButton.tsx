import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { INTRO_MAX, newIdempotencyKey, sendRequest } from './api.js';
import { Dialog } from './Dialog.js';
import { problemText } from './problems.js';
import './connections.css';

/**
 * "Ajak kenalan": opens a dialog with an optional introduction (≤ 300 characters) and sends the
 * kenalan request. The member profile page mounts it with the member's username and display name.
 * A retry of the same send reuses its Idempotency-Key, so a flaky network never sends two.
 */
export function KenalanRequestButton({ username, name, onSent }: { username: string; name: string; onSent?: (status: string) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [open, setOpen] = useState(false);
  const [intro, setIntro] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const key = useRef<string>(newIdempotencyKey());
  const introId = useId();
  const hintId = useId();
  const errorId = useId();
  const length = [...intro].length;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy || length > INTRO_MAX) return;
    setBusy(true);
    setError(null);
    const outcome = await sendRequest(username, intro, key.current, { language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      key.current = newIdempotencyKey();
      setOpen(false);
      setIntro('');
      setDone(t(outcome.value.status === 'accepted' ? 'connections.send.connected' : 'connections.send.sent'));
      onSent?.(outcome.value.status);
      return;
    }
    setError(problemText(outcome, t));
  }

  return (
    <div className="kenalan-request">
      <button type="button" className="button" onClick={() => setOpen(true)} disabled={done !== null}>
        {t('connections.send.button')}
      </button>
      <p role="status" className="connections-status">
        {done ?? ''}
      </p>
      <Dialog title={t('connections.send.title', { name })} open={open} onClose={() => setOpen(false)}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className={error ? 'field has-error' : 'field'}>
            <label htmlFor={introId}>{t('connections.send.intro')}</label>
            <p className="field-hint" id={hintId}>
              {t('connections.send.introHint', { max: INTRO_MAX, name })}
            </p>
            {error && (
              <p className="field-error" id={errorId} role="alert">
                {error}
              </p>
            )}
            <textarea
              id={introId}
              rows={4}
              value={intro}
              aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}
              aria-invalid={length > INTRO_MAX}
              onChange={(e) => setIntro(e.target.value)}
            />
            <p className={length > INTRO_MAX ? 'counter over' : 'counter'} aria-live="polite">
              {length}/{INTRO_MAX}
            </p>
          </div>
          <div className="button-row">
            <button type="submit" className="button" disabled={busy || length > INTRO_MAX}>
              {t('connections.send.submit')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setOpen(false)}>
              {t('connections.menu.cancel')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
