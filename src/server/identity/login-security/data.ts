import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

/** Login security's tables (ADR 0009): brute-force counters, known devices, known networks. */

const security = (field: Omit<PersonalField, 'pdpClass' | 'purposes' | 'legalBasis' | 'erasure'>): PersonalField => ({
  pdpClass: 'general',
  purposes: ['security'],
  legalBasis: 'legitimate_interest',
  erasure: { action: 'delete' },
  ...field,
});

export const loginRateLimitsData = declareTable({
  table: 'login_rate_limits',
  expiry: { action: 'elsewhere', reason: 'The rate limiter deletes each counter an hour after its window ends (login-security/store.ts, clearExpired).' },
  primaryKey: 'key',
  subject: {
    kind: 'none',
    reason: 'Counters keyed by HMACs of an IP address and an account; they hold failure counts only and are deleted within hours.',
  },
  personal: {
    key: security({
      category: 'device',
      encrypted: false,
      display: 'secret',
      retention: {
        days: 2,
        from: 'created',
        reason: 'A failed-sign-in counter lives for its window (at most one day) and is deleted within hours after it ends.',
      },
      label: {
        id: 'Penghitung gagal masuk (kode HMAC dari alamat IP dan akun, bukan IP-nya)',
        en: 'Failed sign-in counter (an HMAC of the IP address and account, not the IP itself)',
      },
    }),
  },
  nonPersonal: {
    points: 'number of failures (or requests) counted in the window',
    expire: 'end of the counting window, epoch milliseconds',
  },
});

export const memberDevicesData = declareTable({
  table: 'member_devices',
  expiry: { action: 'delete', clock: ['last_seen_at'] },
  primaryKey: 'id',
  subject: { kind: 'column', column: 'member_id' },
  personal: {
    member_id: security({
      category: 'usage',
      encrypted: false,
      retention: { days: 400, from: 'closed', reason: 'A device stays known for 400 days after its last sign-in, like its cookie.' },
      label: { id: 'Pemilik perangkat yang dikenal', en: 'Whose known device it is' },
    }),
    device_hash: security({
      category: 'device',
      encrypted: false,
      display: 'secret',
      retention: { days: 400, from: 'closed', reason: 'A device stays known for 400 days after its last sign-in, like its cookie.' },
      label: { id: 'Pengenal perangkat (HMAC dari cookie acak perangkat)', en: 'Device identifier (an HMAC of the random device cookie)' },
    }),
    device_label: security({
      category: 'device',
      encrypted: false,
      retention: { days: 400, from: 'closed', reason: 'Shown in the new-device email and kept as long as the device is known.' },
      label: { id: 'Jenis perangkat dan peramban', en: 'Device and browser type' },
    }),
  },
  nonPersonal: {
    id: 'device row identifier',
    first_seen_at: 'time of the first sign-in from this device',
    last_seen_at: 'time of the latest sign-in from this device',
  },
});

export const memberNetworksData = declareTable({
  table: 'member_networks',
  expiry: { action: 'delete', clock: ['last_seen_at'] },
  primaryKey: 'id',
  subject: { kind: 'column', column: 'member_id' },
  personal: {
    member_id: security({
      category: 'usage',
      encrypted: false,
      retention: { days: 90, from: 'closed', reason: 'A network counts as known for 90 days after the last sign-in from it.' },
      label: { id: 'Pemilik jaringan yang dikenal', en: 'Whose known network it is' },
    }),
    prefix_hash: security({
      category: 'location',
      encrypted: false,
      display: 'secret',
      retention: { days: 90, from: 'closed', reason: 'A network counts as known for 90 days after the last sign-in from it.' },
      label: {
        id: 'Jaringan tempat masuk (HMAC dari awalan IP /24 atau /48, bukan IP-nya)',
        en: 'Network signed in from (an HMAC of the /24 or /48 IP prefix, not the IP)',
      },
    }),
  },
  nonPersonal: {
    id: 'network row identifier',
    first_seen_at: 'time of the first sign-in from this network',
    last_seen_at: 'time of the latest sign-in from this network',
  },
});
