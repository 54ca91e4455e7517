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
