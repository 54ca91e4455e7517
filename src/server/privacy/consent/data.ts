import { COOKIE_CHOICE_DAYS, COOKIE_CHOICE_PROOF_YEARS } from '../../../common/cookies.js';
import { declareTable, type PersonalField } from '../data-map/types.js';

const LEDGER_RETENTION = {
  days: 5 * 365,
  from: 'account_deleted' as const,
  reason: 'Proof of what was agreed and when (UU PDP Art. 22), kept five years after the account ends.',
};

const evidence = (category: PersonalField['category'], label: PersonalField['label'], encrypted: boolean): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['accountability'],
  legalBasis: 'legal_obligation',
  retention: LEDGER_RETENTION,
  encrypted,
  label,
  erasure: { action: 'keep', legalGround: { id: 'UU PDP Pasal 22 (membuktikan persetujuan)', en: 'UU PDP Art. 22 (demonstrating consent)' }, forDays: 5 * 365 },
});

export const consentLedgerData = declareTable({
  table: 'consent_ledger',
  primaryKey: 'id',
  personal: {
    subject_id: evidence('identity', { id: 'Siapa yang memberi persetujuan', en: 'Who gave the consent' }, false),
    ip: { ...evidence('device', { id: 'Alamat IP saat persetujuan diberikan', en: 'IP address when the consent was given' }, true), display: 'masked' },
    user_agent: evidence('device', { id: 'Peramban saat persetujuan diberikan', en: 'Browser when the consent was given' }, true),
  },
  nonPersonal: {
    id: 'row identifier',
    subject_type: 'member, guardian or visitor',
    event: 'what happened',
    purpose: 'purpose from a fixed list',
    policy_version: 'policy version in force',
    policy_sha256: 'hash of the exact text agreed to',
    language: 'language the policy was shown in',
    at: 'time of the event',
    subject_erased_at: 'when the member was erased; the kept evidence goes five years later (privacy/retention)',
  },
  subject: { kind: 'column', column: 'subject_id', where: { subject_type: 'member' } },
  // A visitor's cookie choice (P2.1) has no account to end: it is in force COOKIE_CHOICE_DAYS, then
  // kept as proof as long as a member's evidence after the account ends.
  withoutAccount: {
    when: { subject_type: ['visitor'] },
    clock: ['at'],
    days: COOKIE_CHOICE_DAYS + COOKIE_CHOICE_PROOF_YEARS * 365,
    reason: {
      id: `Bukti pilihan cookie pengunjung (UU PDP Pasal 22): pilihan berlaku ${COOKIE_CHOICE_DAYS} hari, lalu catatannya disimpan ${COOKIE_CHOICE_PROOF_YEARS} tahun lagi dan dihapus.`,
      en: `Proof of a visitor's cookie choice (UU PDP Art. 22): the choice is in force ${COOKIE_CHOICE_DAYS} days, then its record is kept ${COOKIE_CHOICE_PROOF_YEARS} more years and deleted.`,
    },
  },
});
