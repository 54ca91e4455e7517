/** Kysely table types of rights requests: correction, restriction, objection, request log; `Database` (platform/db/schema.ts) extends this. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RightsTables {}
