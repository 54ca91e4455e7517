/** Kysely table types of chat; `Database` (platform/db/schema.ts) extends this. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ChatTables {}
