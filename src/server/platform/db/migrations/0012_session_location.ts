import type { Kysely } from 'kysely';

/**
 * Location from the browser (P1.6): only when the member asks for it on the sessions page and the
 * browser's location permission is granted; rounded to about 1 km and encrypted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('location', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('location_at', 'timestamptz').execute();
}
