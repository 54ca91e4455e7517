/** Kysely table types of face verification; `Database` (platform/db/schema.ts) extends this. */

export const FACE_CHALLENGES = ['turn_left', 'turn_right', 'smile'] as const;
export type FaceChallenge = (typeof FACE_CHALLENGES)[number];

export type FaceCheckStatus = 'open' | 'verified' | 'review' | 'refused';

/** One verification attempt: the challenge asked, its expiry and the outcome. No image, no template. */
export interface FaceChecksTable {
  id: string;
  member_id: string;
  challenge: FaceChallenge;
  status: FaceCheckStatus;
  /** Refusal reason code (no_face, several_faces, …) or null. */
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

/** The verified member's face template: the embedding sealed with its own data key, which the keyring wraps. */
export interface FaceTemplatesTable {
  id: string;
  member_id: string;
  /** `enc:v1:` (keyring, `face_templates.data_key`) of this template's own 32-byte key. */
  data_key: string;
  /** `enc:v1:` (keyring) of the base64 AES-256-GCM sealing of the float32 embedding under `data_key`. */
  embedding: string;
  /** Which model produced it (templates of another model are not comparable). */
  model: string;
  created_at: Date;
}

/** The public "verified" badge (shown in discovery and chat). */
export interface FaceBadgesTable {
  member_id: string;
  check_id: string;
  method: 'automatic' | 'review';
  verified_at: Date;
}

export type FaceReviewStatus = 'open' | 'approved' | 'rejected' | 'withdrawn';

/** A borderline check waiting for a face reviewer; its frames are encrypted files while it is open. */
export interface FaceReviewsTable {
  id: string;
  check_id: string;
  member_id: string;
  status: FaceReviewStatus;
  /** The case's own data key (keyring-wrapped); nulled when the case closes, with the frame files deleted. */
  data_key: string | null;
  /** The selfie embedding sealed with `data_key` (becomes the template if approved). */
  embedding: string | null;
  /** Encrypted JSON of the scores the reviewer sees (similarity, antispoof, liveness, movement). */
  scores: string;
  frames: number;
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}

export interface FaceTables {
  face_checks: FaceChecksTable;
  face_templates: FaceTemplatesTable;
  face_badges: FaceBadgesTable;
  face_reviews: FaceReviewsTable;
}
