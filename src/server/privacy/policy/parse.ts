/**
 * Parser for the published Privacy Policy text (one file per language, e.g. policy/v1/en.txt).
 *
 * Input format (what the seed looks like, and what every later version must look like):
 *
 *   Title line                         ("Kenalan Privacy Policy")
 *   preamble paragraphs                (one paragraph per line)
 *   table of contents                  (one top-level section title per line, no numbers)
 *   "1. Title"                         top-level section; its title is entry 1 of the table of contents
 *   "1. Title" / "2.1 Title"           subsections: inside a section, numbering may restart at "1."
 *                                      (section 1 of v1 does this) or be written "2.1 Title"
 *   "4.1 A long sentence …."           a numbered paragraph that opens subsection 4.1 (title null)
 *   "3.1.1 A long sentence …."         a numbered paragraph inside subsection 3.1 (anchor "3.1.1")
 *
 * A "N. Title" line is a top-level heading exactly when its title matches entry N of the table of
 * contents (tolerantly: v1's headings and TOC entries differ slightly for section 4); otherwise it is
 * a restarted-numbering subsection of the current section. That is the only way to tell "3. …" after
 * 1.2 in the Indonesian v1 text (a top-level section) from "3. …" after 1.2 in the English text (1.3).
 *
 * Every non-blank line is one unit (a title, a heading or one paragraph), so blank lines are optional
 * separators: any number of them, or none, gives the same result. Line endings (LF, CRLF, CR), a
 * byte-order mark, trailing/leading whitespace, runs of whitespace and non-breaking spaces are
 * normalised away before structuring. Numbers are structural: they are removed from the text and kept
 * in `PolicySection.id` / `Block.anchor` (a renderer prints them again).
 *
 * The Cloudflare e-mail obfuscation artifact "[email protected]" (the seed has a U+00A0 between the
 * words) is replaced by the token {{supportEmail}} in block text; `placeholders` lists where.
 *
 * Text that cannot be structured throws a PolicyParseError naming the line.
 */

export type PolicyLanguage = 'id' | 'en';

export const SUPPORT_EMAIL_TOKEN = '{{supportEmail}}';

/** Pseudo section id used for the preamble in placeholder lists and parity reports. */
export const PREAMBLE_ID = 'preamble';

/**
 * A block of body text. The v1 parser only produces paragraphs (the "(I) … (XI)" items stay
 * paragraphs, in both languages, so that paragraph counts compare like with like); the list variant
 * exists for renderers and later formats.
 */
export type Block =
  | { kind: 'paragraph'; text: string; anchor?: string }
  | { kind: 'list'; items: string[] };

export interface PolicySection {
  /** '1', '1.1', '3.1', '4.2'. The parent of a level-2 section is the part before the dot. */
  id: string;
  level: 1 | 2;
  /** The heading text without its number; null for subsections that open with a numbered paragraph (4.1–4.4). */
  title: string | null;
  /** The section's own text, not including its subsections. */
  blocks: Block[];
}

export interface ParsedPolicy {
  language: PolicyLanguage;
  title: string;
  /** Paragraphs between the title and the table of contents (including "This Privacy Policy will help you understand:"). */
  preamble: Block[];
  /** Table of contents entries as written; entry i is the title of top-level section i + 1. */
  toc: string[];
  /** Flat list in document order: each level-1 section is followed by its level-2 sections. */
  sections: PolicySection[];
  /** Section id (or 'preamble') of every support-email placeholder replaced by {{supportEmail}}, one entry per occurrence, in document order. */
  placeholders: string[];
}

export class PolicyParseError extends Error {
  /** 1-based line number in the input, or null when the problem is not tied to a line. */
  readonly line: number | null;
  constructor(language: string, line: number | null, reason: string, lineText?: string) {
    const where = line === null ? '' : ` at line ${line}`;
    const quoted = lineText === undefined ? '' : ` (line ${line}: "${excerpt(lineText, 80)}")`;
    super(`Cannot structure the ${language} privacy policy${where}: ${reason}${quoted}`);
    this.name = 'PolicyParseError';
    this.line = line;
  }
}

interface Line {
  no: number;
  text: string;
}

const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
// \s covers tab, VT, FF, NBSP (U+00A0), U+2000–U+200A, U+202F, U+205F, U+3000 …
const WHITESPACE_RUN = /\s+/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]/;
const PLACEHOLDER = /\[\s*email\s*protected\s*\]/gi;

const TOP = /^(\d{1,3})\.\s+(\S.*)$/;
const SUB = /^(\d{1,3})\.(\d{1,3})\.?\s+(\S.*)$/;
const ANCHORED = /^(\d{1,3})\.(\d{1,3})((?:\.\d{1,3})+)\.?\s+(\S.*)$/;

