import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

/**
 * Data-map declarations of second factors and sign-in challenges (ADR 0008). A TOTP secret is
 * encrypted (it must be read back to check codes); recovery codes are argon2id hashes; a passkey
 * is a public key plus the name the member gave it (encrypted: members type their own words).
 * Challenge rows hold only hashes and die within minutes.
 */
const WHILE_ACCOUNT = {
  days: 30,
  from: 'account_deleted' as const,
  reason: 'A second factor exists while the member keeps it on; removed at once when they turn it off, and with the account.',
};
const CHALLENGE_RETENTION = {
  days: 1,
  from: 'created' as const,
  reason: 'A sign-in challenge lives 5 minutes; expired rows are worthless and deleted within a day.',
};

const factor = (
  label: PersonalField['label'],
  category: PersonalField['category'],
  encrypted: boolean,
  retention: PersonalField['retention'] = WHILE_ACCOUNT,
): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['account', 'security'],
  legalBasis: 'contract',
  retention,
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const memberTotpData = declareTable({
  table: 'member_totp',
  subject: { kind: 'column', column: 'member_id' },
  primaryKey: 'member_id',
  personal: {
    member_id: factor({ id: 'Pemilik aplikasi autentikator', en: 'Whose authenticator app it is' }, 'usage', false),
    secret: { ...factor({ id: 'Kunci rahasia aplikasi autentikator (TOTP)', en: 'Authenticator app secret key (TOTP)' }, 'identity', true), display: 'secret' },
  },
  nonPersonal: {
    confirmed_at: 'time the member confirmed the app with a first code (null while pending)',
    last_used_step: 'the 30-second step of the last accepted code, so a code is never accepted twice',
    created_at: 'time set up',
  },
});

export const recoveryCodesData = declareTable({
  table: 'recovery_codes',
  subject: { kind: 'column', column: 'member_id' },
  primaryKey: 'id',
  personal: {
    member_id: factor({ id: 'Pemilik kode pemulihan', en: 'Whose recovery code it is' }, 'usage', false),
  },
  nonPersonal: {
    id: 'random identifier',
    code_hash: 'argon2id hash of a random one-time code (not derived from any personal value)',
    used_at: 'time the code was used (each code works once)',
    created_at: 'time issued',
  },
});

export const passkeysData = declareTable({
  table: 'passkeys',
  subject: { kind: 'column', column: 'member_id' },
  primaryKey: 'id',
  personal: {
    member_id: factor({ id: 'Pemilik passkey', en: 'Whose passkey it is' }, 'usage', false),
    credential_id: { ...factor({ id: 'Pengenal passkey (dibuat oleh perangkat)', en: 'Passkey identifier (made by the device)' }, 'device', false), display: 'secret' },
    public_key: { ...factor({ id: 'Kunci publik passkey', en: 'Passkey public key' }, 'device', false), display: 'secret' },
    name: factor({ id: 'Nama passkey yang Anda berikan', en: 'The name you gave the passkey' }, 'device', true),
    transports: factor({ id: 'Cara perangkat passkey terhubung (USB, NFC, bawaan, …)', en: 'How the passkey device connects (USB, NFC, built-in, …)' }, 'device', false),
    last_used_at: factor({ id: 'Terakhir kali passkey dipakai', en: 'When the passkey was last used' }, 'usage', false),
  },
  nonPersonal: {
    id: 'random identifier',
    counter: 'signature counter the authenticator reports (clone detection)',
    device_type: 'single-device or synced passkey (WebAuthn flag)',
    backed_up: 'whether the passkey is backed up (WebAuthn flag)',
    created_at: 'time registered',
  },
});

export const signinChallengesData = declareTable({
  table: 'signin_challenges',
  expiry: { action: 'delete', clock: ['created_at'] },
  subject: { kind: 'column', column: 'member_id' },
  primaryKey: 'id',
  personal: {
    member_id: factor({ id: 'Anggota yang sedang masuk', en: 'Member who is signing in' }, 'usage', false, CHALLENGE_RETENTION),
  },
  nonPersonal: {
    id: 'random identifier',
    browser_hash: 'sha256 of the random token in the short-lived challenge cookie',
    reason: 'second factor or extra check for a risky sign-in',
    methods: 'which ways of passing the challenge were offered',
    attempts: 'wrong answers so far',
    code_channel: 'email or SMS, when a code was asked for',
    code_hash: 'HMAC of the random 6-digit code sent (not derived from any personal value)',
    code_expires_at: 'expiry of that code',
    code_requested_at: 'time a code was last asked for (throttling)',
    codes_sent: 'how many codes were asked for',
    webauthn_challenge: 'random WebAuthn challenge for a passkey answer',
    restore_deletion: 'whether passing the challenge also cancels the pending deletion of the account (asked at sign-in)',
    expires_at: 'expiry time (5 minutes)',
    used_at: 'time the challenge was passed or abandoned (single use)',
    created_at: 'time opened',
  },
});

export const webauthnChallengesData = declareTable({
  table: 'webauthn_challenges',
  expiry: { action: 'delete', clock: ['created_at'] },
  subject: { kind: 'column', column: 'member_id' },
  primaryKey: 'id',
  personal: {
    member_id: factor({ id: 'Anggota yang mendaftarkan passkey', en: 'Member registering a passkey' }, 'usage', false, CHALLENGE_RETENTION),
  },
  nonPersonal: {
    id: 'random identifier',
    purpose: 'passkey registration or passwordless sign-in',
    challenge: 'random WebAuthn challenge',
    expires_at: 'expiry time (5 minutes)',
    used_at: 'time used (single use)',
    created_at: 'time issued',
  },
});
