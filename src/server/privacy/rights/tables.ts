/** Kysely table types of rights (restriction) and staff roles; `Database` (platform/db/schema.ts) extends this. */

export const STAFF_ROLES = ['privacy_officer', 'moderator', 'face_reviewer', 'support'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Data-map categories a member may restrict processing of (the rest are needed to run the account). */
export const RESTRICTABLE_CATEGORIES = ['location', 'device', 'usage'] as const;
export type RestrictableCategory = (typeof RESTRICTABLE_CATEGORIES)[number];

/** A role an operator granted to a member (ADR 0012); revoked rows stay as the record. */
export interface StaffRolesTable {
  id: string;
  member_id: string;
  role: StaffRole;
  granted_at: Date;
  /** Who granted it: `operator:cli` today. */
  granted_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** A member's restriction of processing of one data-map category (one row per category while in force). */
export interface ProcessingRestrictionsTable {
  id: string;
  member_id: string;
  category: RestrictableCategory;
  created_at: Date;
}

export interface RightsTables {
  staff_roles: StaffRolesTable;
  processing_restrictions: ProcessingRestrictionsTable;
}
