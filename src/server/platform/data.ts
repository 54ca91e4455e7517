import { declareTable, type PersonalField } from '../privacy/data-map/types.js';

/** Platform tables: what they store, declared for the data map. */

export const cryptoDataKeysData = declareTable({
  table: 'crypto_data_keys',
  primaryKey: 'id',
  personal: {},
  nonPersonal: {
    id: 'key identifier',
    kind: 'key kind',
    wrapped_key: 'data key wrapped by the master key; no personal data',
    master_key_id: 'fingerprint of the wrapping key',
    status: 'key state',
    created_at: 'key metadata',
    retired_at: 'key metadata',
  },
});

export const auditHeadData = declareTable({
  table: 'audit_head',
  primaryKey: 'id',
  personal: {},
  nonPersonal: {
    id: 'singleton row',
    seq: 'chain position',
    hash: 'chain hash',
    start_seq: 'first row still kept (older rows cut by retention)',
    start_prev_hash: 'hash the first kept row links to',
  },
});

const AUDIT_RETENTION = {
  days: 5 * 365,
  from: 'created' as const,
  reason: 'Accountability for how personal data was handled (UU PDP Art. 31), kept five years.',
};

export const auditLogData = declareTable({
  table: 'audit_log',
  expiry: { action: 'auditChain', clock: ['at'] },
  primaryKey: 'seq',
  personal: {
    actor_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['accountability', 'security'],
      legalBasis: 'legal_obligation',
      retention: AUDIT_RETENTION,
      encrypted: false,
      label: { id: 'Pelaku tindakan yang dicatat', en: 'Who performed a recorded action' },
      erasure: { action: 'keep', legalGround: { id: 'UU PDP Pasal 31 (catatan kegiatan pemrosesan)', en: 'UU PDP Art. 31 (record of processing)' }, forDays: 5 * 365 },
    },
    subject_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['accountability'],
      legalBasis: 'legal_obligation',
      retention: AUDIT_RETENTION,
      encrypted: false,
      label: { id: 'Data siapa yang disentuh tindakan yang dicatat', en: 'Whose data a recorded action touched' },
      erasure: { action: 'keep', legalGround: { id: 'UU PDP Pasal 31 (catatan kegiatan pemrosesan)', en: 'UU PDP Art. 31 (record of processing)' }, forDays: 5 * 365 },
    },
  },
  nonPersonal: {
    seq: 'chain position',
    at: 'time of the action',
    actor_type: 'member, staff or system',
    action: 'action name',
    subject_type: 'kind of record touched',
    purpose: 'declared purpose of the action',
    details: 'identifiers and codes only; personal values are never written here (see audit-log.ts)',
    prev_hash: 'chain hash',
    hash: 'chain hash',
  },
  subject: { kind: 'column', column: 'subject_id', where: { subject_type: 'member' } },
});

const devField = (category: PersonalField['category'], label: PersonalField['label']): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['development'],
  legalBasis: 'legitimate_interest',
  retention: { days: 7, from: 'created', reason: 'Development copies of messages are kept one week.' },
  encrypted: true,
  label,
  erasure: { action: 'delete' },
});

export const devMailboxData = declareTable({
  table: 'dev_mailbox',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    to_address: devField('contact', { id: 'Alamat penerima email (pengembangan)', en: 'Email recipient (development)' }),
    subject: devField('content', { id: 'Subjek email (pengembangan)', en: 'Email subject (development)' }),
    raw: devField('content', { id: 'Isi email (pengembangan)', en: 'Email content (development)' }),
  },
  nonPersonal: { id: 'row identifier', created_at: 'time stored' },
  subject: { kind: 'none', reason: 'development outbox: not linked to members, and refused in production' },
});

export const devSmsOutboxData = declareTable({
  table: 'dev_sms_outbox',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    to_number: devField('contact', { id: 'Nomor penerima SMS (pengembangan)', en: 'SMS recipient (development)' }),
    body: devField('content', { id: 'Isi SMS (pengembangan)', en: 'SMS content (development)' }),
  },
  nonPersonal: { id: 'row identifier', created_at: 'time stored' },
  subject: { kind: 'none', reason: 'development outbox: not linked to members, and refused in production' },
});
