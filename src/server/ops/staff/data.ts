import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';
import { codeLabelsFromTexts } from '../../privacy/data-map/codes.js';

const staffField = (label: PersonalField['label']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['security', 'accountability'],
  legalBasis: 'legitimate_interest',
  retention: { days: 5 * 365, from: 'closed', reason: 'Who could read members’ data, and when: kept five years after the role ends, with the audit log.' },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

/** ADR 0012: staff are members with roles an operator granted; revoked rows stay as the record. */
export const staffRolesData = declareTable({
  table: 'staff_roles',
  expiry: { action: 'delete', clock: ['revoked_at'] },
  primaryKey: 'id',
  personal: {
    member_id: staffField({ id: 'Peran staf Anda di Kenalan', en: 'Your staff roles at Kenalan' }),
    role: {
      ...staffField({ id: 'Peran staf (petugas privasi, moderator, …)', en: 'Staff role (privacy officer, moderator, …)' }),
      codes: codeLabelsFromTexts('rights.access.roles', ['privacy_officer', 'moderator', 'face_reviewer', 'support']),
    },
    granted_at: staffField({ id: 'Waktu peran staf diberikan', en: 'When a staff role was granted' }),
    revoked_at: staffField({ id: 'Waktu peran staf dicabut', en: 'When a staff role was revoked' }),
  },
  nonPersonal: {
    id: 'role grant identifier',
    granted_by: 'which operator channel granted it (`operator:cli`), not a person',
    revoked_by: 'which operator channel revoked it (`operator:cli`), not a person',
  },
  subject: { kind: 'column', column: 'member_id' },
});
