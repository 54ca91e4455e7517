import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { DataExport } from '../accounts/DataExport.js';
import { isRecord, readProblem, timeoutSignal } from '../http.js';
import { formatDateTime } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

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
}
interface YourDataView {
  categories: { category: string; fields: FieldView[] }[];
  accesses: { at: string; role: string; action: string; purpose: string | null }[];
}

/** "Your data": everything Kenalan holds about the member, why, on what basis, for how long, and who read it. */
export function YourData() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('yourData.title'));
  const [data, setData] = useState<YourDataView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    void (async () => {
      try {
        const response = await fetch('/api/me/data', {
          headers: { accept: 'application/json, application/problem+json', 'accept-language': language },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: timeoutSignal(),
        });
        if (response.status === 401) return void navigate('/signin', { replace: true });
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
  }, [language, navigate, t]);

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
      <DataExport />
      {!data && !error && <p>{t('yourData.loading')}</p>}
      {data && (
        <>
          {data.categories.map(({ category, fields }) => (
            <section key={category} className="data-category" aria-labelledby={`data-${category}`}>
              <h2 id={`data-${category}`}>{t(`yourData.categories.${category}`)}</h2>
              <ul className="data-fields">
                {fields.map((f) => (
                  <li key={`${f.table}.${f.column}`}>
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
                    {f.display === 'masked' && <p className="hint">{t('yourData.masked')}</p>}
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
                    <time dateTime={a.at}>{formatDateTime(a.at, language)}</time> — {a.role}: {a.action}
                    {a.purpose ? ` (${a.purpose})` : ''}
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
