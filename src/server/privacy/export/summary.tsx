import { renderToStaticMarkup } from 'react-dom/server';
import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import type { AccessView, CategoryView } from '../your-data/service.js';

export interface ConsentEntry {
  purpose: string | null;
  event: string;
  policyVersion: string;
  at: string;
}

/** The export's readable summary (index.html): the same content as the JSON files, for a person. */
export function renderSummary(input: {
  language: Language;
  username: string;
  createdAt: string;
  categories: CategoryView[];
  consents: ConsentEntry[];
  accesses: AccessView[];
  photos: string[];
}): string {
  const { language: lang } = input;
  const tr = (key: string, params?: Record<string, unknown>) => t(lang, `dataExport.summary.${key}`, params);
  return (
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang={lang}>
        <head>
          <meta charSet="utf-8" />
          <title>{tr('title', { username: input.username })}</title>
          <style>{'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}'}</style>
        </head>
        <body>
          <h1>{tr('title', { username: input.username })}</h1>
          <p>{tr('intro', { when: input.createdAt })}</p>
          {input.categories.map((c) => (
            <section key={c.category}>
              <h2>{t(lang, `yourData.categories.${c.category}`)}</h2>
              <table>
                <thead>
                  <tr>
                    <th>{tr('field')}</th>
                    <th>{tr('values')}</th>
                    <th>{t(lang, 'yourData.why')}</th>
                    <th>{t(lang, 'yourData.basis')}</th>
                    <th>{t(lang, 'yourData.kept')}</th>
                  </tr>
                </thead>
                <tbody>
                  {c.fields.map((f) => (
                    <tr key={`${f.table}.${f.column}.${f.role ?? ''}`}>
                      <td>{f.label}</td>
                      <td>{f.display === 'secret' ? t(lang, 'yourData.secret') : f.values.join(', ')}</td>
                      <td>{f.purposes.join('; ')}</td>
                      <td>{f.legalBasis}</td>
                      <td>{f.retention}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
          <section>
            <h2>{tr('photos')}</h2>
            {input.photos.length === 0 ? (
              <p>{tr('none')}</p>
            ) : (
              input.photos.map((p) => <img key={p} src={p} alt={tr('photoAlt')} width={160} />)
            )}
          </section>
          <section>
            <h2>{tr('consents')}</h2>
            <table>
              <tbody>
                {input.consents.map((c, i) => (
                  <tr key={i}>
                    <td>{c.at}</td>
                    <td>{c.purpose ?? tr('policyAccepted')}</td>
                    <td>{c.event}</td>
                    <td>{c.policyVersion}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>{t(lang, 'yourData.accessTitle')}</h2>
            {input.accesses.length === 0 ? (
              <p>{t(lang, 'yourData.noAccess')}</p>
            ) : (
              <ul>
                {input.accesses.map((a, i) => (
                  <li key={i}>
                    {a.at} — {a.role}: {a.action}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </body>
      </html>,
    )
  );
}
