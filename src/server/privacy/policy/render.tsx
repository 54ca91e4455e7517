import { Fragment, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import {
  PREAMBLE_ID,
  SUPPORT_EMAIL_TOKEN,
  compareSectionIds,
  sectionLabel,
  topLevelId,
  type Block,
  type ParsedPolicy,
  type PolicyLanguage,
  type PolicySection,
} from './parse.js';
import type { ParityReport } from './parity.js';

/**
 * Server-side rendering of the public Privacy Policy page: a complete, script-free HTML document
 * (strict CSP: no inline scripts or styles; all presentation in policy.css).
 *
 * Sections the page language lacks are shown in their place, in the other language (lang attribute)
 * after a notice; sections whose paragraph counts differ show the page-language text, a notice, and
 * the other language's text in a <details>. All text goes through React, which escapes it; the
 * {{supportEmail}} token becomes a mailto link.
 *
 * Element ids: the contents nav is #contents; section "3.1" is #s-3-1 (its heading #h-3-1); the
 * numbered paragraph "3.1.1" is #s-3-1-1.
 */

export type Translate = (key: string, params?: Record<string, unknown>) => string;

export interface RenderPolicyPageInput {
  language: PolicyLanguage;
  version: string;
  effectiveAt: Date;
  /** sha256Hex of the page language's file as published. */
  sha256: string;
  doc: ParsedPolicy;
  /** The other language, for sections missing in `doc`. */
  other: ParsedPolicy;
  report: ParityReport;
  supportEmail: string;
  /** All published versions (the footer lists the others when there is more than one). */
  versions: { version: string; effectiveAt: Date }[];
  t: Translate;
  stylesheetHref: string;
}

const DATE_LOCALES: Record<PolicyLanguage, string> = { id: 'id-ID', en: 'en-GB' };
const TIME_ZONE = 'Asia/Jakarta';

export function renderPolicyPage(input: RenderPolicyPageInput): string {
  const { language, doc, other } = input;
  if (doc.language !== language) throw new Error(`renderPolicyPage: doc is ${doc.language}, page is ${language}`);
  if (other.language === language) throw new Error('renderPolicyPage: other must be the other language');
  return `<!doctype html>${renderToStaticMarkup(<PolicyPage {...input} />)}`;
}

export function formatPolicyDate(date: Date, language: PolicyLanguage): string {
  return new Intl.DateTimeFormat(DATE_LOCALES[language], { dateStyle: 'long', timeZone: TIME_ZONE }).format(date);
}

/** YYYY-MM-DD of the date in Jakarta, for <time datetime>. */
function isoDateInJakarta(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: TIME_ZONE }).format(date);
}

export function sectionElementId(id: string): string {
  return `s-${id.replace(/\./g, '-')}`;
}

function headingElementId(id: string): string {
  return `h-${id.replace(/\./g, '-')}`;
}

/**
 * Translates `key` and puts React nodes where the named parameters go. Uses sentinel values so the
 * caller's `t` does the interpolation (and any escaping it does cannot touch the nodes).
 */
function translateWith(t: Translate, key: string, params: Record<string, unknown>, nodes: Record<string, ReactNode>): ReactNode[] {
  const sentinels: Record<string, string> = {};
  for (const name of Object.keys(nodes)) sentinels[name] = `\u0000${name}\u0000`;
  const text = t(key, { ...params, ...sentinels });
  return text.split(/\u0000(\w+)\u0000/).map((part, index) => (index % 2 === 1 ? <Fragment key={index}>{nodes[part] ?? part}</Fragment> : part));
}

interface Entry {
  section: PolicySection;
  /** Language of the text shown. */
  lang: PolicyLanguage;
  fromOther: boolean;
}

interface Group {
  top: Entry;
  subs: Entry[];
}

interface PageContext {
  input: RenderPolicyPageInput;
  otherById: Map<string, PolicySection>;
  partial: Set<string>;
}

