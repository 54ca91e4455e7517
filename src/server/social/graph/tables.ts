/** Kysely table types of the social graph; `Database` (platform/db/schema.ts) extends this. */
export interface SocialGraphTables {
  connections: ConnectionsTable;
  blocks: BlocksTable;
}

/** One row per direction: a connection between A and B is (A, B) and (B, A). */
export interface ConnectionsTable {
  member_id: string;
  other_id: string;
  created_at: Date;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Date;
}
