import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parsePolicy, type ParsedPolicy } from './parse.js';
import { checkParity, formatParityReport } from './parity.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const en = parsePolicy(readFileSync(`${root}policy/v1/en.txt`, 'utf8'), 'en');
const id = parsePolicy(readFileSync(`${root}policy/v1/id.txt`, 'utf8'), 'id');

describe('checkParity on v1', () => {
  const report = checkParity({ id, en });

  it('reports exactly the known gaps', () => {
    expect(report.hasGaps).toBe(true);
    expect(report.languages.id.language).toBe('id');
    expect(report.languages.id.other).toBe('en');
    expect(report.languages.id.missing.map((m) => m.id)).toEqual(['1.3', '1.4', '1.5', '1.6', '2', '2.1', '2.2', '5']);
    expect(report.languages.en.missing).toEqual([]);
    expect(report.languages.id.paragraphCountMismatches).toEqual([{ id: '4.4', here: 3, other: 4 }]);
    expect(report.languages.en.paragraphCountMismatches).toEqual([{ id: '4.4', here: 4, other: 3 }]);
    expect(report.languages.id.placeholders).toEqual(['8']);
    expect(report.languages.en.placeholders).toEqual(['8']);
  });

  it("gives the missing sections' titles in the other language", () => {
    expect(report.languages.id.missing).toEqual([
      { id: '1.3', level: 2, title: 'Information We Collect During Your Use of the Services', label: 'Information We Collect During Your Use of the Services' },
      { id: '1.4', level: 2, title: 'To Provide You with Security Safeguards', label: 'To Provide You with Security Safeguards' },
      { id: '1.5', level: 2, title: 'Other Purposes', label: 'Other Purposes' },
      { id: '1.6', level: 2, title: 'Exceptions to Obtaining Authorization and Consent', label: 'Exceptions to Obtaining Authorization and Consent' },
      { id: '2', level: 1, title: 'How We Use Cookies and Similar Technologies', label: 'How We Use Cookies and Similar Technologies' },
      { id: '2.1', level: 2, title: 'Cookies', label: 'Cookies' },
      { id: '2.2', level: 2, title: 'Web Beacons and Pixel Tags', label: 'Web Beacons and Pixel Tags' },
      { id: '5', level: 1, title: 'How We Process the Personal Information of Minors', label: 'How We Process the Personal Information of Minors' },
    ]);
  });

  it('is plain JSON (stored in policy_versions.parity_report)', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('formats as plain English lines', () => {
    const text = formatParityReport(report);
    expect(text).toContain('Privacy Policy parity: the language versions differ.');
    expect(text).toContain('Indonesian (id):');
    expect(text).toContain('  Missing 8 sections that the English text has:');
    expect(text).toContain('    1.3 Information We Collect During Your Use of the Services');
    expect(text).toContain('    5 How We Process the Personal Information of Minors');
    expect(text).toContain('    section 4.4: 3 paragraphs in Indonesian, 4 in English');
    expect(text).toContain('English (en):\n  Missing sections: none.');
    expect(text).toContain('    section 4.4: 4 paragraphs in English, 3 in Indonesian');
    expect(text).toContain('Support email placeholder replaced 1 time: section 8.');
    expect(text).not.toMatch(/[<>]/);
  });
});

describe('checkParity', () => {
  const asIndonesian = (doc: ParsedPolicy): ParsedPolicy => ({ ...doc, language: 'id' });

  it('finds no gaps when a document is compared with itself', () => {
    for (const doc of [en, id]) {
      const report = checkParity({ en: { ...doc, language: 'en' }, id: asIndonesian(doc) });
      expect(report.hasGaps).toBe(false);
      for (const l of ['id', 'en'] as const) {
        expect(report.languages[l].missing).toEqual([]);
        expect(report.languages[l].paragraphCountMismatches).toEqual([]);
      }
    }
    expect(formatParityReport(checkParity({ en, id: asIndonesian(en) }))).toContain('the language versions match');
  });

  it('reports untitled sections by their first words and preamble differences', () => {
    const trimmed: ParsedPolicy = {
      ...asIndonesian(en),
      preamble: en.preamble.slice(1),
      sections: en.sections.filter((s) => s.id !== '4.2'),
    };
    const report = checkParity({ en, id: trimmed });
    expect(report.languages.id.missing).toEqual([
      { id: '4.2', level: 2, title: null, label: 'We have an industry-leading data security management system…' },
    ]);
    expect(report.languages.id.paragraphCountMismatches).toEqual([{ id: 'preamble', here: 2, other: 3 }]);
    const text = formatParityReport(report);
    expect(text).toContain('4.2 (untitled: "We have an industry-leading data security management system…")');
    expect(text).toContain('introduction: 2 paragraphs in Indonesian, 3 in English');
  });

  it('refuses documents under the wrong language key', () => {
    expect(() => checkParity({ en: id, id: en })).toThrow(/docs\.id is a parsed en document/);
  });
});
