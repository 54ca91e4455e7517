import { describe, expect, it } from 'vitest';
import en from '../../common/i18n/en.json' with { type: 'json' };
import id from '../../common/i18n/id.json' with { type: 'json' };
import { EMPTY_SIGNUP_VALUES, SIGNUP_FIELDS, needsGuardian, todayInJakarta, validateSignUp, type SignUpValues } from './validate.js';

const AT = '\u0040';
const TODAY = '2026-01-15';
const PHOTO = { size: 200_000, type: 'image/jpeg' };

const valid: SignUpValues = {
  username: 'budi_95',
  nickname: 'Budi',
  gender: 'male',
  dateOfBirth: '1995-03-12',
  nik: '3174051203950001',
  email: `budi${AT}contoh.id`,
  phone: '0812 3456 7890',
  guardianEmail: '',
  guardianPhone: '',
  password: 'Senja merah di Pelabuhan Ratu 77',
  acceptPolicy: true,
};

function lookup(tree: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), tree);
}

describe('validateSignUp', () => {
  it('accepts a complete, consistent form', () => {
    expect(validateSignUp(valid, PHOTO, TODAY)).toEqual({});
  });

  it('explains every empty field with a key that exists in both languages', () => {
    const issues = validateSignUp(EMPTY_SIGNUP_VALUES, null, TODAY);
    // The guardian fields belong to minors only; an empty date of birth makes no one a minor.
    expect(Object.keys(issues).sort()).toEqual(SIGNUP_FIELDS.filter((f) => f !== 'guardianEmail' && f !== 'guardianPhone').sort());
    for (const issue of Object.values(issues)) {
      expect(typeof lookup(en, issue.key), issue.key).toBe('string');
      expect(typeof lookup(id, issue.key), issue.key).toBe('string');
    }
    expect(issues.nik?.key).toBe('identity.nik.required');
    expect(issues.photo?.key).toBe('accounts.fields.photoRequired');
    expect(issues.acceptPolicy?.key).toBe('accounts.fields.acceptPolicy');
  });

  it('compares the NIK with the date of birth and gender (a woman adds 40 to the day)', () => {
    expect(validateSignUp({ ...valid, dateOfBirth: '1995-03-13' }, PHOTO, TODAY).nik?.key).toBe('identity.nik.birthDateMismatch');
    expect(validateSignUp({ ...valid, gender: 'female' }, PHOTO, TODAY).nik?.key).toBe('identity.nik.genderMismatch');
    expect(validateSignUp({ ...valid, gender: 'female', nik: '3174055203950001' }, PHOTO, TODAY)).toEqual({});
    expect(validateSignUp({ ...valid, gender: 'nonbinary' }, PHOTO, TODAY)).toEqual({});
  });

  it('checks username, phone, email, date, password length and the photo', () => {
    const issues = validateSignUp(
      { ...valid, username: 'admin', phone: '021 555 1234', email: 'budi', dateOfBirth: '2030-01-01', password: 'pendek' },
      { size: 11 * 1024 * 1024, type: 'image/jpeg' },
      TODAY,
    );
    expect(issues.username?.key).toBe('identity.username.reserved');
    expect(issues.phone?.key).toBe('identity.phone.notMobile');
    expect(issues.email?.key).toBe('accounts.fields.emailInvalid');
    expect(issues.dateOfBirth?.key).toBe('accounts.fields.dateOfBirthFuture');
    expect(issues.password).toEqual({ key: 'password.problems.tooShort', params: { min: 10 } });
    expect(issues.photo).toEqual({ key: 'signup.errors.photoTooLarge', params: { maxMegabytes: 10 } });
    expect(validateSignUp(valid, { size: 1000, type: 'image/gif' }, TODAY).photo?.key).toBe('media.unsupportedType');
    expect(validateSignUp({ ...valid, dateOfBirth: '1995-02-30' }, PHOTO, TODAY).dateOfBirth?.key).toBe('accounts.fields.dateOfBirth');
  });

  it('asks a minor (under 18 at the Jakarta date) for a guardian with their own email and phone', () => {
    // Born 2008-01-16: 17 on 2026-01-15, 18 the next day.
    const teen: SignUpValues = { ...valid, dateOfBirth: '2008-01-16', nik: '3174051601080001' };
    expect(needsGuardian('2008-01-16', TODAY)).toBe(true);
    expect(needsGuardian('2008-01-15', TODAY)).toBe(false);
    expect(needsGuardian('2008-01', TODAY)).toBe(false);
    expect(needsGuardian('2030-01-01', TODAY)).toBe(false);
    expect(validateSignUp(teen, PHOTO, TODAY)).toEqual({ guardianEmail: { key: 'guardian.fields.emailRequired' }, guardianPhone: { key: 'guardian.fields.phoneRequired' } });
    expect(validateSignUp({ ...teen, guardianEmail: 'ibu', guardianPhone: '021 555 1234' }, PHOTO, TODAY)).toEqual({
      guardianEmail: { key: 'accounts.fields.emailInvalid' },
      guardianPhone: { key: 'identity.phone.notMobile' },
    });
    expect(validateSignUp({ ...teen, guardianEmail: ` BUDI${AT}contoh.id`, guardianPhone: '+62 812-3456-7890' }, PHOTO, TODAY)).toEqual({
      guardianEmail: { key: 'guardian.fields.sameEmail' },
      guardianPhone: { key: 'guardian.fields.samePhone' },
    });
    expect(validateSignUp({ ...teen, guardianEmail: `ibu${AT}contoh.id`, guardianPhone: '0813 1111 2222' }, PHOTO, TODAY)).toEqual({});
    for (const key of ['guardian.fields.emailRequired', 'guardian.fields.phoneRequired', 'guardian.fields.sameEmail', 'guardian.fields.samePhone']) {
      expect(typeof lookup(en, key), key).toBe('string');
      expect(typeof lookup(id, key), key).toBe('string');
    }
  });

  it('reads today in Jakarta', () => {
    expect(todayInJakarta(new Date('2026-01-14T17:30:00Z'))).toBe('2026-01-15');
    expect(todayInJakarta(new Date('2026-01-14T16:30:00Z'))).toBe('2026-01-14');
  });
});
