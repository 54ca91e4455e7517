import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parsePolicy, type ParsedPolicy, type PolicyLanguage } from './parse.js';
import { checkParity, type ParityReport } from './parity.js';
import { sha256Hex } from './hash.js';
import { renderPolicyPage, type RenderPolicyPageInput } from './render.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const source = {
  en: readFileSync(`${root}policy/v1/en.txt`, 'utf8'),
  id: readFileSync(`${root}policy/v1/id.txt`, 'utf8'),
};
const docs = { en: parsePolicy(source.en, 'en'), id: parsePolicy(source.id, 'id') };
const report = checkParity(docs);
const dictionaries = {
  en: JSON.parse(readFileSync(`${root}src/common/i18n/en.json`, 'utf8')) as Record<string, unknown>,
  id: JSON.parse(readFileSync(`${root}src/common/i18n/id.json`, 'utf8')) as Record<string, unknown>,
};
const SUPPORT_EMAIL = 'support' + '\u0040' + 'kenalan.example';

/** A minimal stand-in for i18next's t: nested keys, {{name}} interpolation, the key itself when missing. */
function translator(language: PolicyLanguage) {
  return (key: string, params: Record<string, unknown> = {}): string => {
    let value: unknown = dictionaries[language];
    for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    if (typeof value !== 'string') return key;
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
  };
}

function privacyText(language: PolicyLanguage, key: string): string {
  return (dictionaries[language].privacyPage as Record<string, string>)[key]!;
}

function render(language: PolicyLanguage, overrides: Partial<RenderPolicyPageInput> = {}): string {
  const other: PolicyLanguage = language === 'id' ? 'en' : 'id';
  return renderPolicyPage({
    language,
    version: '1',
    // Midnight in Jakarta is still the previous day in UTC: the page must show 27 November.
    effectiveAt: new Date('2026-11-26T17:00:00Z'),
    sha256: sha256Hex(source[language]),
    doc: docs[language],
    other: docs[other],
    report,
    supportEmail: SUPPORT_EMAIL,
    versions: [{ version: '1', effectiveAt: new Date('2026-11-26T17:00:00Z') }],
    t: translator(language),
    stylesheetHref: '/assets/policy.css',
    ...overrides,
  });
}