function buildGroups(doc: ParsedPolicy, other: ParsedPolicy): Group[] {
  const mine = new Set(doc.sections.map((s) => s.id));
  const entries: Entry[] = [
    ...doc.sections.map((section) => ({ section, lang: doc.language, fromOther: false })),
    ...other.sections.filter((s) => !mine.has(s.id)).map((section) => ({ section, lang: other.language, fromOther: true })),
  ].sort((a, b) => compareSectionIds(a.section.id, b.section.id));

  const groups: Group[] = [];
  for (const entry of entries) {
    if (entry.section.level === 1) {
      groups.push({ top: entry, subs: [] });
      continue;
    }
    const parent = groups[groups.length - 1];
    if (!parent || parent.top.section.id !== topLevelId(entry.section.id)) {
      // The parser guarantees every subsection follows its section in its own document.
      throw new Error(`renderPolicyPage: subsection ${entry.section.id} has no section ${topLevelId(entry.section.id)}`);
    }
    parent.subs.push(entry);
  }
  return groups;
}

function PolicyPage(input: RenderPolicyPageInput): ReactNode {
  const { language, doc, other, t, report } = input;
  const parity = report.languages[language];
  const ctx: PageContext = {
    input,
    otherById: new Map(other.sections.map((s) => [s.id, s] as const)),
    partial: new Set(parity.paragraphCountMismatches.map((m) => m.id)),
  };
  const groups = buildGroups(doc, other);
  const versionLine = translateWith(
    t,
    'privacyPage.version',
    { version: input.version },
    { date: <time dateTime={isoDateInJakarta(input.effectiveAt)}>{formatPolicyDate(input.effectiveAt, language)}</time> },
  );

  return (
    <html lang={language}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${doc.title} · ${t('privacyPage.version', { version: input.version, date: formatPolicyDate(input.effectiveAt, language) })}`}</title>
        <link rel="stylesheet" href={input.stylesheetHref} />
        <link rel="alternate" hrefLang={other.language} href={`?lang=${other.language}`} />
      </head>
      <body>
        <header className="site-header">
          <a className="home" href={`/?lang=${language}`}>
            {t('privacyPage.home')}
          </a>{' '}
          <a className="other-language" href={`?lang=${other.language}`} hrefLang={other.language} lang={other.language}>
            {t('privacyPage.otherLanguage')}
          </a>
        </header>
        <main>
          <article className="policy">
            <h1>{doc.title}</h1>
            <p className="version">{versionLine}</p>
            <Preamble ctx={ctx} />
            <Contents ctx={ctx} groups={groups} />
            {groups.map((group) => (
              <TopSection key={group.top.section.id} ctx={ctx} group={group} />
            ))}
          </article>
        </main>
        <Footer input={input} />
      </body>
    </html>
  );
}

function Preamble({ ctx }: { ctx: PageContext }): ReactNode {
  const { doc, other, t } = ctx.input;
  return (
    <div className="preamble">
      <Blocks blocks={doc.preamble} ctx={ctx} withIds />
      {ctx.partial.has(PREAMBLE_ID) && (
        <Partial ctx={ctx} blocks={other.preamble} summary={t('privacyPage.shownFrom', { language: languageName(t, other.language) })} />
      )}
    </div>
  );
}

function languageName(t: Translate, language: PolicyLanguage): string {
  return t(`privacyPage.languageName.${language}`);
}

function Contents({ ctx, groups }: { ctx: PageContext; groups: Group[] }): ReactNode {
  const { doc, other, t, language } = ctx.input;
  const byNumber = new Map(groups.map((g) => [Number(g.top.section.id), g] as const));
  const count = Math.max(doc.toc.length, ...groups.map((g) => Number(g.top.section.id)));
  const items: ReactNode[] = [];
  for (let n = 1; n <= count; n += 1) {
    const group = byNumber.get(n);
    const tocTitle = doc.toc[n - 1];
    const label = tocTitle ?? (group ? sectionLabel(group.top.section) : other.toc[n - 1]);
    if (label === undefined) continue;
    const labelLang = tocTitle !== undefined ? language : other.language;
    if (!group) {
      // Listed in the table of contents but present in neither language: no link to nowhere.
      items.push(
        <li key={n}>
          <span className="num">{n}.</span> <span lang={labelLang === language ? undefined : labelLang}>{label}</span>
        </li>,
      );
      continue;
    }
    items.push(
      <li key={n}>
        <a href={`#${sectionElementId(group.top.section.id)}`}>
          <span className="num">{n}.</span> <span lang={labelLang === language ? undefined : labelLang}>{label}</span>
        </a>
        {group.top.fromOther && <FromOtherTag t={t} language={group.top.lang} />}
        {group.subs.length > 0 && (
          <ol>
            {group.subs.map((sub) => (
              <li key={sub.section.id}>
                <a href={`#${sectionElementId(sub.section.id)}`}>
                  <span className="num">{sub.section.id}</span>{' '}
                  <span lang={sub.fromOther ? sub.lang : undefined}>{sectionLabel(sub.section)}</span>
                </a>
                {sub.fromOther && !group.top.fromOther && <FromOtherTag t={t} language={sub.lang} />}
              </li>
            ))}
          </ol>
        )}
      </li>,
    );
  }
  return (
    <nav id="contents" className="contents" aria-label={t('privacyPage.contents')}>
      <h2>{t('privacyPage.contents')}</h2>
      <ol>{items}</ol>
    </nav>
  );
}

