import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * Which of `memberIds` carry the "verified" face badge (profiles, discovery and chat show it).
 * A badge exists only while the member's biometric consent holds: withdrawal deletes it.
 */
export async function verifiedMembers(db: Kysely<Database> | Transaction<Database>, memberIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(memberIds)];
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('face_badges').select('member_id').where('member_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.member_id));
}
