import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { DataExport } from '../accounts/DataExport.js';
import { isRecord, readProblem, timeoutSignal } from '../http.js';
import { formatDateTime } from '../locale.js';
import { sendJson } from '../rights/api.js';
import '../rights/rights.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import { CurrentPasswordField } from '../components/CurrentPasswordField.js';

interface FieldView {
  table: string;
  column: string;
  label: string;
  display: string;
  values: string[];
  count: number;
  purposes: string[];
  legalBasis: string;
  retention: string;
  sharedWith: string[];
  /** Rows found in a second role, e.g. `recipient` of a kenalan request (the same table and column as one's own). */
  role?: string;
}
interface YourDataView {
  categories: { category: string; fields: FieldView[] }[];
  accesses: { at: string; role: string; action: string; purpose: string | null; purposeLabel: string | null; what: string | null }[];
  revealed: boolean;
}

/** The reveal token lives only in this page's memory (never in storage), for 5 minutes. */
interface Reveal {
  token: string;
  expiresAt: string;
}

/** "Your data": everything Kenalan holds about the member, why, on what basis, for how long, and who read it. */
export function YourData() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('yourData.title'));
  const id = useId();
  const [data, setData] = useState<YourDataView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reveal, setReveal] = useState<Reveal | null>(null);
  const [password, setPassword] = useState('');
  const [revealError, setRevealError] = useState<string | null>(null);
  const [revealStatus, setRevealStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  // Masked again when the token runs out.
  useEffect(() => {
    if (!reveal) return;
    const timer = setTimeout(() => {
      setReveal(null);
      setRevealStatus(t('rights.reveal.hidden'));
    }, Math.max(0, new Date(reveal.expiresAt).getTime() - Date.now()));
    return () => clearTimeout(timer);
  }, [reveal, t]);

  async function askReveal(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!password) {
      setRevealError(t('validation.required'));
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setRevealError(null);
    const outcome = await sendJson<Reveal>('/api/me/data/reveal', 'POST', { password }, language);
    setBusy(false);
    if (outcome.kind === 'ok') {
      setPassword('');
      setReveal(outcome.value);
      setRevealStatus(t('rights.reveal.shown', { when: formatDateTime(outcome.value.expiresAt, language) }));
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else {
      setRevealError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
      passwordRef.current?.focus();
    }
  }

  function hide(): void {
    setReveal(null);
    setRevealStatus(t('rights.reveal.hidden'));
  }

  useEffect(() => {
    let current = true;
    void (async () => {
      try {
        const response = await fetch('/api/me/data', {
          headers: { accept: 'application/json, application/problem+json', 'accept-language': language, ...(reveal ? { 'x-kenalan-reveal': reveal.token } : {}) },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: timeoutSignal(),
        });
        if (response.status === 401) return void navigate('/signin', { replace: true });
        if (response.status === 403 && reveal) {
          if (current) setReveal(null);
          return;
        }
        if (!response.ok) throw new Error((await readProblem(response)).detail ?? '');
        const json: unknown = await response.json();
        if (current && isRecord(json) && Array.isArray(json.categories)) setData(json as unknown as YourDataView);
      } catch (err) {
        if (current) setError(err instanceof Error && err.message ? err.message : t('signup.errors.network'));
      }
    })();
    return () => {
      current = false;
    };
  }, [language, navigate, t, reveal]);

  const hasMasked = data?.categories.some((c) => c.fields.some((f) => f.display === 'masked')) ?? false;
  const roleLabel = (role: string) => t(`rights.access.roles.${role}`, { defaultValue: role });
  const whatLabel = (what: string) => t(`rights.access.whats.${what}`, { defaultValue: what });

  return (
    <div className="your-data narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('yourData.title')}</h1>
        <p className="tagline">{t('yourData.intro')}</p>
      </header>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <ul className="rights-links">
        <li>
          <Link to="/account/details">{t('rights.yourData.correct')}</Link>
        </li>
        <li>
          <Link to="/account/restrictions">{t('rights.yourData.restrict')}</Link>
        </li>
      </ul>
      <DataExport />
      {data && hasMasked && (
        <section className="reveal-box" aria-labelledby={`${id}-reveal`}>
          <h2 id={`${id}-reveal`}>{t('rights.reveal.title')}</h2>
          {reveal ? (
            <button type="button" className="button button-secondary" onClick={hide}>
              {t('rights.reveal.hide')}
            </button>
          ) : (
            <form onSubmit={(e) => void askReveal(e)} noValidate>
              <CurrentPasswordField
                id={`${id}-password`}
                label={t('rights.reveal.password')}
                hint={t('rights.reveal.intro')}
                error={revealError}
                value={password}
                onChange={setPassword}
                inputRef={passwordRef}
              />
              <button type="submit" className="button" disabled={busy}>
                {t('rights.reveal.button')}
              </button>
            </form>
          )}
          <p role="status" className="sessions-status">
            {revealStatus}
          </p>
        </section>
      )}
      {!data && !error && <p>{t('yourData.loading')}</p>}
      {data && (
        <>
          {data.categories.map(({ category, fields }) => (
            <section key={category} className="data-category" aria-labelledby={`data-${category}`}>
              <h2 id={`data-${category}`}>{t(`yourData.categories.${category}`)}</h2>
              <ul className="data-fields">
                {fields.map((f) => (
                  <li key={`${f.table}.${f.column}.${f.role ?? ''}`}>
                    <p className="data-label">{f.label}</p>
                    {f.display === 'secret' ? (
                      <p className="data-secret">{t('yourData.secret')}</p>
                    ) : (
                      <ul className="data-values" aria-label={t('yourData.valuesOf', { label: f.label })}>
                        {f.values.map((v, i) => (
                          <li key={i}>{v}</li>
                        ))}
                      </ul>
                    )}
                    {f.count > 1 && <p className="hint">{t('yourData.records', { count: f.count })}</p>}
                    {f.display === 'masked' && !data.revealed && <p className="hint">{t('yourData.masked')}</p>}
                    <dl>
                      <div>
                        <dt>{t('yourData.why')}</dt>
                        <dd>{f.purposes.join('; ')}</dd>
                      </div>
                      <div>
                        <dt>{t('yourData.basis')}</dt>
                        <dd>{f.legalBasis}</dd>
                      </div>
                      <div>
                        <dt>{t('yourData.kept')}</dt>
                        <dd>{f.retention}</dd>
                      </div>
                      <div>
                        <dt>{t('yourData.shared')}</dt>
                        <dd>{f.sharedWith.length ? f.sharedWith.join(', ') : t('yourData.notShared')}</dd>
                      </div>
                    </dl>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <section aria-labelledby="data-accesses">
            <h2 id="data-accesses">{t('yourData.accessTitle')}</h2>
            {data.accesses.length === 0 ? (
              <p>{t('yourData.noAccess')}</p>
            ) : (
              <ul className="data-fields">
                {data.accesses.map((a, i) => (
                  <li key={i}>
                    <time dateTime={a.at}>{formatDateTime(a.at, language)}</time> —{' '}
                    {t('rights.access.entry', { role: roleLabel(a.role), purpose: a.purposeLabel ?? a.purpose ?? '—' })}
                    {a.what && <p className="hint">{t('rights.access.what', { what: whatLabel(a.what) })}</p>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
