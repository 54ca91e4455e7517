import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import yazl from 'yazl';
import type { Language } from '../../../common/i18n/index.js';
import { verifyPassword } from '../../identity/password/hash.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { YourDataService } from '../your-data/service.js';
import { renderSummary } from './summary.js';

/** UU PDP: a rights request is answered within 3 × 24 hours. */
export const RIGHTS_REQUEST_DUE_MS = 72 * 3600 * 1000;
/** A built export can be downloaded for 7 days. */
export const EXPORT_TTL_MS = 7 * 24 * 3600 * 1000;

interface Deps {
  db: Kysely<Database>;
  yourData: YourDataService;
  jobs: JobQueue;
  dataDir: string;
  logger: Logger;
  clock?: () => Date;
}

/**
 * Self-service export (access and portability): re-authenticated with the password, recorded as a
 * rights request with its legal deadline, built by a job into a ZIP — JSON per data category (every
 * value in full; secrets never), the photos, the processing record (consents, accesses) and a
 * readable HTML summary in the member's language — downloadable for 7 days, again behind the
 * password. No weekly limit.
 */
export function makeExportService({ db, yourData, jobs, dataDir, logger, clock = () => new Date() }: Deps) {
  const exportsDir = path.join(dataDir, 'exports');

  async function reauthenticate(memberId: string, password: string): Promise<void> {
    const member = await db.selectFrom('members').select('password_hash').where('id', '=', memberId).executeTakeFirst();
    if (!member || !(await verifyPassword(member.password_hash, password))) throw new AppError('reauth_failed', 403, 'wrong password on re-authentication');
  }

  return {
    async request(memberId: string, password: string, language: Language): Promise<{ id: string }> {
      await reauthenticate(memberId, password);
      const now = clock();
      const id = crypto.randomUUID();
      const requestId = crypto.randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('rights_requests').values({ id: requestId, member_id: memberId, kind: 'access', received_at: now, due_at: new Date(now.getTime() + RIGHTS_REQUEST_DUE_MS) }).execute();
        await trx.insertInto('data_exports').values({ id, member_id: memberId, request_id: requestId, status: 'queued', language, created_at: now }).execute();
        await jobs.send(trx, 'privacy.build-export', { exportId: id });
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'privacy.export_requested', subjectType: 'member', subjectId: memberId, details: { exportId: id } }, { purpose: 'accountability', at: now });
      });
      return { id };
    },

    /** Job: builds the ZIP. Re-running it (a retried job after a crash) rebuilds the same file from scratch. */
    async build(exportId: string): Promise<'built' | 'skipped'> {
      const row = await db.selectFrom('data_exports').selectAll().where('id', '=', exportId).executeTakeFirst();
      if (!row || row.status !== 'queued') return 'skipped';
      const member = await db.selectFrom('members').select(['id', 'username']).where('id', '=', row.member_id).executeTakeFirst();
      if (!member) return 'skipped';
      const language = row.language;
      const { categories, accesses } = await yourData.forMember(member.id, language, { reveal: true });
      const consents = (
        await db
          .selectFrom('consent_ledger')
          .select(['purpose', 'event', 'policy_version', 'at'])
          .where('subject_type', '=', 'member')
          .where('subject_id', '=', member.id)
          .orderBy('at')
          .orderBy('id')
          .execute()
      ).map((c) => ({ purpose: c.purpose, event: c.event, policyVersion: c.policy_version, at: c.at.toISOString() }));
      const requests = await db.selectFrom('rights_requests').select(['kind', 'received_at', 'due_at', 'completed_at']).where('member_id', '=', member.id).orderBy('received_at').execute();
      const photos = await db.selectFrom('member_photos').select(['id', 'storage_path']).where('member_id', '=', member.id).execute();

      const zip = new yazl.ZipFile();
      const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
      for (const c of categories) zip.addBuffer(json(c.fields), `data/${c.category}.json`);
      zip.addBuffer(json(consents), 'processing/consents.json');
      zip.addBuffer(json(accesses), 'processing/accesses.json');
      zip.addBuffer(json(requests), 'processing/requests.json');
      const photoNames: string[] = [];
      for (const p of photos) {
        const file = path.join(dataDir, p.storage_path);
        if (!fs.existsSync(file)) continue;
        const name = `photos/${p.id}${path.extname(p.storage_path)}`;
        zip.addFile(file, name);
        photoNames.push(name);
      }
      zip.addBuffer(
        Buffer.from(renderSummary({ language, username: member.username, createdAt: row.created_at.toISOString(), categories, consents, accesses, photos: photoNames })),
        'index.html',
      );
      zip.end();

      fs.mkdirSync(exportsDir, { recursive: true, mode: 0o700 });
      const file = path.join(exportsDir, `${exportId}.zip`);
      const partial = `${file}.partial`;
      await new Promise<void>((resolve, reject) => {
        const out = fs.createWriteStream(partial, { mode: 0o600 });
        zip.outputStream.pipe(out).on('close', resolve).on('error', reject);
        zip.outputStream.on('error', reject);
      });
      fs.renameSync(partial, file);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('data_exports')
          .set({ status: 'ready', file_path: `exports/${exportId}.zip`, bytes: fs.statSync(file).size, ready_at: now, expires_at: new Date(now.getTime() + EXPORT_TTL_MS) })
          .where('id', '=', exportId)
          .execute();
        await trx.updateTable('rights_requests').set({ completed_at: now }).where('id', '=', row.request_id).where('completed_at', 'is', null).execute();
      });
      return 'built';
    },

    async list(memberId: string) {
      return db
        .selectFrom('data_exports')
        .select(['id', 'status', 'created_at', 'ready_at', 'expires_at', 'bytes'])
        .where('member_id', '=', memberId)
        .orderBy('created_at', 'desc')
        .limit(20)
        .execute();
    },

    /** The file of one of the member's own ready, unexpired exports, after the password again. */
    async download(memberId: string, exportId: string, password: string): Promise<{ file: string; filename: string }> {
      await reauthenticate(memberId, password);
      const row = await db.selectFrom('data_exports').selectAll().where('id', '=', exportId).where('member_id', '=', memberId).executeTakeFirst();
      if (!row) {
        logger.warn({ exportId }, 'export download refused: not this member’s export');
        throw new AppError('not_found', 404, 'no such export for this member');
      }
      if (row.status !== 'ready' || !row.file_path) throw new AppError('export_not_ready', 409, 'export not built yet');
      const now = clock();
      if (!row.expires_at || row.expires_at <= now) {
        logger.warn({ exportId }, 'export download refused: expired');
        throw new AppError('export_expired', 410, 'export expired');
      }
      const file = path.join(dataDir, row.file_path);
      if (!fs.existsSync(file)) throw new AppError('export_expired', 410, 'export file gone');
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('data_exports').set({ downloaded_at: now }).where('id', '=', exportId).execute();
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'privacy.export_downloaded', subjectType: 'member', subjectId: memberId, details: { exportId } }, { purpose: 'accountability', at: now });
      });
      return { file, filename: `kenalan-data-${now.toISOString().slice(0, 10)}.zip` };
    },
  };
}
export type ExportService = ReturnType<typeof makeExportService>;
