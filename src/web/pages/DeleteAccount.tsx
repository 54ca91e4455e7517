import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { isRecord, readProblem, timeoutSignal, withCsrf } from '../http.js';
import { formatLongDate } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import { CurrentPasswordField } from '../components/CurrentPasswordField.js';

interface DeletionInfo {
  graceDays: number;
  erasesOn: string;
  kept: { label: string; legalGround: string; forDays: number }[];
}

const years = (days: number) => Math.round((days / 365) * 10) / 10;

/**
 * "Delete my account": what happens now, during the grace period and after it; what the data map
 * keeps and why; the password and an explicit confirmation. Restoring is offered at sign-in.
 */
export function DeleteAccount() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('erasure.page.title'));
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const [info, setInfo] = useState<DeletionInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // After the request the page moves to /account/delete/done?on=… (a new path, so the header asks
  // the server again and shows the member signed out).
  const { pathname } = useLocation();
  const [search] = useSearchParams();
  const done = pathname.endsWith('/done') ? (search.get('on') ?? '') : null;

  useEffect(() => {
    if (done !== null) return;
    let current = true;
    void (async () => {
      try {
        const response = await fetch('/api/me/deletion', {
          headers: { accept: 'application/json, application/problem+json', 'accept-language': language },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: timeoutSignal(),
        });
        if (response.status === 401) return void navigate('/signin', { replace: true });
        if (!response.ok) throw new Error((await readProblem(response)).detail ?? '');
        const json: unknown = await response.json();
        if (current && isRecord(json) && Array.isArray(json.kept)) setInfo(json as unknown as DeletionInfo);
      } catch (err) {
        if (current) setLoadError(err instanceof Error && err.message ? err.message : t('signup.errors.network'));
      }
    })();
    return () => {
      current = false;
    };
  }, [language, navigate, t, done]);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const noConfirm = confirmed ? null : t('erasure.page.confirmRequired');
    const noPassword = password ? null : t('erasure.page.passwordRequired');
    setConfirmError(noConfirm);
    setPasswordError(noPassword);
    if (noPassword) return passwordRef.current?.focus();
    if (noConfirm) return confirmRef.current?.focus();
    setBusy(true);
    const result = await withCsrf('/api/me/deletion', { json: { password } }, { language }).catch(() => null);
    setBusy(false);
    setPassword('');
    if (result instanceof Response) {
      const json: unknown = await result.json().catch(() => undefined);
      const on = isRecord(json) && typeof json.erasesOn === 'string' ? json.erasesOn : (info?.erasesOn ?? '');
      void navigate(`/account/delete/done?on=${encodeURIComponent(on)}`, { replace: true });
      return;
    }
    if (result?.status === 401) return void navigate('/signin', { replace: true });
    setPasswordError(result?.detail ?? t('signup.errors.network'));
    passwordRef.current?.focus();
  }

  if (done !== null) {
    return (
      <div className="delete-account narrow">
        <header className="page-intro">
          <h1 tabIndex={-1}>{t('erasure.page.doneTitle')}</h1>
        </header>
        <p role="status">{t('erasure.page.doneBody', { date: formatLongDate(done, language) })}</p>
        <p>
          <Link to="/">{t('erasure.page.doneHome')}</Link>
        </p>
      </div>
    );
  }

  const date = info ? formatLongDate(info.erasesOn, language) : '';
  return (
    <div className="delete-account narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('erasure.page.title')}</h1>
        <p className="tagline">{t('erasure.page.intro')}</p>
      </header>
      {loadError && (
        <div className="error-summary" role="alert">
          <p>{loadError}</p>
        </div>
      )}
      {info && (
        <>
          <section aria-labelledby={`${id}-steps`}>
            <h2 id={`${id}-steps`}>{t('erasure.page.stepsTitle')}</h2>
            <ol className="erasure-steps">
              <li>{t('erasure.page.stepNow')}</li>
              <li>{t('erasure.page.stepGrace', { days: info.graceDays, date })}</li>
              <li>{t('erasure.page.stepErase', { date })}</li>
              <li>{t('erasure.page.stepReceipt')}</li>
            </ol>
          </section>
          <section aria-labelledby={`${id}-kept`}>
            <h2 id={`${id}-kept`}>{t('erasure.page.keptTitle')}</h2>
            <p>{t('erasure.page.keptIntro')}</p>
            <ul className="data-fields">
              {info.kept.map((k) => (
                <li key={`${k.label}|${k.legalGround}`}>
                  <p className="data-label">{k.label}</p>
                  <p>{t('erasure.page.keptGround', { ground: k.legalGround })}</p>
                  <p>{t(k.forDays >= 365 ? 'erasure.page.keptForYears' : 'erasure.page.keptFor', { days: k.forDays, years: years(k.forDays) })}</p>
                </li>
              ))}
            </ul>
          </section>
          <form className="signup-form confirm-step" noValidate onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-confirm`}>
            <h2 id={`${id}-confirm`}>{t('erasure.page.confirmTitle')}</h2>
            <CurrentPasswordField
              id={`${id}-password`}
              label={t('erasure.page.passwordLabel')}
              hint={t('erasure.page.passwordHint')}
              error={passwordError}
              value={password}
              onChange={setPassword}
              inputRef={passwordRef}
            />
            <div className={confirmError ? 'field checkbox-field has-error' : 'field checkbox-field'}>
              {confirmError && (
                <p id={`${id}-confirm-error`} className="field-error" role="alert">
                  {confirmError}
                </p>
              )}
              <div className="checkbox-row">
                <input
                  ref={confirmRef}
                  id={`${id}-confirm-box`}
                  name="confirm"
                  type="checkbox"
                  checked={confirmed}
                  aria-invalid={confirmError ? true : undefined}
                  aria-describedby={confirmError ? `${id}-confirm-error` : undefined}
                  onChange={(event) => {
                    setConfirmed(event.target.checked);
                    if (event.target.checked) setConfirmError(null);
                  }}
                />
                <label htmlFor={`${id}-confirm-box`}>{t('erasure.page.confirmLabel', { date })}</label>
              </div>
            </div>
            <div className="form-actions">
              <button type="submit" className="button button-danger" disabled={busy}>
                {busy && <span className="spinner" aria-hidden="true" />}
                {busy ? t('erasure.page.sending') : t('erasure.page.submit')}
              </button>
              <Link to="/account">{t('erasure.page.cancel')}</Link>
            </div>
          </form>
        </>
      )}
    </div>
  );
}
