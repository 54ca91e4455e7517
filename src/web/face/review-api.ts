import type { Language } from '../../common/i18n/index.js';
import type { Outcome } from '../http.js';
import { getJson, sendJson } from '../rights/api.js';

/** An open case in the face reviewers' queue: ids and times only (no personal data). */
export interface ReviewQueueEntry {
  id: string;
  frames: number;
  createdAt: string;
  waitedSeconds: number;
}

/** One open case, as a face reviewer sees it (the read is on the member's access log). */
export interface ReviewCase {
  id: string;
  memberId: string;
  challenge: string;
  frames: number;
  profilePhotos: number;
  createdAt: string;
  rejectReasons: string[];
  thresholds: { match: number; review: number };
  scores: { similarity: number; real: number; live: number; yaw: number[]; happy: number[] };
}

export type ReviewDecision = { decision: 'approved' } | { decision: 'rejected'; reason: string };

export const reviewFrameUrl = (id: string, n: number) => `/api/staff/face-reviews/${id}/frames/${n}`;
export const reviewProfilePhotoUrl = (id: string, n: number) => `/api/staff/face-reviews/${id}/profile-photos/${n}`;

export const fetchReviewQueue = (language: Language): Promise<Outcome<{ cases: ReviewQueueEntry[] }>> => getJson('/api/staff/face-reviews', language);

export const fetchReviewCase = (id: string, language: Language): Promise<Outcome<ReviewCase>> => getJson(`/api/staff/face-reviews/${encodeURIComponent(id)}`, language);

export const decideReview = (id: string, decision: ReviewDecision, language: Language): Promise<Outcome<{ status: string }>> =>
  sendJson(`/api/staff/face-reviews/${encodeURIComponent(id)}/decision`, 'POST', decision, language);
