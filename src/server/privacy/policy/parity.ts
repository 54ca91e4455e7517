import {
  PREAMBLE_ID,
  compareSectionIds,
  paragraphCount,
  sectionLabel,
  type ParsedPolicy,
  type PolicyLanguage,
  type PolicySection,
} from './parse.js';

/**
 * Compares the language versions of one policy version. The report is plain JSON (it is stored in
 * policy_versions.parity_report) and says, for each language, what a reader of that language does
 * not get in their own language.
 */

export interface MissingSection {
  id: string;
  level: 1 | 2;
  /** The title in the other language (null for untitled subsections such as 4.1). */
  title: string | null;
  /** A label for display: the title, or the first words of the section for untitled ones. */
  label: string;
}

export interface ParagraphCountMismatch {
  /** Section id, or 'preamble'. */
  id: string;
  /** Paragraphs in this language. */
  here: number;
  /** Paragraphs in the other language. */
  other: number;
}

export interface LanguageParity {
  language: PolicyLanguage;
  other: PolicyLanguage;
  /** Sections present in the other language but missing in this one, in document order. */
  missing: MissingSection[];
  /** Sections present in both whose own paragraph counts differ (listed for both languages). */
  paragraphCountMismatches: ParagraphCountMismatch[];
  /** Where this language's text had the support-email placeholder ("[email protected]"): section ids, one per occurrence. */
  placeholders: string[];
}

export interface ParityReport {
  /** True when some section is missing in a language or some paragraph counts differ. */
  hasGaps: boolean;
  languages: Record<PolicyLanguage, LanguageParity>;
}

const LANGUAGE_NAMES: Record<PolicyLanguage, string> = { id: 'Indonesian', en: 'English' };

export function checkParity(docs: Record<PolicyLanguage, ParsedPolicy>): ParityReport {
  for (const language of ['id', 'en'] as const) {
    if (docs[language].language !== language) {
      throw new Error(`checkParity: docs.${language} is a parsed ${docs[language].language} document`);
    }
  }
  const id = compareOne(docs.id, docs.en);
  const en = compareOne(docs.en, docs.id);
  const hasGaps = [id, en].some((l) => l.missing.length > 0 || l.paragraphCountMismatches.length > 0);
  return { hasGaps, languages: { id, en } };
}

function compareOne(doc: ParsedPolicy, other: ParsedPolicy): LanguageParity {
  const here = new Map(doc.sections.map((s) => [s.id, s] as const));
  const missing: MissingSection[] = other.sections
    .filter((s) => !here.has(s.id))
    .sort((a, b) => compareSectionIds(a.id, b.id))
    .map((s: PolicySection) => ({ id: s.id, level: s.level, title: s.title, label: sectionLabel(s) }));

  const paragraphCountMismatches: ParagraphCountMismatch[] = [];
  if (paragraphCount(doc.preamble) !== paragraphCount(other.preamble)) {
    paragraphCountMismatches.push({ id: PREAMBLE_ID, here: paragraphCount(doc.preamble), other: paragraphCount(other.preamble) });
  }
  const shared = other.sections
    .filter((s) => here.has(s.id))
    .sort((a, b) => compareSectionIds(a.id, b.id));
  for (const theirs of shared) {
    const mine = here.get(theirs.id)!;
    const a = paragraphCount(mine.blocks);
    const b = paragraphCount(theirs.blocks);
    if (a !== b) paragraphCountMismatches.push({ id: theirs.id, here: a, other: b });
  }

  return {
    language: doc.language,
    other: other.language,
    missing,
    paragraphCountMismatches,
    placeholders: [...doc.placeholders],
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Plain English lines for the command line and for logs. */
export function formatParityReport(report: ParityReport): string {
  const out: string[] = [];
  out.push(report.hasGaps ? 'Privacy Policy parity: the language versions differ.' : 'Privacy Policy parity: the language versions match.');
  for (const language of ['id', 'en'] as const) {
    const l = report.languages[language];
    const name = LANGUAGE_NAMES[l.language];
    const otherName = LANGUAGE_NAMES[l.other];
    out.push('');
    out.push(`${name} (${l.language}):`);
    if (l.missing.length === 0) {
      out.push(`  Missing sections: none.`);
    } else {
      out.push(`  Missing ${plural(l.missing.length, 'section')} that the ${otherName} text has:`);
      for (const m of l.missing) out.push(`    ${m.id}${m.title === null ? ` (untitled: "${m.label}")` : ` ${m.title}`}`);
    }
    if (l.paragraphCountMismatches.length === 0) {
      out.push(`  Paragraph counts: same as ${otherName} in every shared section.`);
    } else {
      out.push(`  Paragraph counts differ from ${otherName} in ${plural(l.paragraphCountMismatches.length, 'section')}:`);
      for (const m of l.paragraphCountMismatches) {
        const where = m.id === PREAMBLE_ID ? 'introduction' : `section ${m.id}`;
        out.push(`    ${where}: ${plural(m.here, 'paragraph')} in ${name}, ${m.other} in ${otherName}`);
      }
    }
    if (l.placeholders.length === 0) {
      out.push('  Support email placeholder: none.');
    } else {
      const where = l.placeholders.map((p) => (p === PREAMBLE_ID ? 'introduction' : `section ${p}`)).join(', ');
      out.push(`  Support email placeholder replaced ${plural(l.placeholders.length, 'time')}: ${where}.`);
    }
  }
  return out.join('\n');
}
