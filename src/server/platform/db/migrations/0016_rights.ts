import type { Kysely } from 'kysely';

/** Placeholder: the module that owns this number fills it in. */
export async function up(_db: Kysely<any>): Promise<void> {}
