import { declareTable } from '../data-map/types.js';

/**
 * The erasure progress record. The erasure engine does not walk this table (it is the engine's own
 * state); its member id goes to NULL through the foreign key when the member row is deleted, and
 * the receipt address is wiped as soon as the receipt is sent.
 */
export const erasuresData = declareTable({
  table: 'erasures',
  // A finished or cancelled erasure's record goes after 90 days; the rights request and the audit log remain as proof.
  expiry: { action: 'delete', clock: ['requested_at'], when: { state: ['done', 'cancelled'] } },
  primaryKey: 'id',
  personal: {
    member_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['account', 'accountability'],
      legalBasis: 'legal_obligation',
      retention: { days: 90, from: 'created', reason: 'Links the erasure to the account only until the account is deleted at the end of the grace period (at most 90 days); the link is then set to empty.' },
      encrypted: false,
      label: { id: 'Permintaan penghapusan akun Anda', en: 'Your account deletion request' },
      erasure: { action: 'delete' },
    },
    receipt_email: {
      category: 'contact',
      pdpClass: 'general',
      purposes: ['service_notices'],
      legalBasis: 'legal_obligation',
      retention: { days: 1, from: 'account_deleted', reason: 'Kept only to send the erasure receipt, and wiped as soon as it is sent (within a day while sending is retried).' },
      encrypted: true,
      label: { id: 'Alamat email untuk tanda terima penghapusan', en: 'Email address for the erasure receipt' },
      erasure: { action: 'delete' },
      display: 'masked',
    },
  },
  nonPersonal: {
    id: 'erasure identifier',
    request_id: 'the rights request it answers',
    state: 'pending, cancelled, running, erased or done',
    language: 'language of the receipt',
    requested_at: 'when deletion was asked for',
    scheduled_for: 'end of the grace period',
    cancelled_at: 'when the member restored the account',
    started_at: 'when erasure began',
    erased_at: 'when the member row was deleted',
    finished_at: 'when the receipt was sent',
    steps_done: 'names of finished steps (table names, files, jobs)',
    summary: 'counts of rows deleted, anonymized and kept per table; no values',
    attempts: 'how many runs were started',
    claimed_until: 'lease of the run in progress',
    last_error: 'error code of a failed run (never a value)',
  },
  subject: { kind: 'column', column: 'member_id' },
});
