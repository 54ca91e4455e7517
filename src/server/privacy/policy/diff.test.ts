import { describe, expect, it } from 'vitest';
import { diffPolicyTexts, type DiffRow } from './diff.js';
import { validatePolicyChanges } from './changes.js';

const marked = (row: DiffRow, side: 'old' | 'new') => row[side].filter((p) => p.change).map((p) => p.text).join('|');

describe('diffPolicyTexts (side-by-side, paragraphs then words)', () => {
  it('keeps identical paragraphs as same rows and marks only the words that changed', () => {
    const rows = diffPolicyTexts('Title\n\nWe keep data 14 days.\nEnd.', 'Title\nWe keep data 30 days.\n\nEnd.\n');
    expect(rows.map((r) => r.kind)).toEqual(['same', 'changed', 'same']);
    expect(marked(rows[1]!, 'old')).toBe('14');
    expect(marked(rows[1]!, 'new')).toBe('30');
    expect(rows[1]!.old.map((p) => p.text).join('')).toBe('We keep data 14 days.');
    expect(rows[1]!.new.map((p) => p.text).join('')).toBe('We keep data 30 days.');
  });

  it('shows a paragraph only one side has against an empty cell', () => {
    const added = diffPolicyTexts('A.\nB.', 'A.\nNew paragraph.\nB.');
    expect(added[1]).toEqual({ kind: 'changed', old: [], new: [{ text: 'New paragraph.', change: 'added' }] });
    const removed = diffPolicyTexts('A.\nGone.\nB.', 'A.\nB.');
    expect(removed[1]).toEqual({ kind: 'changed', old: [{ text: 'Gone.', change: 'removed' }], new: [] });
  });

  it('finds nothing between a text and itself', () => {
    expect(diffPolicyTexts('A.\nB.', 'A.\nB.').every((r) => r.kind === 'same')).toBe(true);
  });
});

describe('validatePolicyChanges', () => {
  const good = { material: true, reducesRights: false, affectedPurposes: ['research'], changes: { id: ['Satu perubahan.'], en: ['One change.'] } };

  it('accepts a valid file and defaults the kinds', () => {
    expect(validatePolicyChanges(good)).toEqual({ ...good, kinds: [] });
  });

  it('names every problem at once', () => {
    expect(() => validatePolicyChanges({ ...good, material: false, reducesRights: true, kinds: ['IV'] })).toThrow(
      /reduces members' rights must be marked material[\s\S]*only a material version names[\s\S]*only a material version asks/,
    );
    expect(() => validatePolicyChanges({ ...good, kinds: ['VII'] })).toThrow(/\/kinds\/0/);
    expect(() => validatePolicyChanges({ ...good, changes: { id: [], en: [] } })).toThrow(/\/changes\/id/);
  });
});
