import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { Database, GuardiansTable } from '../../platform/db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** SQL for guardians. Contact values arrive encrypted; secrets only as sha256 hashes. */
export function makeGuardiansRepo() {
  return {
    async insert(trx: Transaction<Database>, row: Insertable<GuardiansTable>): Promise<void> {
      await trx.insertInto('guardians').values(row).execute();
    },

    async find(db: Executor, id: string) {
      return db.selectFrom('guardians').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async findForUpdate(trx: Transaction<Database>, id: string) {
      return trx.selectFrom('guardians').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },

    async byMember(db: Executor, memberId: string) {
      return db.selectFrom('guardians').selectAll().where('member_id', '=', memberId).executeTakeFirst();
    },

    async byMemberForUpdate(trx: Transaction<Database>, memberId: string) {
      return trx.selectFrom('guardians').selectAll().where('member_id', '=', memberId).forUpdate().executeTakeFirst();
    },

    async byInviteHash(db: Executor, hash: string) {
      return db.selectFrom('guardians').selectAll().where('invite_hash', '=', hash).executeTakeFirst();
    },

    async byInviteHashForUpdate(trx: Transaction<Database>, hash: string) {
      return trx.selectFrom('guardians').selectAll().where('invite_hash', '=', hash).forUpdate().executeTakeFirst();
    },

    async byWithdrawHash(db: Executor, hash: string) {
      return db.selectFrom('guardians').selectAll().where('withdraw_hash', '=', hash).executeTakeFirst();
    },

    async byWithdrawHashForUpdate(trx: Transaction<Database>, hash: string) {
      return trx.selectFrom('guardians').selectAll().where('withdraw_hash', '=', hash).forUpdate().executeTakeFirst();
    },

    async update(trx: Transaction<Database>, id: string, values: Updateable<GuardiansTable>): Promise<void> {
      await trx.updateTable('guardians').set(values).where('id', '=', id).execute();
    },

    /** The minor's member row, locked: every change to a minor's status goes through this lock. */
    async memberForUpdate(trx: Transaction<Database>, memberId: string) {
      return trx.selectFrom('members').selectAll().where('id', '=', memberId).forUpdate().executeTakeFirst();
    },

    async member(db: Executor, memberId: string) {
      return db.selectFrom('members').selectAll().where('id', '=', memberId).executeTakeFirst();
    },

    async setMemberStatus(trx: Transaction<Database>, memberId: string, status: 'active' | 'suspended', at: Date): Promise<void> {
      await trx.updateTable('members').set({ status, updated_at: at }).where('id', '=', memberId).execute();
    },

    async photoCount(trx: Transaction<Database>, memberId: string): Promise<number> {
      const row = await trx
        .selectFrom('member_photos')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('member_id', '=', memberId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Deletes the member; photos' rows, verification codes, sessions and the guardian row cascade. */
    async deleteMember(trx: Transaction<Database>, memberId: string): Promise<void> {
      await trx.deleteFrom('members').where('id', '=', memberId).execute();
    },

    /** Ends every live session of the member; returns how many. */
    async revokeSessions(trx: Transaction<Database>, memberId: string, at: Date): Promise<number> {
      const result = await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
export type GuardiansRepo = ReturnType<typeof makeGuardiansRepo>;
