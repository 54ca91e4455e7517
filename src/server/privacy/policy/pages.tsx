import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Language } from '../../../common/i18n/index.js';
import type { DiffPart, DiffRow } from './diff.js';
import type { VersionChange } from './reconsent.js';
import { formatPolicyDate, type Translate } from './render.js';

/**
 * Server-rendered pages of the policy's history (P7.2): every version with what it changed
 * (/privacy/versions) and a side-by-side diff of any two (/privacy/diff/:from/:to). Script-free
 * (strict CSP), styled by policy.css; the diff marks changes with <del>/<ins> and a label for
 * screen readers, struck through / underlined (not colour alone), and stacks at 360 px.
 */

interface Common {
  language: Language;
  t: Translate;
  stylesheetHref: string;
}

function Shell({ common, title, path, children }: { common: Common; title: string; path: string; children: ReactNode }): ReactNode {
  const { language, t } = common;
  const other: Language = language === 'id' ? 'en' : 'id';
  return (
    <html lang={language}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · Kenalan`}</title>
        <link rel="stylesheet" href={common.stylesheetHref} />
        <link rel="alternate" hrefLang={other} href={`${path}?lang=${other}`} />
      </head>
      <body>
        <header className="site-header">
          <a className="home" href={`/?lang=${language}`}>
            {t('privacyPage.home')}
          </a>{' '}
          <a className="home" href={`/privacy?lang=${language}`}>
            {t('policyChanges.pages.currentPolicy')}
          </a>{' '}
          <a className="other-language" href={`${path}?lang=${other}`} hrefLang={other} lang={other}>
            {t('privacyPage.otherLanguage')}
          </a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

function Badges({ v, t }: { v: VersionChange; t: Translate }): ReactNode {
  return (
    <p className="badges">
      {v.material ? <span className="badge badge-material">{t('policyChanges.badges.material')}</span> : <span className="badge">{t('policyChanges.badges.minor')}</span>}
      {v.reducesRights && <span className="badge badge-reduces">{t('policyChanges.badges.reducesRights')}</span>}
      {v.kinds.length > 0 && <span className="badge">{t('policyChanges.badges.kinds', { kinds: v.kinds.join(', ') })}</span>}
    </p>
  );
}

export function renderVersionsPage(input: Common & { versions: VersionChange[]; current: string }): string {
  const { language, t, versions } = input;
  const newestFirst = [...versions].reverse();
  const title = t('policyChanges.pages.versionsTitle');
  const page = (
    <Shell common={input} title={title} path="/privacy/versions">
      <article className="policy policy-versions">
        <h1>{title}</h1>
        <p>{t('policyChanges.pages.versionsIntro')}</p>
        <ol className="version-list" reversed>
          {newestFirst.map((v) => (
            <li key={v.version} className="version-entry">
              <h2 id={`v-${v.version}`}>
                {t('privacyPage.version', { version: v.version, date: formatPolicyDate(v.effectiveAt, language) })}
                {v.version === input.current && <span className="badge badge-current">{t('policyChanges.badges.current')}</span>}
              </h2>
              {v.previous ? <Badges v={v} t={t} /> : <p className="badges">{t('policyChanges.pages.firstVersion')}</p>}
              {v.summary[language].length > 0 && (
                <>
                  <h3>{t('policyChanges.pages.whatChanged')}</h3>
                  <ul>
                    {v.summary[language].map((item, i) => (
                      <li key={i}>{item}</li>
                    ))}
                  </ul>
                </>
              )}
              <p className="version-links">
                <a href={`/privacy/v/${encodeURIComponent(v.version)}?lang=${language}`}>{t('policyChanges.pages.read', { version: v.version })}</a>
                {v.previous && (
                  <>
                    {' '}
                    <a href={`/privacy/diff/${encodeURIComponent(v.previous)}/${encodeURIComponent(v.version)}?lang=${language}`}>
                      {t('policyChanges.pages.compareWith', { version: v.version, previous: v.previous })}
                    </a>
                  </>
                )}
              </p>
            </li>
          ))}
        </ol>
        {versions.length > 1 && (
          <form className="compare-form" method="get" action="/privacy/diff">
            <h2>{t('policyChanges.pages.compareTitle')}</h2>
            <input type="hidden" name="lang" value={language} />
            <p>
              <label htmlFor="from">{t('policyChanges.pages.from')}</label>
              <select id="from" name="from" defaultValue={versions[versions.length - 2]!.version}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
              </select>
            </p>
            <p>
              <label htmlFor="to">{t('policyChanges.pages.to')}</label>
              <select id="to" name="to" defaultValue={versions[versions.length - 1]!.version}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
              </select>
            </p>
            <p>
              <button type="submit">{t('policyChanges.pages.compare')}</button>
            </p>
          </form>
        )}
      </article>
    </Shell>
  );
  return `<!doctype html>${renderToStaticMarkup(page)}`;
}

function Parts({ parts, t }: { parts: DiffPart[]; t: Translate }): ReactNode {
  return parts.map((part, i) =>
    part.change === 'removed' ? (
      <del key={i}>
        <span className="visually-hidden">{`[${t('policyChanges.diff.removed')}: `}</span>
        {part.text}
        <span className="visually-hidden">]</span>
      </del>
    ) : part.change === 'added' ? (
      <ins key={i}>
        <span className="visually-hidden">{`[${t('policyChanges.diff.added')}: `}</span>
        {part.text}
        <span className="visually-hidden">]</span>
      </ins>
    ) : (
      <span key={i}>{part.text}</span>
    ),
  );
}

function Row({ row, from, to, t }: { row: DiffRow; from: string; to: string; t: Translate }): ReactNode {
  return (
    <div className={`diff-row diff-${row.kind}`}>
      <div className="diff-cell diff-old">
        <p className="diff-label">{t('policyChanges.diff.versionLabel', { version: from })}</p>
        {row.old.length ? <p>{<Parts parts={row.old} t={t} />}</p> : <p className="diff-empty">{t('policyChanges.diff.notInVersion', { version: from })}</p>}
      </div>
      <div className="diff-cell diff-new">
        <p className="diff-label">{t('policyChanges.diff.versionLabel', { version: to })}</p>
        {row.new.length ? <p>{<Parts parts={row.new} t={t} />}</p> : <p className="diff-empty">{t('policyChanges.diff.notInVersion', { version: to })}</p>}
      </div>
    </div>
  );
}

export function renderDiffPage(input: Common & { from: VersionChange; to: VersionChange; rows: DiffRow[] }): string {
  const { language, t, from, to, rows } = input;
  const title = t('policyChanges.diff.title', { from: from.version, to: to.version });
  const changed = rows.filter((r) => r.kind === 'changed').length;
  // Runs of unchanged paragraphs fold into a <details> so the changes stand out.
  const groups: { kind: 'same' | 'changed'; rows: DiffRow[] }[] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last.kind === row.kind) last.rows.push(row);
    else groups.push({ kind: row.kind, rows: [row] });
  }
  const page = (
    <Shell common={input} title={title} path={`/privacy/diff/${encodeURIComponent(from.version)}/${encodeURIComponent(to.version)}`}>
      <article className="policy policy-diff">
        <h1>{title}</h1>
        <p className="version">
          {t('privacyPage.version', { version: from.version, date: formatPolicyDate(from.effectiveAt, language) })}
          {' → '}
          {t('privacyPage.version', { version: to.version, date: formatPolicyDate(to.effectiveAt, language) })}
        </p>
        <p>{t('policyChanges.diff.legend')}</p>
        <p className="diff-key" aria-hidden="true">
          <del>{t('policyChanges.diff.removed')}</del> <ins>{t('policyChanges.diff.added')}</ins>
        </p>
        <p role="status">{t('policyChanges.diff.count', { count: changed })}</p>
        <div className="diff-head" aria-hidden="true">
          <span>{t('policyChanges.diff.versionLabel', { version: from.version })}</span>
          <span>{t('policyChanges.diff.versionLabel', { version: to.version })}</span>
        </div>
        {groups.map((group, gi) =>
          group.kind === 'same' && group.rows.length > 2 ? (
            <details key={gi} className="diff-same-run">
              <summary>{t('policyChanges.diff.unchanged', { count: group.rows.length })}</summary>
              {group.rows.map((row, i) => (
                <Row key={i} row={row} from={from.version} to={to.version} t={t} />
              ))}
            </details>
          ) : (
            group.rows.map((row, i) => <Row key={`${gi}-${i}`} row={row} from={from.version} to={to.version} t={t} />)
          ),
        )}
        <p className="version-links">
          <a href={`/privacy/versions?lang=${language}`}>{t('policyChanges.pages.allVersions')}</a>
        </p>
      </article>
    </Shell>
  );
  return `<!doctype html>${renderToStaticMarkup(page)}`;
}
