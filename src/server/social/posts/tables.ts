/** Kysely table types of updates (posts), likes, comments, notifications; `Database` (platform/db/schema.ts) extends this. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PostsTables {}
