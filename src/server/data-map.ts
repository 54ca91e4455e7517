import { auditHeadData, auditLogData, cryptoDataKeysData, devMailboxData, devSmsOutboxData } from './platform/data.js';
import { supportTicketsData } from './ops/support/data.js';
import { memberPhotosData, membersData, verificationCodesData } from './identity/accounts/data.js';
import { consentLedgerData } from './privacy/consent/data.js';
import { sessionsData } from './identity/sessions/data.js';
import { loginRateLimitsData, memberDevicesData, memberNetworksData } from './identity/login-security/data.js';
import { compromiseReportsData, contactChangesData, passwordResetsData } from './identity/recovery/data.js';
import { guardiansData } from './identity/guardians/data.js';
import { memberTotpData, passkeysData, recoveryCodesData, signinChallengesData, webauthnChallengesData } from './identity/mfa/data.js';
import { policyChangesData, policyDecisionsData, policyDocumentsData, policyNoticesData, policyVersionsData } from './privacy/policy/data.js';
import { dataExportsData, rightsRequestsData } from './privacy/export/data.js';
import { erasuresData } from './privacy/erasure/data.js';
import { newsletterClicksData, newsletterDeliveriesData, newslettersData } from './marketing/newsletter/data.js';
import { blocksData, connectionsData, kenalanRequestsData, moderationCasesData } from './social/graph/data.js';
import { staffRolesData } from './ops/staff/data.js';
import { processingRestrictionsData } from './privacy/rights/data.js';
import {
  crossBorderActivityData,
  notificationPreferencesData,
  notificationsData,
  postCommentsData,
  postLikesData,
  postPhotosData,
  postsData,
} from './social/posts/data.js';
import { chatConversationsData, chatMembersData, chatMessagesData } from './social/chat/data.js';
import { faceBadgesData, faceChecksData, faceReviewsData, faceTemplatesData } from './verification/face/data.js';
import { memberCellCountsData, memberProfilesData } from './social/profiles/data.js';
import type { PersonalField, TableDeclaration } from './privacy/data-map/types.js';

/**
 * Every table Kenalan stores, declared once. A table missing here fails the schema test;
 * a new module adds its `data.ts` declarations to this list.
 */
export const DATA_MAP: readonly TableDeclaration[] = [
  cryptoDataKeysData,
  auditHeadData,
  auditLogData,
  devMailboxData,
  devSmsOutboxData,
  policyVersionsData,
  policyDocumentsData,
  policyChangesData,
  policyNoticesData,
  policyDecisionsData,
  supportTicketsData,
  consentLedgerData,
  sessionsData,
  loginRateLimitsData,
  memberDevicesData,
  memberNetworksData,
  membersData,
  memberPhotosData,
  verificationCodesData,
  newslettersData,
  newsletterDeliveriesData,
  newsletterClicksData,
  rightsRequestsData,
  dataExportsData,
  erasuresData,
  passwordResetsData,
  contactChangesData,
  compromiseReportsData,
  guardiansData,
  memberTotpData,
  recoveryCodesData,
  passkeysData,
  signinChallengesData,
  webauthnChallengesData,
  connectionsData,
  blocksData,
  memberProfilesData,
  memberCellCountsData,
  kenalanRequestsData,
  moderationCasesData,
  staffRolesData,
  processingRestrictionsData,
  postsData,
  postPhotosData,
  postLikesData,
  postCommentsData,
  crossBorderActivityData,
  notificationsData,
  notificationPreferencesData,
  chatConversationsData,
  chatMembersData,
  chatMessagesData,
  faceChecksData,
  faceTemplatesData,
  faceBadgesData,
  faceReviewsData,
];

/** Tables that are not ours but live in the same database (migration bookkeeping, the job queue's schema). */
export const FOREIGN_SCHEMAS = ['pgboss'] as const;
export const FOREIGN_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const;

export function personalFields(): { table: string; column: string; field: PersonalField }[] {
  return DATA_MAP.flatMap((t) => Object.entries(t.personal).map(([column, field]) => ({ table: t.table, column, field })));
}

export function encryptedColumns(table: string): string[] {
  const declaration = DATA_MAP.find((t) => t.table === table);
  if (!declaration) throw new Error(`Table ${table} is not in the data map`);
  return Object.entries(declaration.personal)
    .filter(([, f]) => f.encrypted)
    .map(([column]) => column);
}
