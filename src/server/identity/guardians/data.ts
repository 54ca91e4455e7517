import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

/**
 * Data-map declarations of the guardians module (policy 5: a minor needs a parent or guardian's
 * consent). The guardian's email and mobile number are the guardian's own data, not the child's, so
 * they are `general`; they are collected only to ask for and prove that consent (legal basis: the
 * guardian's consent, UU PDP Art. 20(2)(a) and Art. 25), encrypted like every contact value, and
 * erased with the minor's account (the row cascades with `members`).
 */
const guardianContact = (label: PersonalField['label']): PersonalField => ({
  category: 'contact',
  pdpClass: 'general',
  purposes: ['account', 'service_notices'],
  legalBasis: 'consent',
  retention: {
    days: 30,
    from: 'account_deleted',
    reason: "Kept while the minor's account exists (to ask for, confirm and honour the withdrawal of consent) and erased within 30 days after it is deleted; erased at once when the guardian refuses.",
  },
  encrypted: true,
  label,
  erasure: { action: 'delete' },
});

export const guardiansData = declareTable({
  table: 'guardians',
  primaryKey: 'id',
  personal: {
    email: { ...guardianContact({ id: 'Alamat email orang tua atau wali', en: "Parent or guardian's email address" }), display: 'masked' },
    phone: { ...guardianContact({ id: 'Nomor ponsel orang tua atau wali', en: "Parent or guardian's mobile number" }), display: 'masked' },
  },
  nonPersonal: {
    id: 'random guardian identifier (the consent ledger subject)',
    member_id: 'the minor whose account this guardian decides on',
    language: 'language of messages to the guardian',
    status: 'pending, consented, refused or withdrawn',
    invite_hash: 'sha256 of the random invitation token (not derived from any personal value)',
    invite_expires_at: 'invitation expiry time',
    withdraw_hash: 'sha256 of the random withdrawal token (not derived from any personal value)',
    consented_at: 'time the guardian consented',
    withdrawn_at: 'time the guardian withdrew consent',
    created_at: 'time of the request',
    updated_at: 'time of the last change',
  },
  subject: { kind: 'column', column: 'member_id' },
});
