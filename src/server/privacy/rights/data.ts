import { declareTable, type PersonalField } from '../data-map/types.js';
import { codeLabelsFromTexts } from '../data-map/codes.js';

const restriction = (label: PersonalField['label']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['account', 'accountability'],
  legalBasis: 'legal_obligation',
  retention: { days: 1, from: 'closed', reason: 'Kept while the restriction is in force; lifting it deletes the row at once (the request log keeps the request).' },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

/** UU PDP right to restrict processing: one row per restricted data-map category, while in force. */
export const processingRestrictionsData = declareTable({
  table: 'processing_restrictions',
  expiry: { action: 'elsewhere', reason: 'Lifting a restriction deletes its row at once (privacy/rights).' },
  primaryKey: 'id',
  personal: {
    member_id: restriction({ id: 'Pembatasan pemrosesan yang Anda minta', en: 'Restrictions of processing you asked for' }),
    category: { ...restriction({ id: 'Jenis data yang pemrosesannya Anda batasi', en: 'Kind of data whose processing you restricted' }), codes: codeLabelsFromTexts('yourData.categories', ['location', 'device', 'usage']) },
    created_at: restriction({ id: 'Waktu pembatasan dimulai', en: 'When the restriction began' }),
  },
  nonPersonal: {
    id: 'restriction identifier',
  },
  subject: { kind: 'column', column: 'member_id' },
});
