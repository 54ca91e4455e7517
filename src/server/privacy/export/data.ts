import { declareTable } from '../data-map/types.js';

export const rightsRequestsData = declareTable({
  table: 'rights_requests',
  expiry: { action: 'delete', clock: ['received_at'] },
  primaryKey: 'id',
  personal: {
    member_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['accountability'],
      legalBasis: 'legal_obligation',
      retention: { days: 5 * 365, from: 'created', reason: 'Proof that rights requests were answered on time (UU PDP), kept five years.' },
      encrypted: false,
      label: { id: 'Permintaan hak Anda atas data (akses, penghapusan, …)', en: 'Your data-rights requests (access, erasure, …)' },
      erasure: { action: 'keep', legalGround: { id: 'UU PDP: membuktikan bahwa permintaan hak subjek data telah dijawab', en: 'UU PDP: demonstrating that rights requests were answered' }, forDays: 5 * 365 },
    },
  },
  nonPersonal: {
    id: 'request identifier',
    kind: 'kind of request from a fixed list',
    received_at: 'when the request was made',
    due_at: 'legal deadline (3 × 24 hours)',
    completed_at: 'when it was answered',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const dataExportsData = declareTable({
  table: 'data_exports',
  expiry: { action: 'delete', clock: ['created_at'], when: { status: ['expired'] } },
  primaryKey: 'id',
  personal: {
    member_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['account'],
      legalBasis: 'legal_obligation',
      retention: { days: 7, from: 'created', reason: 'An export can be downloaded for 7 days, then the file is deleted.' },
      encrypted: false,
      label: { id: 'Ekspor data Anda', en: 'Your data exports' },
      erasure: { action: 'delete' },
    },
    file_path: {
      category: 'content',
      pdpClass: 'general',
      purposes: ['account'],
      legalBasis: 'legal_obligation',
      retention: { days: 7, from: 'created', reason: 'An export can be downloaded for 7 days, then the file is deleted.' },
      encrypted: false,
      label: { id: 'Berkas ekspor (berisi salinan data Anda)', en: 'Export file (a copy of your data)' },
      erasure: { action: 'delete' },
    },
    // Migration 0016: the file is encrypted at rest with a random key, kept here wrapped by the
    // keyring (so key rotation re-wraps it); deleted with the file by the sweeper.
    file_key: {
      category: 'content',
      pdpClass: 'general',
      purposes: ['account'],
      legalBasis: 'legal_obligation',
      retention: { days: 7, from: 'created', reason: 'Needed to decrypt the export file while it can be downloaded (7 days).' },
      encrypted: true,
      label: { id: 'Kunci enkripsi berkas ekspor', en: 'Encryption key of the export file' },
      erasure: { action: 'delete' },
      display: 'secret',
    },
  },
  nonPersonal: {
    id: 'export identifier',
    request_id: 'the rights request it answers',
    status: 'queued, ready, failed, or expired (file deleted by the sweeper)',
    language: 'language of the readable summary',
    bytes: 'file size',
    created_at: 'when requested',
    ready_at: 'when built',
    expires_at: 'when the download stops working',
    downloaded_at: 'when last downloaded',
  },
  subject: { kind: 'column', column: 'member_id' },
});
