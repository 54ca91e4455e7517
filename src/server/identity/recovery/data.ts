import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

/** Data-map declarations of the recovery module (password resets, contact changes, compromise reports). */
const memberRef = (label: PersonalField['label'], reason: string): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['account', 'security'],
  legalBasis: 'contract',
  retention: { days: 90, from: 'created', reason },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

export const passwordResetsData = declareTable({
  table: 'password_resets',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    member_id: memberRef(
      { id: 'Permintaan atur ulang kata sandi', en: 'Password reset requests' },
      'Kept 90 days to throttle requests and to answer "did someone try to reset my password?".',
    ),
  },
  nonPersonal: {
    id: 'random reset identifier',
    channel: 'email or sms',
    secret_hash: 'sha256 of a random link token or HMAC of a random 6-digit code (not derived from any personal value)',
    attempts: 'wrong code attempts so far',
    expires_at: 'expiry time',
    used_at: 'time the reset was completed or superseded',
    created_at: 'time requested',
  },
  subject: { kind: 'column', column: 'member_id' },
});

const contactField = (label: PersonalField['label'], encrypted: boolean): PersonalField => ({
  category: 'contact',
  pdpClass: 'general',
  purposes: ['account', 'security'],
  legalBasis: 'contract',
  retention: {
    days: 90,
    from: 'created',
    reason: 'Kept 90 days so the member (and support) can see and undo a contact change made by someone else.',
  },
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const contactChangesData = declareTable({
  table: 'contact_changes',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    member_id: { ...contactField({ id: 'Pemilik perubahan kontak', en: 'Whose contact change it is' }, false), category: 'usage' },
    new_value: contactField({ id: 'Email atau nomor ponsel baru (menunggu konfirmasi)', en: 'New email or mobile number (awaiting confirmation)' }, true),
    old_value: contactField({ id: 'Email atau nomor ponsel sebelumnya', en: 'Previous email or mobile number' }, true),
  },
  nonPersonal: {
    id: 'random change identifier',
    kind: 'email or phone',
    secret_hash: 'sha256 of a random link token or HMAC of a random 6-digit code (not derived from any personal value)',
    attempts: 'wrong code attempts so far',
    expires_at: 'expiry time',
    used_at: 'time the change was confirmed or superseded',
    created_at: 'time requested',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const compromiseReportsData = declareTable({
  table: 'compromise_reports',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    member_id: memberRef(
      { id: 'Laporan akun disusupi (menunggu konfirmasi)', en: '"Account compromised" reports (awaiting confirmation)' },
      'Kept 90 days as the record of who confirmed a lock and when.',
    ),
  },
  nonPersonal: {
    id: 'random report identifier',
    secret_hash: 'sha256 of a random link token (not derived from any personal value)',
    expires_at: 'expiry time',
    used_at: 'time the report was confirmed or superseded',
    created_at: 'time requested',
  },
  subject: { kind: 'column', column: 'member_id' },
});
