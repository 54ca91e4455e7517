import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord, readProblem, timeoutSignal, withCsrf } from '../http.js';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { CurrentPasswordField } from '../components/CurrentPasswordField.js';

interface ExportInfo {
  id: string;
  status: string;
  createdAt: string;
  expiresAt: string | null;
}

/** "Download a copy of your data": ask with the password, watch it build, download behind the password again. */
export function DataExport() {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const passwordRef = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState('');
  const [exports, setExports] = useState<ExportInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (): Promise<ExportInfo[]> => {
    const response = await fetch('/api/me/exports', { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store', signal: timeoutSignal() });
    if (!response.ok) return [];
    const json: unknown = await response.json();
    const list = isRecord(json) && Array.isArray(json.exports) ? (json.exports as ExportInfo[]) : [];
    setExports(list);
    return list;
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // While one is being prepared, look again every second (it takes seconds).
  useEffect(() => {
    if (!exports.some((e) => e.status === 'queued')) return;
    const timer = setInterval(() => void load(), 1000);
    return () => clearInterval(timer);
  }, [exports, load]);

  function needPassword(): boolean {
    if (password) return false;
    setError(t('validation.required'));
    passwordRef.current?.focus();
    return true;
  }

  async function request(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy || needPassword()) return;
    setBusy(true);
    setError(null);
    const result = await withCsrf('/api/me/exports', { json: { password } }, { language }).catch(() => null);
    setBusy(false);
    if (result instanceof Response) {
      setStatus(t('dataExport.requested'));
      await load();
    } else setError(result?.detail ?? t('signup.errors.network'));
  }

  async function download(item: ExportInfo): Promise<void> {
    if (busy || needPassword()) return;
    setBusy(true);
    setError(null);
    try {
      const result = await withCsrf(`/api/me/exports/${item.id}/download`, { json: { password } }, { language });
      if (!(result instanceof Response)) {
        setError(result.detail ?? t('errors.internal'));
        return;
      }
      const blob = await result.blob();
      const name = /filename="([^"]+)"/.exec(result.headers.get('content-disposition') ?? '')?.[1] ?? 'kenalan-data.zip';
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setError(t('signup.errors.network'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="data-export" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('dataExport.title')}</h2>
      <p>{t('dataExport.intro')}</p>
      <form onSubmit={(e) => void request(e)} noValidate>
        <CurrentPasswordField
          id={`${id}-password`}
          label={t('dataExport.password')}
          hint={t('dataExport.passwordHint')}
          error={error}
          value={password}
          onChange={setPassword}
          inputRef={passwordRef}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('dataExport.request')}
        </button>
      </form>
      <p role="status" className="sessions-status">
        {status}
      </p>
      {exports.length === 0 ? (
        <p>{t('dataExport.none')}</p>
      ) : (
        <ul className="data-fields">
          {exports.map((e) => (
            <li key={e.id}>
              <p className="data-label">{t(`dataExport.${e.status}`)}</p>
              <p>{t('dataExport.created', { when: formatDateTime(e.createdAt, language) })}</p>
              {e.status === 'ready' && e.expiresAt && <p>{t('dataExport.expires', { when: formatDateTime(e.expiresAt, language) })}</p>}
              {e.status === 'ready' && (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={busy}
                  aria-label={t('dataExport.downloadLabel', { when: formatDateTime(e.createdAt, language) })}
                  onClick={() => void download(e)}
                >
                  {t('dataExport.download')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
