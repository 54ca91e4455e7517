import { declareTable } from '../data-map/types.js';

export const policyVersionsData = declareTable({
  table: 'policy_versions',
  primaryKey: 'version',
  personal: {},
  nonPersonal: {
    version: 'policy version',
    effective_at: 'policy metadata',
    published_at: 'policy metadata',
    parity_report: 'comparison of the language versions',
  },
});

export const policyDocumentsData = declareTable({
  table: 'policy_documents',
  primaryKey: 'version',
  personal: {},
  nonPersonal: {
    version: 'policy version',
    language: 'document language',
    title: 'document title',
    sha256: 'document hash',
    source_text: 'the published policy text',
    sections: 'the published policy, parsed',
  },
});

export const policyChangesData = declareTable({
  table: 'policy_changes',
  primaryKey: 'version',
  personal: {},
  nonPersonal: {
    version: 'policy version',
    previous_version: 'the version it replaces',
    material: 'whether the change is material (policy 7)',
    reduces_rights: "whether the change reduces members' rights (needs express consent, policy 7)",
    kinds: 'which material-change kinds (I–VI of policy 7) apply',
    affected_purposes: 'consent purposes the change affects (from a fixed list)',
    summary: 'what changed, in both languages (published text)',
  },
});

const NOTICE_RETENTION = {
  days: 365,
  from: 'created' as const,
  reason: 'Shows that every member was told of a material change (policy 7); kept a year, or until the account is erased.',
};

export const policyNoticesData = declareTable({
  table: 'policy_notices',
  expiry: { action: 'delete', clock: ['sent_at'] },
  primaryKey: 'member_id',
  personal: {
    member_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['service_notices'],
      legalBasis: 'legal_obligation',
      retention: NOTICE_RETENTION,
      encrypted: false,
      label: { id: 'Pemberitahuan perubahan Kebijakan Privasi yang dikirim kepada Anda', en: 'Privacy Policy change notices sent to you' },
      erasure: { action: 'delete' },
    },
  },
  nonPersonal: {
    version: 'policy version the notice was about',
    claimed_at: 'when the sending job took it',
    sent_at: 'when the email was handed to the mail server',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const policyDecisionsData = declareTable({
  table: 'policy_decisions',
  expiry: { action: 'delete', clock: ['at'] },
  primaryKey: 'id',
  personal: {
    member_id: {
      category: 'usage',
      pdpClass: 'general',
      purposes: ['accountability'],
      legalBasis: 'legal_obligation',
      retention: {
        days: 5 * 365,
        from: 'created',
        reason: 'Which version of the Privacy Policy governs you; erased with the account (the acceptance itself stays in the consent ledger as evidence).',
      },
      encrypted: false,
      label: { id: 'Keputusan Anda atas perubahan Kebijakan Privasi', en: 'Your decisions on Privacy Policy changes' },
      erasure: { action: 'delete' },
    },
  },
  nonPersonal: {
    id: 'row identifier',
    version: 'the material version decided on',
    decision: 'accepted or declined',
    governing_version: 'the version whose terms apply to the member afterwards',
    at: 'when decided',
  },
  subject: { kind: 'column', column: 'member_id' },
});
