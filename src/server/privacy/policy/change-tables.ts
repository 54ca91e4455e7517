/** Kysely table types of policy changes (material changes, re-consent); `Database` (platform/db/schema.ts) extends this. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PolicyChangeTables {}
