import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const relationship = (label: PersonalField['label']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: { days: 30, from: 'account_deleted', reason: 'Kept while the member keeps it; removed when either member ends it, and within 30 days after either deletes the account.' },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

/** Who is connected to whom (both directions stored); part of the service the member asked for. */
export const connectionsData = declareTable({
  table: 'connections',
  primaryKey: 'member_id',
  personal: {
    other_id: relationship({ id: 'Koneksi (anggota lain)', en: 'Connection (the other member)' }),
    created_at: relationship({ id: 'Waktu terhubung', en: 'When you connected' }),
  },
  nonPersonal: { member_id: 'the member whose connection this row is' },
  subject: { kind: 'column', column: 'member_id' },
});

/** Blocks the member made. Kept as long as the block stands, for the safety of the member who blocked. */
export const blocksData = declareTable({
  table: 'blocks',
  primaryKey: 'blocker_id',
  personal: {
    blocked_id: { ...relationship({ id: 'Anggota yang Anda blokir', en: 'Member you blocked' }), purposes: ['account', 'security'] },
    created_at: { ...relationship({ id: 'Waktu memblokir', en: 'When you blocked' }), purposes: ['account', 'security'] },
  },
  nonPersonal: { blocker_id: 'the member who blocked' },
  subject: { kind: 'column', column: 'blocker_id' },
});
