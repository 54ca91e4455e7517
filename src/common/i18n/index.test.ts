import { describe, expect, it } from 'vitest';
import en from './en.json' with { type: 'json' };
import id from './id.json' with { type: 'json' };
import { languageFromAcceptLanguage } from './index.js';

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('shared texts', () => {
  it('has every key in both Indonesian and English', () => {
    expect(keys(id).sort()).toEqual(keys(en).sort());
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
