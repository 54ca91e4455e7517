import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Database, SupportTicketsTable } from '../../platform/db/schema.js';

/** SQL for support tickets. Values arrive already encrypted; this layer never sees plaintext. */
export function makeSupportRepo() {
  return {
    async nextTicketNumber(trx: Transaction<Database>, year: number): Promise<string> {
      const { rows } = await sql<{ n: string }>`SELECT nextval('support_ticket_number_seq')::text AS n`.execute(trx);
      return `KNL-${year}-${rows[0]!.n.padStart(6, '0')}`;
    },

    async insert(trx: Transaction<Database>, row: Insertable<SupportTicketsTable>): Promise<void> {
      await trx.insertInto('support_tickets').values(row).execute();
    },

    async findByIdempotencyKey(db: Kysely<Database> | Transaction<Database>, key: string) {
      return db.selectFrom('support_tickets').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    },

    async findById(db: Kysely<Database>, id: string) {
      return db.selectFrom('support_tickets').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
export type SupportRepo = ReturnType<typeof makeSupportRepo>;