/** Parses one language file of the policy. Throws PolicyParseError (an Error) on text it cannot structure. */
export function parsePolicy(text: string, language: PolicyLanguage): ParsedPolicy {
  if (typeof text !== 'string') throw new TypeError('parsePolicy: text must be a string');
  if (language !== 'id' && language !== 'en') throw new TypeError(`parsePolicy: unsupported language ${String(language)}`);
  const fail: (line: Line | null, reason: string) => never = (line, reason) => {
    throw new PolicyParseError(language, line?.no ?? null, reason, line?.text);
  };

  const lines = normaliseLines(text, language);
  const first = lines[0];
  if (!first) return fail(null, 'the text is empty; expected the policy title on the first line');
  if (isNumbered(first.text) || !isTitleLike(first.text)) {
    fail(first, 'expected the policy title (a short line without a number or final punctuation) on the first non-blank line');
  }

  // The first numbered line must be the heading of a top-level section.
  const bodyStart = lines.findIndex((l, i) => i > 0 && isNumbered(l.text));
  const heading = lines[bodyStart];
  if (bodyStart < 0 || !heading) return fail(null, 'no numbered sections found; expected a line like "1. How We Collect …"');
  const topMatch = TOP.exec(heading.text);
  if (!topMatch || !isTitleLike(topMatch[2] ?? '')) {
    return fail(heading, 'the first numbered line must be a top-level section heading like "1. Title"');
  }
  const firstNumber = Number(topMatch[1]);
  const firstTitle = topMatch[2] ?? '';

  // Table of contents: the run of title-like lines right before the first heading, starting at the
  // entry for section 1 (the entry that matches the first heading sits at position firstNumber).
  let runStart = bodyStart;
  while (runStart - 1 >= 1 && isTitleLike(lines[runStart - 1]!.text)) runStart -= 1;
  const run = lines.slice(runStart, bodyStart);
  const matchAt = run.findIndex((l) => titlesMatch(l.text, firstTitle));
  const tocStart = matchAt - (firstNumber - 1);
  if (run.length === 0 || matchAt < 0 || tocStart < 0) {
    fail(
      heading,
      `no table of contents: section ${firstNumber} ("${excerpt(firstTitle, 60)}") must be listed, one title per line, ` +
        'in a table of contents before the first section',
    );
  }
  const toc = run.slice(tocStart).map((l) => l.text);
  const preambleLines = [...lines.slice(1, runStart), ...run.slice(0, tocStart)];
  const preamble: Block[] = preambleLines.map((l) => ({ kind: 'paragraph', text: l.text }));

  const sections: PolicySection[] = [];
  let top: PolicySection | null = null;
  let topNumber = 0;
  let sub: PolicySection | null = null;
  let subNumber = 0;
  let lastAnchor: number[] = [];

  for (const line of lines.slice(bodyStart)) {
    const anchored = ANCHORED.exec(line.text);
    if (anchored) {
      const [, a, b, rest = '', body = ''] = anchored;
      const parentId = `${Number(a)}.${Number(b)}`;
      const anchorId = parentId + rest.split('.').map((n) => (n === '' ? '' : String(Number(n)))).join('.');
      if (!sub || sub.id !== parentId) {
        fail(line, `numbered paragraph ${anchorId} is not inside section ${parentId}`);
      }
      const numbers = anchorId.split('.').map(Number);
      if (compareNumberLists(numbers, lastAnchor) <= 0) {
        fail(line, `numbered paragraph ${anchorId} comes after ${lastAnchor.join('.')}; numbers must increase`);
      }
      lastAnchor = numbers;
      sub.blocks.push({ kind: 'paragraph', text: body, anchor: anchorId });
      continue;
    }

    const dotted = SUB.exec(line.text);
    if (dotted) {
      const [, a, b, body = ''] = dotted;
      const n = Number(a);
      const m = Number(b);
      if (n !== topNumber) {
        fail(
          line,
          n < topNumber
            ? `subsection ${n}.${m} appears inside section ${topNumber}; section numbers must not go backwards`
            : `subsection ${n}.${m} appears before the heading of section ${n}`,
        );
      }
      if (m <= subNumber) {
        fail(line, `subsection ${n}.${m} comes after ${n}.${subNumber}; section numbers must not go backwards`);
      }
      sub = isTitleLike(body)
        ? { id: `${n}.${m}`, level: 2, title: body, blocks: [] }
        : { id: `${n}.${m}`, level: 2, title: null, blocks: [{ kind: 'paragraph', text: body }] };
      sections.push(sub);
      subNumber = m;
      lastAnchor = [];
      continue;
    }

    const numbered = TOP.exec(line.text);
    if (numbered && isTitleLike(numbered[2] ?? '')) {
      const n = Number(numbered[1]);
      const title = numbered[2] ?? '';
      const tocTitle = toc[n - 1];
      if (tocTitle !== undefined && titlesMatch(tocTitle, title)) {
        if (n <= topNumber) {
          fail(line, `section ${n} comes after section ${topNumber}; section numbers must not go backwards`);
        }
        top = { id: String(n), level: 1, title, blocks: [] };
        sections.push(top);
        topNumber = n;
        sub = null;
        subNumber = 0;
        lastAnchor = [];
        continue;
      }
      // Numbering restarted inside a top-level section (section 1 of v1): a subsection.
      if (n <= subNumber) {
        fail(
          line,
          `"${n}. ${excerpt(title, 40)}" is neither section ${n} of the table of contents nor a subsection after ` +
            `${topNumber}.${subNumber}; section numbers must not go backwards`,
        );
      }
      sub = { id: `${topNumber}.${n}`, level: 2, title, blocks: [] };
      sections.push(sub);
      subNumber = n;
      lastAnchor = [];
      continue;
    }

    const current = sub ?? top;
    if (!current) return fail(line, 'text before the first section');
    current.blocks.push({ kind: 'paragraph', text: line.text });
  }

  const placeholders: string[] = [];
  const replace = (owner: string) => (block: Block): Block => {
    if (block.kind === 'list') {
      return { kind: 'list', items: block.items.map((item) => replacePlaceholders(item, owner, placeholders)) };
    }
    const out: Block = { kind: 'paragraph', text: replacePlaceholders(block.text, owner, placeholders) };
    if (block.anchor !== undefined) out.anchor = block.anchor;
    return out;
  };

  return {
    language,
    title: first.text,
    preamble: preamble.map(replace(PREAMBLE_ID)),
    toc,
    sections: sections.map((s) => ({ ...s, blocks: s.blocks.map(replace(s.id)) })),
    placeholders,
  };
}

