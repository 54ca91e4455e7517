import type { Kysely } from 'kysely';

/**
 * A member in their deletion grace period who signs in and asks to restore the account had the
 * deletion cancelled after the password alone, before their second factor. Now the wish is carried
 * on the sign-in challenge and honoured only once the challenge is passed (identity/sessions, mfa).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signin_challenges').addColumn('restore_deletion', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}
