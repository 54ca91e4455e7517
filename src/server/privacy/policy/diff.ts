import { diffLines, diffWords } from 'diff';

/** A run of text in one column of the diff; `change` marks words only that side has. */
export interface DiffPart {
  text: string;
  change?: 'added' | 'removed';
}

/**
 * One row of the side-by-side diff: a paragraph (line) of the older text beside its counterpart
 * in the newer text. `same` rows are identical; in `changed` rows `old` marks removed words and
 * `new` added ones; a paragraph only one side has leaves the other side empty.
 */
export interface DiffRow {
  kind: 'same' | 'changed';
  old: DiffPart[];
  new: DiffPart[];
}

const lines = (text: string) => text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');

/**
 * Side-by-side diff of two published documents: line level (one paragraph per line in the policy
 * format), then word level inside a block of removed lines replaced by added ones (jsdiff).
 */
export function diffPolicyTexts(oldText: string, newText: string): DiffRow[] {
  const rows: DiffRow[] = [];
  const changes = diffLines(lines(oldText).join('\n') + '\n', lines(newText).join('\n') + '\n');
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    if (!change.added && !change.removed) {
      for (const line of lines(change.value)) rows.push({ kind: 'same', old: [{ text: line }], new: [{ text: line }] });
      continue;
    }
    const removed = change.removed ? lines(change.value) : [];
    const next = changes[i + 1];
    const added = change.added ? lines(change.value) : next?.added ? lines(next.value) : [];
    if (change.removed && next?.added) i++;
    // Pair removed and added paragraphs in order; the rest stand alone.
    const n = Math.max(removed.length, added.length);
    for (let k = 0; k < n; k++) {
      const before = removed[k];
      const after = added[k];
      if (before !== undefined && after !== undefined) {
        const words = diffWords(before, after);
        rows.push({
          kind: 'changed',
          old: words.filter((w) => !w.added).map((w) => (w.removed ? { text: w.value, change: 'removed' as const } : { text: w.value })),
          new: words.filter((w) => !w.removed).map((w) => (w.added ? { text: w.value, change: 'added' as const } : { text: w.value })),
        });
      } else if (before !== undefined) {
        rows.push({ kind: 'changed', old: [{ text: before, change: 'removed' }], new: [] });
      } else if (after !== undefined) {
        rows.push({ kind: 'changed', old: [], new: [{ text: after, change: 'added' }] });
      }
    }
  }
  return rows;
}
