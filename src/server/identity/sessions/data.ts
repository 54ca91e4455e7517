import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const device = (label: PersonalField['label'], encrypted: boolean): PersonalField => ({
  category: 'device',
  pdpClass: 'general',
  purposes: ['account', 'security'],
  legalBasis: 'contract',
  retention: { days: 90, from: 'closed', reason: 'Shown on the sessions page and used to spot unusual sign-ins; kept 90 days after the session ends.' },
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const sessionsData = declareTable({
  table: 'sessions',
  expiry: { action: 'delete', clock: ['revoked_at', 'expires_at'] },
  primaryKey: 'id',
  personal: {
    member_id: { ...device({ id: 'Pemilik sesi', en: 'Whose session it is' }, false), category: 'usage' },
    device_label: device({ id: 'Perangkat dan peramban sesi', en: 'Device and browser of a session' }, false),
    ip: { ...device({ id: 'Alamat IP saat masuk', en: 'IP address at sign-in' }, true), display: 'masked' },
    user_agent: device({ id: 'Identitas peramban saat masuk', en: 'Browser identification at sign-in' }, true),
    // login-security (ADR 0009): the known device and the approximate place (city, country from the IP).
    device_id: { ...device({ id: 'Perangkat dikenal asal sesi', en: 'Known device a session came from' }, false), purposes: ['security'] },
    place: { ...device({ id: 'Perkiraan tempat saat masuk (kota, negara)', en: 'Approximate place at sign-in (city, country)' }, true), category: 'location' },
    // P1.6: only when the member shares it on the sessions page and the browser's permission allows it.
    location: {
      ...device({ id: 'Lokasi dari peramban yang Anda bagikan (sekitar 1 km)', en: 'Browser location you shared (about 1 km)' }, true),
      category: 'location',
      legalBasis: 'consent',
      display: 'masked',
    },
    location_at: { ...device({ id: 'Waktu Anda membagikan lokasi', en: 'When you shared your location' }, false), category: 'location', legalBasis: 'consent' },
  },
  nonPersonal: {
    id: 'session identifier',
    token_hash: 'sha256 of the random session token (the token itself is only in the cookie)',
    created_at: 'session time',
    last_seen_at: 'session time',
    expires_at: 'session time',
    revoked_at: 'session time',
  },
  subject: { kind: 'column', column: 'member_id' },
});