/** The markup of <section id="…"> up to the next section start or end. */
function sectionChunk(html: string, elementId: string): string {
  const start = html.indexOf(`<section id="${elementId}"`);
  expect(start, `section ${elementId}`).toBeGreaterThanOrEqual(0);
  const next = html.indexOf('<section', start + 1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, next < 0 ? end : Math.min(next, end));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const idPage = render('id');
const enPage = render('en');

describe('renderPolicyPage (Indonesian page)', () => {
  it('is a complete document in Indonesian', () => {
    expect(idPage.startsWith('<!doctype html><html lang="id">')).toBe(true);
    expect(idPage).toContain('<title>Kebijakan Privasi Kenalan');
    expect(idPage).toContain('<link rel="stylesheet" href="/assets/policy.css"/>');
    expect(idPage).toContain('<a class="home" href="/?lang=id">Beranda Kenalan</a>');
    expect(idPage).toMatch(/<a class="other-language" href="\?lang=en"[^>]* lang="en">Read in English<\/a>/);
    expect(idPage).toContain('Versi 1, berlaku sejak <time dateTime="2026-11-27">27 November 2026</time>');
    expect(idPage).toContain('<nav id="contents" class="contents" aria-label="Daftar isi">');
    expect(idPage).toContain(`Sidik jari dokumen (SHA-256): <code>${sha256Hex(source.id)}</code>`);
  });

  it('shows every section in document order, including the English-only ones', () => {
    const order = [...idPage.matchAll(/<section id="s-([\d-]+)"/g)].map((m) => m[1]!.replace(/-/g, '.'));
    expect(order).toEqual(docs.en.sections.map((s) => s.id));
  });

  it('shows each English-only section in place, in English, after the Indonesian notice', () => {
    const notice = escapeHtml(privacyText('id', 'missingNotice'));
    for (const missing of report.languages.id.missing) {
      const english = docs.en.sections.find((s) => s.id === missing.id)!;
      const chunk = sectionChunk(idPage, `s-${missing.id.replace(/\./g, '-')}`);
      expect(chunk).toContain('lang="en"');
      expect(chunk).toContain(escapeHtml(english.title!));
      const firstParagraph = english.blocks[0];
      if (firstParagraph?.kind === 'paragraph') expect(chunk).toContain(escapeHtml(firstParagraph.text));
      // Subsections of a section that is wholly English share their section's notice.
      const parentMissing = missing.id.includes('.') && report.languages.id.missing.some((m) => m.id === missing.id.split('.')[0]);
      if (parentMissing) {
        expect(chunk).not.toContain(notice);
      } else {
        expect(chunk).toContain(`<p class="notice missing" role="note">${notice}</p>`);
        expect(chunk.indexOf(notice)).toBeLessThan(chunk.indexOf('lang="en"'));
      }
    }
    expect(idPage).toContain('If we cease operations of the products or services of Kenalan');
  });

  it('shows the English text of 4.4 after the partial notice', () => {
    const chunk = sectionChunk(idPage, 's-4-4');
    expect(chunk).toContain(escapeHtml(privacyText('id', 'partialNotice')));
    expect(chunk).toMatch(/<details class="other-text" lang="en"><summary lang="id">Teks dari versi bahasa Inggris<\/summary>/);
    expect(chunk).toContain('Please use complex passwords to help us keep your account secure.');
    expect(chunk.indexOf('Harap perhatikan')).toBeLessThan(chunk.indexOf(escapeHtml(privacyText('id', 'partialNotice'))));
  });

  it('puts the support e-mail in place of the placeholder', () => {
    expect(idPage).toContain(`<a href="mailto:${SUPPORT_EMAIL}">${SUPPORT_EMAIL}</a>`);
    expect(idPage).not.toContain('protected');
    expect(idPage).not.toContain('{{');
  });
});

describe('renderPolicyPage (both pages)', () => {
  for (const [language, page] of [['id', idPage], ['en', enPage]] as const) {
    it(`${language}: has no scripts, inline styles or inline handlers`, () => {
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/\sstyle=/i);
      expect(page).not.toMatch(/<style/i);
      expect(page).not.toMatch(/\son[a-z]+=/i);
      expect(page).not.toContain('javascript:');
    });

    it(`${language}: every contents link has exactly one matching id, and ids are unique`, () => {
      const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
      expect(new Set(ids).size).toBe(ids.length);
      const targets = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
      expect(targets.length).toBeGreaterThan(24);
      for (const target of targets) expect(ids).toContain(target);
      const nav = page.slice(page.indexOf('<nav id="contents"'), page.indexOf('</nav>'));
      const tocTargets = [...nav.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
      expect(tocTargets).toEqual(docs.en.sections.map((s) => `s-${s.id.replace(/\./g, '-')}`));
    });

    it(`${language}: gives every section a heading and a back-to-contents link`, () => {
      const back = escapeHtml(privacyText(language, 'backToTop'));
      for (const s of docs.en.sections) {
        const chunk = sectionChunk(page, `s-${s.id.replace(/\./g, '-')}`);
        expect(chunk).toMatch(s.level === 1 ? /<h2 id="h-[\d-]+">/ : /<h3 id="h-[\d-]+">/);
        expect(chunk).toContain(`<a href="#contents">${back}</a>`);
      }
    });
  }

  it('en: nothing is missing, 4.4 carries the English partial notice and the Indonesian text', () => {
    expect(enPage.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(enPage).not.toContain(escapeHtml(privacyText('en', 'missingNotice')));
    const chunk = sectionChunk(enPage, 's-4-4');
    expect(chunk).toContain(escapeHtml(privacyText('en', 'partialNotice')));
    expect(chunk).toContain('<details class="other-text" lang="id"><summary lang="en">Text from the Indonesian version</summary>');
    expect(chunk).toContain('Harap perhatikan');
    expect(enPage).toContain('Version 1, effective <time dateTime="2026-11-27">27 November 2026</time>');
    expect(enPage).toMatch(/href="\?lang=id"[^>]* lang="id">Baca dalam Bahasa Indonesia<\/a>/);
  });

  it('lists past versions only when there is more than one', () => {
    expect(idPage).not.toContain(privacyText('id', 'pastVersions'));
    const page = render('id', {
      versions: [
        { version: '1', effectiveAt: new Date('2026-11-26T17:00:00Z') },
        { version: '0', effectiveAt: new Date('2025-01-01T00:00:00Z') },
      ],
    });
    expect(page).toContain('<nav class="past-versions" aria-label="Versi sebelumnya"><h2>Versi sebelumnya</h2>');
    expect(page).toContain('<a href="/privacy/0?lang=id">Versi 0, berlaku sejak 1 Januari 2025</a>');
  });
});

describe('renderPolicyPage escaping', () => {
  const hostile = [
    'Policy <b>&</b> "Title"',
    '',
    'Intro with <script>alert(1)</script> & an ampersand > and a quote ".',
    '',
    'First <img src=x onerror=alert(1)>',
    '',
    '1. First <img src=x onerror=alert(1)>',
    '',
    'Write to {{supportEmail}} or </p><script>x</script>.',
  ].join('\n');
  const doc = parsePolicy(hostile, 'en');
  const other: ParsedPolicy = { ...doc, language: 'id' };
  const hostileReport: ParityReport = checkParity({ en: doc, id: other });

  it('escapes text from the document and the e-mail address', () => {
    const page = render('en', {
      doc,
      other,
      report: hostileReport,
      supportEmail: '"><script>alert(1)</script>',
      stylesheetHref: '/a.css?x="><script>',
    });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<b>/);
    expect(page).toContain('Intro with &lt;script&gt;alert(1)&lt;/script&gt; &amp; an ampersand &gt; and a quote &quot;.');
    expect(page).toContain('<title>Policy &lt;b&gt;&amp;&lt;/b&gt; &quot;Title&quot;');
    expect(page).toContain('href="mailto:&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('renders list blocks as ordered lists', () => {
    const withList: ParsedPolicy = {
      ...doc,
      sections: [{ id: '1', level: 1, title: 'First', blocks: [{ kind: 'list', items: ['one <1>', 'two {{supportEmail}}'] }] }],
    };
    const page = render('en', { doc: withList, other: { ...withList, language: 'id' }, report: checkParity({ en: withList, id: { ...withList, language: 'id' } }) });
    expect(page).toContain(`<ol><li>one &lt;1&gt;</li><li>two <a href="mailto:${SUPPORT_EMAIL}">${SUPPORT_EMAIL}</a></li></ol>`);
  });

  it('refuses mismatched languages', () => {
    expect(() => render('en', { doc: docs.id })).toThrow(/doc is id, page is en/);
    expect(() => render('en', { other: docs.en })).toThrow(/other must be the other language/);
  });
});

describe('policy.css', () => {
  const css = readFileSync(`${root}src/server/privacy/policy/policy.css`, 'utf8');
  it('has print rules and loads nothing from elsewhere', () => {
    expect(css).toContain('@media print');
    expect(css).not.toMatch(/url\(|@import/);
  });
});
