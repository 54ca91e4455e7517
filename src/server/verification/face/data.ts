import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const UNTIL_WITHDRAWN = {
  days: 1,
  from: 'closed' as const,
  reason: 'Kept only while your biometric consent holds: deleted at once, in the same transaction, when you withdraw it or delete your account.',
};

/** Biometric data (UU PDP Art. 4(2)(b): specific personal data), only under the member's explicit consent (P1.5). */
const biometric = (label: PersonalField['label'], retention: PersonalField['retention'] = UNTIL_WITHDRAWN): PersonalField => ({
  category: 'biometric',
  pdpClass: 'specific',
  purposes: ['biometric_verification'],
  legalBasis: 'consent',
  retention,
  encrypted: true,
  label,
  erasure: { action: 'delete' },
  display: 'secret',
});

const usage = (label: PersonalField['label'], retention: PersonalField['retention']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['biometric_verification'],
  legalBasis: 'consent',
  retention,
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

export const faceChecksData = declareTable({
  table: 'face_checks',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    member_id: usage(
      { id: 'Percobaan verifikasi wajah Anda (tantangan, hasil, alasan; tanpa foto)', en: 'Your face verification attempts (challenge, outcome, reason; no photo)' },
      { days: 30, from: 'created', reason: 'Counting attempts (at most 5 a day) and answering questions about a refusal; no image or template is kept in it.' },
    ),
  },
  nonPersonal: {
    id: 'attempt identifier',
    challenge: 'which movement was asked, from a fixed list',
    status: 'open, verified, review or refused',
    reason: 'refusal reason code from a fixed list (no_face, several_faces, …)',
    created_at: 'when the challenge was issued',
    expires_at: 'when the challenge stops being accepted',
    completed_at: 'when the check ended',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const faceTemplatesData = declareTable({
  table: 'face_templates',
  expiry: { action: 'elsewhere', reason: 'Withdrawing consent or a new check deletes the template at once (verification/face).' },
  primaryKey: 'id',
  personal: {
    member_id: usage({ id: 'Bahwa Anda memiliki templat wajah tersimpan', en: 'That you have a stored face template' }, UNTIL_WITHDRAWN),
    data_key: biometric({ id: 'Kunci enkripsi khusus templat wajah Anda', en: 'The encryption key of your face template alone' }),
    embedding: biometric({ id: 'Templat wajah (1024 angka dari swafoto verifikasi; bukan foto)', en: 'Face template (1024 numbers from the verification selfie; not a photo)' }),
  },
  nonPersonal: {
    id: 'template identifier',
    model: 'name of the face model that produced it',
    created_at: 'when it was made',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const faceBadgesData = declareTable({
  table: 'face_badges',
  expiry: { action: 'elsewhere', reason: 'Withdrawing consent deletes the badge at once (verification/face).' },
  primaryKey: 'member_id',
  personal: {
    member_id: usage({ id: 'Lencana "terverifikasi" di profil Anda', en: 'The "verified" badge on your profile' }, UNTIL_WITHDRAWN),
  },
  nonPersonal: {
    check_id: 'the attempt that earned it',
    method: 'automatic or after staff review',
    verified_at: 'when it was earned',
  },
  subject: { kind: 'column', column: 'member_id' },
});

const REVIEW_RETENTION = {
  days: 1,
  from: 'closed' as const,
  reason: 'Only while a reviewer decides a borderline check: the frames and keys are deleted when the case closes; the decision stays with your attempt.',
};

export const faceReviewsData = declareTable({
  table: 'face_reviews',
  expiry: { action: 'delete', clock: ['decided_at'] },
  primaryKey: 'id',
  personal: {
    member_id: usage({ id: 'Peninjauan verifikasi wajah Anda oleh staf', en: 'Staff review of your face verification' }, {
      days: 30,
      from: 'closed',
      reason: 'The decision is kept 30 days after the case closes to answer questions about it; the frames are gone by then.',
    }),
    data_key: biometric({ id: 'Kunci enkripsi swafoto yang sedang ditinjau', en: 'Encryption key of the selfie under review' }, REVIEW_RETENTION),
    embedding: biometric({ id: 'Templat wajah dari swafoto yang ditinjau', en: 'Face template of the selfie under review' }, REVIEW_RETENTION),
    // Numbers, not a face: they stay with the decision they explain, as long as the case record.
    scores: biometric({ id: 'Skor perbandingan wajah dan deteksi keaslian', en: 'Face comparison and authenticity scores' }, {
      days: 30,
      from: 'closed',
      reason: 'The scores the decision rested on, kept with it 30 days after the case closes.',
    }),
    decided_by: {
      ...usage({ id: 'Staf yang memutuskan peninjauan', en: 'Staff member who decided the review' }, {
        days: 30,
        from: 'closed',
        reason: 'Accountability for the decision, kept as long as the case record.',
      }),
      purposes: ['accountability'],
      legalBasis: 'legitimate_interest',
    },
  },
  nonPersonal: {
    id: 'case identifier',
    check_id: 'the attempt under review',
    status: 'open, approved, rejected or withdrawn',
    frames: 'how many frames were submitted',
    created_at: 'when the case opened',
    decided_at: 'when it closed',
  },
  subject: { kind: 'column', column: 'member_id' },
});