function replacePlaceholders(text: string, owner: string, found: string[]): string {
  return text.replace(PLACEHOLDER, () => {
    found.push(owner);
    return SUPPORT_EMAIL_TOKEN;
  });
}

function normaliseLines(text: string, language: string): Line[] {
  const out: Line[] = [];
  const raw = text.split(LINE_BREAK);
  raw.forEach((value, index) => {
    const cleaned = value.replace(INVISIBLE, '').replace(WHITESPACE_RUN, ' ').trim();
    if (cleaned === '') return;
    const control = CONTROL.exec(cleaned);
    if (control) {
      const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      throw new PolicyParseError(language, index + 1, `unexpected control character U+${code}`, cleaned);
    }
    out.push({ no: index + 1, text: cleaned });
  });
  return out;
}

function isNumbered(text: string): boolean {
  return TOP.test(text) || SUB.test(text) || ANCHORED.test(text);
}

/** A heading-like line: short, and not ending like a sentence or a lead-in (".", ":", ";", ","). */
function isTitleLike(text: string): boolean {
  return text.length > 0 && text.length <= 200 && !/[.;:,!]["'”’)\]]*$/.test(text);
}

function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * Whether a table-of-contents entry names a heading: equal after normalising case and punctuation;
 * or every word of the shorter one appears in the longer one, which has at most twice as many words
 * (v1: "How We Protect Your Personal Information" vs "How We Protect the Security of Your Personal
 * Information"); or a Dice coefficient of at least 0.8 over the word sets (a small edit). Only entry N
 * is ever compared with a heading numbered N.
 */
export function titlesMatch(a: string, b: string): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return false;
  if (wa.join(' ') === wb.join(' ')) return true;
  const sa = new Set(wa);
  const sb = new Set(wb);
  const [small, large] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
  let shared = 0;
  for (const w of small) if (large.has(w)) shared += 1;
  if (shared === small.size && small.size * 2 >= large.size) return true;
  return (2 * shared) / (sa.size + sb.size) >= 0.8;
}

function compareNumberLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Orders section ids numerically: '1' < '1.2' < '1.10' < '2'. */
export function compareSectionIds(a: string, b: string): number {
  return compareNumberLists(a.split('.').map(Number), b.split('.').map(Number));
}

/** The id of the level-1 section a section belongs to ('3' for '3.1'). */
export function topLevelId(id: string): string {
  return id.split('.')[0] ?? id;
}

/** Number of paragraphs (list items count as one block) in a section's own text. */
export function paragraphCount(blocks: readonly Block[]): number {
  return blocks.length;
}

/** A short label for untitled sections: the first words of the first paragraph, with an ellipsis. */
export function sectionLabel(section: PolicySection, maxWords = 8): string {
  if (section.title !== null) return section.title;
  const first = section.blocks[0];
  const text = first === undefined ? '' : first.kind === 'paragraph' ? first.text : (first.items[0] ?? '');
  const all = text.split(' ');
  const head = all.slice(0, maxWords).join(' ').replace(/[\s,;:.]+$/, '');
  return all.length > maxWords ? `${head}…` : head;
}

function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
