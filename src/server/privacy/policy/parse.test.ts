import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PolicyParseError, SUPPORT_EMAIL_TOKEN, compareSectionIds, parsePolicy, titlesMatch, type ParsedPolicy } from './parse.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const read = (language: 'id' | 'en') => readFileSync(`${root}policy/v1/${language}.txt`, 'utf8');

const EN_IDS = [
  '1', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6',
  '2', '2.1', '2.2',
  '3', '3.1', '3.2', '3.3', '3.4',
  '4', '4.1', '4.2', '4.3', '4.4',
  '5', '6', '7', '8',
];
const ID_IDS = ['1', '1.1', '1.2', '3', '3.1', '3.2', '3.3', '3.4', '4', '4.1', '4.2', '4.3', '4.4', '6', '7', '8'];

function ids(doc: ParsedPolicy): string[] {
  return doc.sections.map((s) => s.id);
}

function section(doc: ParsedPolicy, id: string) {
  const found = doc.sections.find((s) => s.id === id);
  if (!found) throw new Error(`no section ${id}`);
  return found;
}

function texts(doc: ParsedPolicy, id: string): string[] {
  return section(doc, id).blocks.map((b) => (b.kind === 'paragraph' ? b.text : b.items.join('\n')));
}

describe('parsePolicy on the v1 documents', () => {
  const en = parsePolicy(read('en'), 'en');
  const id = parsePolicy(read('id'), 'id');

  it('finds the English structure', () => {
    expect(en.language).toBe('en');
    expect(en.title).toBe('Kenalan Privacy Policy');
    expect(ids(en)).toEqual(EN_IDS);
    expect(en.toc).toHaveLength(8);
    expect(en.toc[0]).toBe('How We Collect and Use Your Personal Information');
    expect(en.toc[7]).toBe('How to Contact Us');
    expect(en.preamble).toHaveLength(3);
    expect(en.preamble[2]).toEqual({ kind: 'paragraph', text: 'This Privacy Policy will help you understand:' });
    expect(section(en, '1.1').title).toBe('To Help You Become Our User');
    expect(section(en, '1.6').title).toBe('Exceptions to Obtaining Authorization and Consent');
    expect(texts(en, '1.6').at(-1)).toMatch(/^If we cease operations/);
    expect(section(en, '4').title).toBe('How We Protect the Security of Your Personal Information');
    expect(section(en, '4.1').title).toBeNull();
    expect(texts(en, '4.1')[0]).toMatch(/^We have adopted reasonably/);
    expect(texts(en, '4.4')).toHaveLength(4);
    expect(texts(en, '4.4')[3]).toMatch(/^Please use complex passwords/);
    expect(section(en, '1').level).toBe(1);
    expect(section(en, '1.3').level).toBe(2);
  });

  it('keeps 3.1.1–3.1.4 as anchored paragraphs inside 3.1', () => {
    const anchors = section(en, '3.1').blocks.flatMap((b) => (b.kind === 'paragraph' && b.anchor ? [b.anchor] : []));
    expect(anchors).toEqual(['3.1.1', '3.1.2', '3.1.3', '3.1.4']);
    expect(section(en, '3.1').blocks).toHaveLength(6);
    expect(section(en, '3.1').blocks[1]).toEqual({
      kind: 'paragraph',
      anchor: '3.1.1',
      text: 'Sharing upon obtaining your express consent: we will share your personal information with another party upon obtaining your express consent.',
    });
  });

  it('finds the Indonesian structure, with its gaps', () => {
    expect(id.title).toBe('Kebijakan Privasi Kenalan');
    expect(ids(id)).toEqual(ID_IDS);
    // The Indonesian table of contents still lists all eight sections.
    expect(id.toc).toHaveLength(8);
    expect(texts(id, '4.4')).toHaveLength(3);
    expect(section(id, '3.1').blocks.filter((b) => b.kind === 'paragraph' && b.anchor)).toHaveLength(4);
  });

  it('replaces the obfuscated support e-mail with a token and reports where', () => {
    for (const doc of [en, id]) {
      expect(doc.placeholders).toEqual(['8']);
      const all = JSON.stringify(doc);
      expect(all).not.toMatch(/protected/);
      expect(texts(doc, '8')[0]).toContain(SUPPORT_EMAIL_TOKEN);
    }
    expect(texts(en, '8')[0]).toBe(
      `You can contact us through the customer service email at ${SUPPORT_EMAIL_TOKEN}, and we will respond to your request within 14 days.`,
    );
  });

  it('is plain JSON (it is stored as jsonb)', () => {
    expect(JSON.parse(JSON.stringify(en))).toEqual(en);
  });
});

