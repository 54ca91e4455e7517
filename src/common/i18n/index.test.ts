import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { languageFromAcceptLanguage, texts } from './index.js';

const { id, en } = texts;

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('shared texts', () => {
  it('has every key in both Indonesian and English', () => {
    expect(keys(id).sort()).toEqual(keys(en).sort());
  });

  it('gives every module file its own top-level keys, so no module silently overrides another', () => {
    const dir = new URL('./', import.meta.url);
    const files = ['id.json', ...readdirSync(new URL('modules/', dir)).filter((f) => f.endsWith('.id.json')).map((f) => `modules/${f}`)];
    const owner = new Map<string, string>();
    for (const file of files) {
      for (const key of Object.keys(JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object)) {
        expect(owner.get(key), `${key} is in both ${owner.get(key)} and ${file}`).toBeUndefined();
        owner.set(key, file);
        expect(id, `${file} is not imported in index.ts`).toHaveProperty(key);
      }
    }
  });
});

describe('languageFromAcceptLanguage', () => {
  it('honours q-values and order, maps "in" to Indonesian, ignores what we do not speak', () => {
    expect(languageFromAcceptLanguage('fr-FR, en;q=0.8, id;q=0.9')).toBe('id');
    expect(languageFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(languageFromAcceptLanguage('in-ID')).toBe('id');
    expect(languageFromAcceptLanguage('id;q=0, en;q=0.1')).toBe('en');
    expect(languageFromAcceptLanguage('ms-MY, *;q=0.5')).toBeUndefined();
    expect(languageFromAcceptLanguage(undefined)).toBeUndefined();
    expect(languageFromAcceptLanguage(';;;,q=,')).toBeUndefined();
  });
});
