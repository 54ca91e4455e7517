/**
 * i18n message keys for the identity validators. The texts live under "identity" in
 * src/common/i18n/en.json and id.json (the tests check every key exists in both).
 */
import type { NikError, NikMismatch } from './nik.js';
import type { PhoneError } from './phone.js';
import type { UsernameError } from './username.js';

export type NikMessageKey = `identity.nik.${NikError | NikMismatch}`;
export type PhoneMessageKey = `identity.phone.${PhoneError}`;
export type UsernameMessageKey = `identity.username.${UsernameError}`;
export type IdentityMessageKey = NikMessageKey | PhoneMessageKey | UsernameMessageKey;

export const NIK_MESSAGE_KEYS: Readonly<Record<NikError | NikMismatch, NikMessageKey>> = Object.freeze({
  required: 'identity.nik.required',
  length: 'identity.nik.length',
  digits: 'identity.nik.digits',
  province: 'identity.nik.province',
  region: 'identity.nik.region',
  birthDate: 'identity.nik.birthDate',
  serial: 'identity.nik.serial',
  birthDateMismatch: 'identity.nik.birthDateMismatch',
  genderMismatch: 'identity.nik.genderMismatch',
});

export const PHONE_MESSAGE_KEYS: Readonly<Record<PhoneError, PhoneMessageKey>> = Object.freeze({
  required: 'identity.phone.required',
  invalid: 'identity.phone.invalid',
  notMobile: 'identity.phone.notMobile',
});

export const USERNAME_MESSAGE_KEYS: Readonly<Record<UsernameError, UsernameMessageKey>> = Object.freeze({
  required: 'identity.username.required',
  length: 'identity.username.length',
  characters: 'identity.username.characters',
  start: 'identity.username.start',
  reserved: 'identity.username.reserved',
});

export function nikMessageKey(error: NikError | NikMismatch): NikMessageKey {
  return NIK_MESSAGE_KEYS[error];
}

export function phoneMessageKey(error: PhoneError): PhoneMessageKey {
  return PHONE_MESSAGE_KEYS[error];
}

export function usernameMessageKey(error: UsernameError): UsernameMessageKey {
  return USERNAME_MESSAGE_KEYS[error];
}

/** Every identity message key, for completeness checks. */
export const IDENTITY_MESSAGE_KEYS: readonly IdentityMessageKey[] = Object.freeze([
  ...Object.values(NIK_MESSAGE_KEYS),
  ...Object.values(PHONE_MESSAGE_KEYS),
  ...Object.values(USERNAME_MESSAGE_KEYS),
]);