describe('parsePolicy robustness', () => {
  const source = read('en');
  const reference = parsePolicy(source, 'en');

  it('parses CRLF and CR line endings identically', () => {
    expect(parsePolicy(source.replace(/\n/g, '\r\n'), 'en')).toEqual(reference);
    expect(parsePolicy(source.replace(/\n/g, '\r'), 'en')).toEqual(reference);
  });

  it('ignores a BOM, trailing spaces, non-breaking spaces and blank-line variations', () => {
    const noisy =
      '\uFEFF' +
      source
        .split('\n')
        .map((line) => (line === '' ? ' \t\u00A0' : `\u00A0${line.replace(/ /g, '  ')}  \t`))
        .join('\n\n\n');
    expect(parsePolicy(noisy, 'en')).toEqual(reference);
    const noBlankLines = source.split('\n').filter((l) => l.trim() !== '').join('\n');
    expect(parsePolicy(noBlankLines, 'en')).toEqual(reference);
  });

  const cases: [string, string, RegExp][] = [
    ['empty text', ' \n\n \r\n', /empty/],
    ['a paragraph instead of a title', 'This is not a title.\n\n1. Section\n', /line 1: .*policy title/],
    ['a numbered first line', '1. Section\n\nText.\n', /line 1/],
    ['no sections', 'Title\n\nSome text.\n', /no numbered sections/],
    ['no table of contents', 'Title\n\nIntro text.\n\n1. First\n\nText.\n', /line 5: no table of contents/],
    ['a subsection before any section', 'Title\n\nFirst\n\n1.1 Oops\n', /line 5: .*top-level section heading/],
    [
      'a section number going backwards',
      'Title\n\nFirst\nSecond\n\n2. Second\n\nText.\n\n1. First\n\nText.\n',
      /line 10: section 1 comes after section 2; section numbers must not go backwards/,
    ],
    [
      'a subsection number going backwards',
      'Title\n\nFirst\n\n1. First\n\n1.2 B\n\ntext.\n\n1.1 A\n',
      /line 11: subsection 1\.1 comes after 1\.2/,
    ],
    [
      'a restarted subsection number going backwards',
      'Title\n\nFirst\n\n1. First\n\n2. Beta\n\n1. Alpha\n',
      /line 9: .*must not go backwards/,
    ],
    ['a subsection of another section', 'Title\n\nFirst\nSecond\n\n1. First\n\n2.1 Wrong\n', /line 8: subsection 2\.1 appears before the heading of section 2/],
    ['a numbered paragraph outside its subsection', 'Title\n\nFirst\n\n1. First\n\n1.1 A\n\n1.2.1 Wrong place.\n', /line 9: numbered paragraph 1\.2\.1 is not inside section 1\.2/],
    ['a control character', 'Title\n\nFirst\n\n1. First\n\nBad \u0007 bell.\n', /line 7: unexpected control character U\+0007/],
  ];

  for (const [name, text, message] of cases) {
    it(`throws a clear error for ${name}`, () => {
      let error: unknown;
      try {
        parsePolicy(text, 'en');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PolicyParseError);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^Cannot structure the en privacy policy/);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('reports the line number on the error object', () => {
    try {
      parsePolicy('Title\n\nFirst\nSecond\n\n2. Second\n\n1. First\n', 'en');
      expect.unreachable();
    } catch (e) {
      expect((e as PolicyParseError).line).toBe(8);
    }
  });

  it('matches table-of-contents entries tolerantly but not loosely', () => {
    expect(titlesMatch('How We Protect Your Personal Information', 'How We Protect the Security of Your Personal Information')).toBe(true);
    expect(titlesMatch('How We Collect and Use Your Personal Information', 'How We Protect Your Personal Information')).toBe(false);
    expect(titlesMatch('How We Use Cookies and Similar Technologies', 'Information Provided by You to Us')).toBe(false);
    expect(titlesMatch('How to Contact Us', 'how to contact us.')).toBe(true);
  });

  it('orders section ids numerically', () => {
    expect(['2', '1.10', '1', '1.2', '10', '3.1'].sort(compareSectionIds)).toEqual(['1', '1.2', '1.10', '2', '3.1', '10']);
  });
});

describe('parsePolicy properties', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', ' ', 'Title', 'First', 'Second', 'Some text.', 'Lead-in:', '\u00A0', '[email\u00A0protected]'),
    fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom('First', 'Second', 'Other', 'Text.')).map(([n, t]) => `${n}. ${t}`),
    fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.constantFrom('Sub', 'A sentence.')).map(
      ([a, b, t]) => `${a}.${b} ${t}`,
    ),
    fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map(
      ([a, b, c]) => `${a}.${b}.${c} Numbered paragraph.`,
    ),
  );
  const lineSoup = fc.array(line, { maxLength: 30 }).map((lines) => lines.join('\n'));

  it('either parses or throws an Error, for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 200 }), lineSoup), (text) => {
        try {
          const doc = parsePolicy(text, 'en');
          expect(typeof doc.title).toBe('string');
          expect(Array.isArray(doc.sections)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(PolicyParseError);
          expect((e as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  // Per-line noise that must not change the result.
  const noise = fc.record({
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    lead: fc.constantFrom('', ' ', '\t', '\u00A0'),
    trail: fc.constantFrom('', ' ', '  ', '\t', '\u00A0', ' \u00A0 '),
    blanks: fc.integer({ min: 0, max: 2 }),
    blankFill: fc.constantFrom('', ' ', '\t\u00A0'),
  });
  function perturb(text: string, noises: { eol: string; lead: string; trail: string; blanks: number; blankFill: string }[]): string {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return lines
      .map((l, i) => {
        const n = noises[i % noises.length]!;
        return `${n.lead}${l}${n.trail}${n.eol}${`${n.blankFill}${n.eol}`.repeat(n.blanks)}`;
      })
      .join('');
  }

  it('is insensitive to line endings, surrounding whitespace and blank lines (v1 documents)', () => {
    for (const language of ['en', 'id'] as const) {
      const text = read(language);
      const reference = parsePolicy(text, language);
      fc.assert(
        fc.property(fc.array(noise, { minLength: 1, maxLength: 20 }), (noises) => {
          expect(parsePolicy(perturb(text, noises), language)).toEqual(reference);
        }),
        { numRuns: 40 },
      );
    }
  });

  // Generated well-formed documents: the parser recovers their structure, whatever the noise.
  const word = fc.constantFrom('data', 'akun', 'privacy', 'kami', 'share', 'simpan', 'consent', 'hapus', 'user', 'mitra', 'cookie', 'izin');
  const titleText = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
  const paragraph = fc.array(word, { minLength: 3, maxLength: 12 }).map((w) => `${w.join(' ')}.`);
  const generated = fc
    .array(fc.record({ paragraphs: fc.array(paragraph, { maxLength: 3 }), subs: fc.array(fc.tuple(titleText, fc.array(paragraph, { maxLength: 3 })), { maxLength: 3 }) }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((sections) => {
      const lines = ['Generated Policy', 'An introduction.', 'Contents follow:'];
      // Distinct top-level titles so no entry matches another section's heading.
      const tops = sections.map((_, i) => `Topic ${'abcdefghij'[i]} heading`);
      lines.push(...tops);
      const expected: string[] = [];
      sections.forEach((s, i) => {
        lines.push(`${i + 1}. ${tops[i]}`, ...s.paragraphs);
        expected.push(String(i + 1));
        s.subs.forEach(([title, paragraphs], j) => {
          lines.push(`${i + 1}.${j + 1} ${title}`, ...paragraphs);
          expected.push(`${i + 1}.${j + 1}`);
        });
      });
      return { text: lines.join('\n\n'), expected, sections };
    });

  it('recovers the structure of generated documents under noise', () => {
    fc.assert(
      fc.property(generated, fc.array(noise, { minLength: 1, maxLength: 8 }), ({ text, expected, sections }, noises) => {
        const doc = parsePolicy(text, 'id');
        expect(doc.sections.map((s) => s.id)).toEqual(expected);
        expect(doc.toc).toHaveLength(sections.length);
        expect(doc.preamble).toHaveLength(2);
        sections.forEach((s, i) => expect(doc.sections.find((x) => x.id === String(i + 1))?.blocks).toHaveLength(s.paragraphs.length));
        expect(parsePolicy(perturb(text, noises), 'id')).toEqual(doc);
      }),
      { numRuns: 200 },
    );
  });
});
