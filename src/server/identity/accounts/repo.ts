import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, GuardiansTable, GuardianStatus, MemberPhotosTable, MembersTable, VerificationCodesTable } from '../../platform/db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** SQL for members, their photos and verification secrets. Values arrive encrypted or hashed. */
export function makeAccountsRepo() {
  return {
    async insertMember(trx: Transaction<Database>, row: Insertable<MembersTable>): Promise<void> {
      await trx.insertInto('members').values(row).execute();
    },

    async insertPhoto(trx: Transaction<Database>, row: Insertable<MemberPhotosTable>): Promise<void> {
      await trx.insertInto('member_photos').values(row).execute();
    },

    /** A minor's guardian (contact encrypted), written in the sign-up transaction. */
    async insertGuardian(trx: Transaction<Database>, row: Insertable<GuardiansTable>): Promise<void> {
      await trx.insertInto('guardians').values(row).execute();
    },

    async guardianStatus(db: Executor, memberId: string): Promise<GuardianStatus | undefined> {
      const row = await db.selectFrom('guardians').select('status').where('member_id', '=', memberId).executeTakeFirst();
      return row?.status;
    },

    async usernameTaken(db: Executor, usernameNorm: string): Promise<boolean> {
      const row = await db.selectFrom('members').select('id').where('username_norm', '=', usernameNorm).executeTakeFirst();
      return row !== undefined;
    },

    async findMember(db: Executor, id: string) {
      return db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async findMemberForUpdate(trx: Transaction<Database>, id: string) {
      return trx.selectFrom('members').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },

    async findByIdempotencyKey(db: Executor, key: string) {
      return db.selectFrom('members').select(['id', 'status', 'email_bidx']).where('idempotency_key', '=', key).executeTakeFirst();
    },

    async updateMember(
      trx: Transaction<Database>,
      id: string,
      values: Partial<Pick<MembersTable, 'status' | 'email_verified_at' | 'phone_verified_at' | 'updated_at'>>,
    ): Promise<void> {
      await trx.updateTable('members').set(values).where('id', '=', id).execute();
    },

    /** Takes the SMS throttle slot if the last request is older than `before`; false when throttled. */
    async claimSmsSlot(trx: Transaction<Database>, id: string, now: Date, before: Date): Promise<boolean> {
      const result = await trx
        .updateTable('members')
        .set({ sms_requested_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('sms_requested_at', 'is', null), eb('sms_requested_at', '<=', before)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** A new secret replaces every unused one of that channel (only the latest code works). */
    async replaceCode(trx: Transaction<Database>, row: Insertable<VerificationCodesTable>): Promise<void> {
      await trx
        .updateTable('verification_codes')
        .set({ used_at: row.created_at })
        .where('member_id', '=', row.member_id)
        .where('channel', '=', row.channel)
        .where('used_at', 'is', null)
        .execute();
      await trx.insertInto('verification_codes').values(row).execute();
    },

    async latestOpenCodeForUpdate(trx: Transaction<Database>, memberId: string, channel: 'phone' | 'email') {
      return trx
        .selectFrom('verification_codes')
        .selectAll()
        .where('member_id', '=', memberId)
        .where('channel', '=', channel)
        .where('used_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
    },

    async codeBySecretForUpdate(trx: Transaction<Database>, channel: 'phone' | 'email', secretHash: string) {
      return trx
        .selectFrom('verification_codes')
        .selectAll()
        .where('channel', '=', channel)
        .where('secret_hash', '=', secretHash)
        .forUpdate()
        .executeTakeFirst();
    },

    async setAttempts(trx: Transaction<Database>, id: string, attempts: number): Promise<void> {
      await trx.updateTable('verification_codes').set({ attempts }).where('id', '=', id).execute();
    },

    async markUsed(trx: Transaction<Database>, id: string, at: Date): Promise<void> {
      await trx.updateTable('verification_codes').set({ used_at: at }).where('id', '=', id).execute();
    },
  };
}
export type AccountsRepo = ReturnType<typeof makeAccountsRepo>;