function FromOtherTag({ t, language }: { t: Translate; language: PolicyLanguage }): ReactNode {
  return (
    <>
      {' '}
      <span className="from-other-tag">{t('privacyPage.tocFromOther', { language: languageName(t, language) })}</span>
    </>
  );
}

function Heading({ entry, level }: { entry: Entry; level: 1 | 2 }): ReactNode {
  const { section } = entry;
  const number = level === 1 ? `${section.id}.` : section.id;
  const content = (
    <>
      <span className="num">{number}</span>
      {section.title !== null && <> {section.title}</>}
    </>
  );
  return level === 1 ? <h2 id={headingElementId(section.id)}>{content}</h2> : <h3 id={headingElementId(section.id)}>{content}</h3>;
}

function BackLink({ t }: { t: Translate }): ReactNode {
  return (
    <p className="back">
      <a href="#contents">{t('privacyPage.backToTop')}</a>
    </p>
  );
}

/** The section's own heading and text (and, for a partial section, the other language's text). */
function SectionBody({ ctx, entry, level }: { ctx: PageContext; entry: Entry; level: 1 | 2 }): ReactNode {
  const { t, other } = ctx.input;
  const { section } = entry;
  const theirs = !entry.fromOther && ctx.partial.has(section.id) ? ctx.otherById.get(section.id) : undefined;
  return (
    <>
      <Heading entry={entry} level={level} />
      <Blocks blocks={section.blocks} ctx={ctx} withIds />
      {theirs && (
        <Partial ctx={ctx} blocks={theirs.blocks} summary={t('privacyPage.shownFrom', { language: languageName(t, other.language) })} />
      )}
    </>
  );
}

function Partial({ ctx, blocks, summary }: { ctx: PageContext; blocks: Block[]; summary: string }): ReactNode {
  const { t, language, other } = ctx.input;
  return (
    <>
      <p className="notice partial" role="note">
        {t('privacyPage.partialNotice')}
      </p>
      <details className="other-text" lang={other.language}>
        <summary lang={language}>{summary}</summary>
        {/* No ids here: the page-language text above owns the anchors. */}
        <Blocks blocks={blocks} ctx={ctx} withIds={false} />
      </details>
    </>
  );
}

function MissingNotice({ t }: { t: Translate }): ReactNode {
  return (
    <p className="notice missing" role="note">
      {t('privacyPage.missingNotice')}
    </p>
  );
}

