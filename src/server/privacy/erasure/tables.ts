/** Kysely table types of erasure (account deletion, grace period, receipts); `Database` (platform/db/schema.ts) extends this. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ErasureTables {}
