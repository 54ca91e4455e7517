import { describe, expect, it } from 'vitest';
import { SUPPORT_LIMITS } from '../../common/schemas/support.js';
import { EMPTY_SUPPORT_VALUES, toRequestBody, validateSupportRequest } from './validate.js';

const at = '\u0040';
const valid = { name: 'Siti Rahma', email: `siti${at}contoh.id`, topic: 'account', message: 'Saya tidak bisa masuk ke akun saya.' };

describe('validateSupportRequest (shared TypeBox schema)', () => {
  it('accepts a complete request', () => {
    expect(validateSupportRequest(toRequestBody(valid, 'id'))).toEqual({});
  });

  it('reports every empty field as required or as a choice to make', () => {
    expect(validateSupportRequest(toRequestBody(EMPTY_SUPPORT_VALUES, 'id'))).toEqual({
      name: { code: 'required' },
      email: { code: 'required' },
      topic: { code: 'choice' },
      message: { code: 'required' },
    });
  });

  it('treats whitespace-only answers as empty', () => {
    const issues = validateSupportRequest(toRequestBody({ ...valid, name: '   ', message: '  \n ' }, 'en'));
    expect(issues).toEqual({ name: { code: 'required' }, message: { code: 'required' } });
  });

  it('explains length and format problems with their limits', () => {
    const issues = validateSupportRequest(
      toRequestBody({ ...valid, email: 'siti.contoh.id', topic: 'refund', message: 'Halo', name: 'x'.repeat(SUPPORT_LIMITS.name + 1) }, 'en'),
    );
    expect(issues).toEqual({
      name: { code: 'tooLong', params: { max: SUPPORT_LIMITS.name } },
      email: { code: 'email' },
      topic: { code: 'choice' },
      message: { code: 'tooShort', params: { min: SUPPORT_LIMITS.messageMin } },
    });
  });

  it('trims the answers it sends and adds the UI language', () => {
    expect(toRequestBody({ ...valid, email: ` siti${at}contoh.id `, name: ' Siti ' }, 'en')).toEqual({
      ...valid,
      name: 'Siti',
      language: 'en',
    });
  });
});