function TopSection({ ctx, group }: { ctx: PageContext; group: Group }): ReactNode {
  const { t } = ctx.input;
  const { top, subs } = group;
  const id = top.section.id;
  return (
    <section
      id={sectionElementId(id)}
      className={top.fromOther ? 'policy-section from-other' : 'policy-section'}
      aria-labelledby={headingElementId(id)}
    >
      {top.fromOther && <MissingNotice t={t} />}
      <Body ctx={ctx} entry={top} level={1} />
      <BackLink t={t} />
      {subs.map((sub) => (
        <SubSection key={sub.section.id} ctx={ctx} entry={sub} noticeShown={top.fromOther} />
      ))}
    </section>
  );
}

/** A subsection; when its whole section is already shown in the other language, no second notice. */
function SubSection({ ctx, entry, noticeShown }: { ctx: PageContext; entry: Entry; noticeShown: boolean }): ReactNode {
  const { t } = ctx.input;
  const id = entry.section.id;
  return (
    <section
      id={sectionElementId(id)}
      className={entry.fromOther ? 'policy-subsection from-other' : 'policy-subsection'}
      aria-labelledby={headingElementId(id)}
    >
      {entry.fromOther && !noticeShown && <MissingNotice t={t} />}
      <Body ctx={ctx} entry={entry} level={2} />
      <BackLink t={t} />
    </section>
  );
}

/** Text from the other language is wrapped in an element carrying its lang attribute. */
function Body({ ctx, entry, level }: { ctx: PageContext; entry: Entry; level: 1 | 2 }): ReactNode {
  if (!entry.fromOther) return <SectionBody ctx={ctx} entry={entry} level={level} />;
  return (
    <div className="other-language-text" lang={entry.lang}>
      <SectionBody ctx={ctx} entry={entry} level={level} />
    </div>
  );
}

function Blocks({ blocks, ctx, withIds }: { blocks: Block[]; ctx: PageContext; withIds: boolean }): ReactNode {
  return blocks.map((block, index) => {
    if (block.kind === 'list') {
      return (
        <ol key={index}>
          {block.items.map((item, i) => (
            <li key={i}>
              <RichText text={item} email={ctx.input.supportEmail} />
            </li>
          ))}
        </ol>
      );
    }
    if (block.anchor !== undefined) {
      return (
        <p key={index} id={withIds ? sectionElementId(block.anchor) : undefined} className="numbered">
          <span className="num">{block.anchor}</span> <RichText text={block.text} email={ctx.input.supportEmail} />
        </p>
      );
    }
    return (
      <p key={index}>
        <RichText text={block.text} email={ctx.input.supportEmail} />
      </p>
    );
  });
}

function RichText({ text, email }: { text: string; email: string }): ReactNode {
  const parts = text.split(SUPPORT_EMAIL_TOKEN);
  return parts.map((part, index) => (
    <Fragment key={index}>
      {index > 0 && <a href={`mailto:${email}`}>{email}</a>}
      {part}
    </Fragment>
  ));
}

function Footer({ input }: { input: RenderPolicyPageInput }): ReactNode {
  const { t, language, versions, version } = input;
  const others = versions
    .filter((v) => v.version !== version)
    .sort((a, b) => b.effectiveAt.getTime() - a.effectiveAt.getTime());
  return (
    <footer className="policy-footer">
      <p className="fingerprint">{translateWith(t, 'privacyPage.sha', {}, { sha: <code>{input.sha256}</code> })}</p>
      {versions.length > 1 && others.length > 0 && (
        <nav className="past-versions" aria-label={t('privacyPage.pastVersions')}>
          <h2>{t('privacyPage.pastVersions')}</h2>
          <ul>
            {others.map((v) => (
              <li key={v.version}>
                <a href={`/privacy/${encodeURIComponent(v.version)}?lang=${language}`}>
                  {t('privacyPage.version', { version: v.version, date: formatPolicyDate(v.effectiveAt, language) })}
                </a>
              </li>
            ))}
          </ul>
          <p>
            <a href={`/privacy/versions?lang=${language}`}>{t('policyChanges.status.versions')}</a>
          </p>
        </nav>
      )}
    </footer>
  );
}
