import { describe, expect, it } from 'vitest';
import { chooseLanguage, languageFromTag } from './language.js';

describe('chooseLanguage', () => {
  it('prefers ?lang= in the URL over everything else', () => {
    expect(chooseLanguage({ search: '?lang=en', stored: 'id', preferred: ['id-ID'] })).toBe('en');
    expect(chooseLanguage({ search: '?x=1&lang=id', stored: 'en', preferred: ['en-GB'] })).toBe('id');
  });

  it('ignores an unsupported ?lang= and uses the stored choice next', () => {
    expect(chooseLanguage({ search: '?lang=fr', stored: 'en', preferred: ['id'] })).toBe('en');
  });

  it('falls back to the browser languages, mapping "in" to Indonesian', () => {
    expect(chooseLanguage({ search: '', stored: null, preferred: ['fr-FR', 'en-US'] })).toBe('en');
    expect(chooseLanguage({ search: '', stored: 'xx', preferred: ['in-ID', 'en'] })).toBe('id');
  });

  it('defaults to Indonesian', () => {
    expect(chooseLanguage({ search: '', stored: null, preferred: [] })).toBe('id');
    expect(chooseLanguage({ search: '', stored: null, preferred: ['ja-JP'] })).toBe('id');
  });
});

describe('languageFromTag', () => {
  it('reads region and legacy tags', () => {
    expect(languageFromTag('id-ID')).toBe('id');
    expect(languageFromTag('IN')).toBe('id');
    expect(languageFromTag('en_GB')).toBe('en');
    expect(languageFromTag('')).toBeUndefined();
    expect(languageFromTag('ms-MY')).toBeUndefined();
  });
});
