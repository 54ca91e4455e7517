import type { Language } from '../../common/i18n/index.js';
import type { Outcome } from '../http.js';
import { getJson, sendJson } from '../rights/api.js';

/** The moderators' API (src/server/ops/moderation/routes.ts) and the staff hub's roles. */

export type Category = 'spam' | 'scam' | 'harassment' | 'hate' | 'sexual_content' | 'minor_safety' | 'impersonation' | 'other';
export type DecisionAction = 'dismiss' | 'warn' | 'suspend';

/** An open case in the queue: no personal data. */
export interface QueueEntry {
  id: string;
  category: Category;
  createdAt: string;
  waitedSeconds: number;
  evidence: number;
  hasMessage: boolean;
}

export interface PublicProfile {
  username: string;
  nickname: string;
  bio?: string;
  city?: string;
  age?: number;
  photos: { id: string }[];
  verified: boolean;
}

/** One open case, as a moderator sees it (the read is on the members' access logs). */
export interface ReportCase {
  id: string;
  category: Category;
  createdAt: string;
  waitedSeconds: number;
  reporter: { memberId: string; username: string; nickname: string } | null;
  reporterBlocked: boolean;
  reported: { memberId: string; status: string; profile: PublicProfile };
  message: string | null;
  evidence: { id: string; from: 'reporter' | 'reported' | 'former_member'; body: string | null; photo: boolean; deleted: boolean; sentAt: string }[];
  otherReports: { open: number; closed: number };
  decisions: DecisionAction[];
}

export const fetchQueue = (language: Language): Promise<Outcome<{ cases: QueueEntry[] }>> => getJson('/api/staff/reports', language);

export const fetchCase = (id: string, language: Language): Promise<Outcome<ReportCase>> => getJson(`/api/staff/reports/${encodeURIComponent(id)}`, language);

export const decideCase = (id: string, decision: DecisionAction, note: string, language: Language): Promise<Outcome<{ decision: 'dismissed' | 'warned' | 'suspended'; sessionsEnded: number }>> =>
  sendJson(`/api/staff/reports/${encodeURIComponent(id)}/decision`, 'POST', { decision, note }, language);

export const fetchStaffRoles = (language: Language): Promise<Outcome<{ roles: string[] }>> => getJson('/api/me/staff-roles', language);
