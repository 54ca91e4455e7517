import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';
import { codeLabelsFromTexts } from '../../privacy/data-map/codes.js';

/**
 * Data-map declarations of the accounts module.
 *
 * Decision (NIK): under UU PDP Art. 4 the NIK is general personal data (it is not in the list of
 * specific data), so it is declared `general`; because it is a lifelong identifier whose leak enables
 * fraud, it is nevertheless encrypted (AES-256-GCM) and looked up only through a blind index, and only
 * its last 4 digits are kept in clear (for display and support). Date of birth is treated the same way.
 * A minor's data is "children's data" (specific) under Art. 4(2)(f); every personal column that could
 * reveal more than a handle is encrypted for everyone, so that holds for minors too.
 */
const ACCOUNT_RETENTION = {
  days: 30,
  from: 'account_deleted' as const,
  reason: 'Kept while the account exists and erased within 30 days after it is deleted (policy 1.3).',
};

const memberField = (
  label: PersonalField['label'],
  category: PersonalField['category'],
  encrypted: boolean,
  purposes: PersonalField['purposes'] = ['account'],
): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes,
  legalBasis: 'contract',
  retention: ACCOUNT_RETENTION,
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const membersData = declareTable({
  table: 'members',
  primaryKey: 'id',
  personal: {
    username: memberField({ id: 'Nama pengguna', en: 'Username' }, 'identity', false),
    username_norm: memberField({ id: 'Nama pengguna (bentuk pencarian)', en: 'Username (lookup form)' }, 'identity', false),
    nickname: memberField({ id: 'Nama panggilan', en: 'Nickname' }, 'identity', true),
    gender: { ...memberField({ id: 'Gender', en: 'Gender' }, 'identity', false), codes: codeLabelsFromTexts('signup.genders', ['female', 'male', 'nonbinary', 'unspecified']) },
    email: { ...memberField({ id: 'Alamat email', en: 'Email address' }, 'contact', true, ['account', 'service_notices', 'security']), display: 'masked' },
    email_bidx: {
      ...memberField({ id: 'Indeks pencarian email (tersamar)', en: 'Email lookup index (keyed hash)' }, 'contact', false),
      blindIndexOf: { column: 'email', normalize: 'email' },
    },
    email_verified_at: memberField({ id: 'Waktu email diverifikasi', en: 'When the email was verified' }, 'contact', false, ['account', 'security']),
    phone: { ...memberField({ id: 'Nomor ponsel', en: 'Mobile number' }, 'contact', true, ['account', 'security']), display: 'masked' },
    phone_bidx: {
      // The phone is stored in E.164 already, so the index is over the stored value as is.
      ...memberField({ id: 'Indeks pencarian nomor ponsel (tersamar)', en: 'Mobile number lookup index (keyed hash)' }, 'contact', false),
      blindIndexOf: { column: 'phone', normalize: 'exact' },
    },
    phone_verified_at: memberField({ id: 'Waktu nomor ponsel diverifikasi', en: 'When the mobile number was verified' }, 'contact', false, ['account', 'security']),
    nik: { ...memberField({ id: 'NIK (nomor KTP)', en: 'NIK (national identity number)' }, 'identity', true, ['account', 'security']), display: 'masked' },
    nik_bidx: {
      // The NIK is stored as its 16 digits (separators removed), so the index is over the stored value.
      ...memberField({ id: 'Indeks pencarian NIK (tersamar)', en: 'NIK lookup index (keyed hash)' }, 'identity', false, ['account', 'security']),
      blindIndexOf: { column: 'nik', normalize: 'exact' },
    },
    nik_last4: memberField({ id: '4 digit terakhir NIK', en: 'Last 4 digits of the NIK' }, 'identity', false, ['account', 'security']),
    date_of_birth: { ...memberField({ id: 'Tanggal lahir', en: 'Date of birth' }, 'identity', true, ['account', 'security']), display: 'masked' },
    // Derived from the date of birth and kept in clear because every social query must keep minors and
    // adults apart (P5.2) without decrypting each candidate's birth date; shown masked like the date itself.
    adult_from: {
      ...memberField({ id: 'Tanggal genap 18 tahun', en: 'Date of turning 18' }, 'identity', false, ['account', 'security']),
      display: 'masked',
    },
    password_hash: { ...memberField({ id: 'Hash kata sandi (Argon2id)', en: 'Password hash (Argon2id)' }, 'identity', false, ['account', 'security']), display: 'secret' },
  },
  nonPersonal: {
    id: 'random member identifier',
    language: 'language the member chose for messages',
    status: 'account state',
    idempotency_key: 'random client retry key',
    sms_requested_at: 'time of the last verification SMS request (throttle)',
    created_at: 'time of sign-up',
    updated_at: 'time of the last change',
  },
  subject: { kind: 'column', column: 'id' },
});

export const memberPhotosData = declareTable({
  table: 'member_photos',
  primaryKey: 'id',
  personal: {
    storage_path: memberField({ id: 'Foto profil', en: 'Profile photo' }, 'content', false),
  },
  nonPersonal: {
    id: 'random photo identifier',
    member_id: 'owning member',
    mime: 'image format',
    width: 'pixel width',
    height: 'pixel height',
    bytes: 'file size',
    created_at: 'time uploaded',
    position: 'order on the profile (profiles module)',
    visibility: 'who may see the photo, chosen by the member (profiles module)',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const verificationCodesData = declareTable({
  table: 'verification_codes',
  primaryKey: 'id',
  personal: {},
  nonPersonal: {
    id: 'random identifier',
    member_id: 'member being verified',
    channel: 'phone or email',
    secret_hash: 'HMAC of a random SMS code or sha256 of a random email token (not derived from any personal value)',
    attempts: 'wrong attempts so far',
    expires_at: 'expiry time',
    used_at: 'time the code was used',
    created_at: 'time issued',
  },
  subject: { kind: 'column', column: 'member_id' },
});
