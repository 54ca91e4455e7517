import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import type { SupportTicketRequest, SupportTicketResponse } from '../../../common/schemas/support.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { AuditActor } from '../../platform/audit/events.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import type { SupportRepo } from './repo.js';

/** The policy's promise (section 8): an answer within 14 days. */
export const ANSWER_WITHIN_DAYS = 14;

const normalizeEmail = NORMALIZERS.email;

interface Deps {
  db: Kysely<Database>;
  repo: SupportRepo;
  keyring: Keyring;
  jobs: JobQueue;
  clock?: () => Date;
}

export function makeSupportService({ db, repo, keyring, jobs, clock = () => new Date() }: Deps) {
  const encrypt = (column: string, value: string) => keyring.encrypt(value, `support_tickets.${column}`);
  const decrypt = (column: string, value: string) => keyring.decrypt(value, `support_tickets.${column}`);

  function toResponse(row: { number: string; topic: string; language: Language; created_at: Date; due_at: Date }): SupportTicketResponse {
    return {
      number: row.number,
      topic: row.topic,
      language: row.language,
      createdAt: row.created_at.toISOString(),
      dueAt: row.due_at.toISOString(),
    };
  }

  /** A retried request with the same key returns the first ticket; the same key with other content is refused. */
  async function replay(key: string, input: SupportTicketRequest): Promise<{ ticket: SupportTicketResponse; created: false } | undefined> {
    const existing = await repo.findByIdempotencyKey(db, key);
    if (!existing) return undefined;
    const same =
      decrypt('name', existing.name) === input.name.trim() &&
      normalizeEmail(decrypt('email', existing.email)) === normalizeEmail(input.email) &&
      decrypt('message', existing.message) === input.message &&
      existing.topic === input.topic;
    if (!same) throw new AppError('idempotency_conflict', 409, 'idempotency key reused with different content');
    return { ticket: toResponse(existing as typeof existing & { language: Language }), created: false };
  }

  /** The ticket row, its audit record and its confirmation-email job, inside the caller's transaction. */
  async function insertTicket(
    trx: Transaction<Database>,
    input: SupportTicketRequest,
    language: Language,
    idempotencyKey: string | null,
    actor: AuditActor,
    now: Date,
  ) {
    const id = crypto.randomUUID();
    const number = await repo.nextTicketNumber(trx, now.getUTCFullYear());
    const values = {
      id,
      number,
      idempotency_key: idempotencyKey,
      name: encrypt('name', input.name.trim()),
      email: encrypt('email', input.email.trim()),
      email_bidx: keyring.blindIndex(normalizeEmail(input.email), 'support_tickets.email'),
      topic: input.topic,
      message: encrypt('message', input.message),
      language,
      created_at: now,
      due_at: new Date(now.getTime() + ANSWER_WITHIN_DAYS * 24 * 3600 * 1000),
    };
    await repo.insert(trx, values);
    await appendAudit(
      trx,
      actor,
      { action: 'support.ticket_filed', subjectType: 'support_ticket', subjectId: id, details: { number, topic: input.topic } },
      { purpose: 'support', at: now },
    );
    await jobs.send(trx, 'support.send-confirmation', { ticketId: id });
    return values;
  }

  return {
    /**
     * Files a ticket on behalf of another module, inside its transaction (e.g. the recovery
     * module's "my account is compromised" action, where the lock and the ticket go together).
     */
    async fileTicketIn(trx: Transaction<Database>, input: SupportTicketRequest & { language: Language }, actor: AuditActor) {
      const row = await insertTicket(trx, input, input.language, null, actor, clock());
      return { id: row.id, ...toResponse(row) };
    },

    /** Files a ticket, its audit record and its confirmation-email job in one transaction. */
    async fileTicket(
      input: SupportTicketRequest,
      context: { language: Language; idempotencyKey?: string | undefined },
    ): Promise<{ ticket: SupportTicketResponse; created: boolean }> {
      if (context.idempotencyKey) {
        const replayed = await replay(context.idempotencyKey, input);
        if (replayed) return replayed;
      }
      const now = clock();
      const language = input.language ?? context.language;
      try {
        const row = await db.transaction().execute((trx) => insertTicket(trx, input, language, context.idempotencyKey ?? null, { type: 'anonymous' }, now));
        return { ticket: toResponse(row), created: true };
      } catch (err) {
        // Two concurrent retries with one key: the unique index lets one in; the other replays it.
        if (context.idempotencyKey && (err as { code?: string }).code === '23505') {
          const replayed = await replay(context.idempotencyKey, input);
          if (replayed) return replayed;
        }
        throw err;
      }
    },

    /** Decrypted view of a ticket for the confirmation email (and later the staff console). */
    async loadTicket(id: string) {
      const row = await repo.findById(db, id);
      if (!row) return undefined;
      return {
        id: row.id,
        number: row.number,
        name: decrypt('name', row.name),
        email: decrypt('email', row.email),
        topic: row.topic,
        message: decrypt('message', row.message),
        language: row.language as Language,
        createdAt: row.created_at,
        dueAt: row.due_at,
      };
    },
  };
}
export type SupportService = ReturnType<typeof makeSupportService>;
