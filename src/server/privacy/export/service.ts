import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import yazl from 'yazl';
import type { Language } from '../../../common/i18n/index.js';
import { verifyPassword } from '../../identity/password/hash.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { YourDataService } from '../your-data/service.js';
import { RIGHTS_REQUEST_DUE_MS } from '../rights/requests.js';
import { renderSummary } from './summary.js';

/** UU PDP: a rights request is answered within 3 × 24 hours (defined with the request log in privacy/rights). */
export { RIGHTS_REQUEST_DUE_MS };
/** A built export can be downloaded for 7 days. */
export const EXPORT_TTL_MS = 7 * 24 * 3600 * 1000;

/** Export files on disk: 12-byte IV ‖ AES-256-GCM ciphertext of the ZIP ‖ 16-byte tag; the key is wrapped in `data_exports.file_key`. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** How often the running server deletes expired export files (also once at start). */
export const EXPORT_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

interface Deps {
  db: Kysely<Database>;
  /** Wraps each export file's random key (`data_exports.file_key`). */
  keyring: Keyring;
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
export function makeExportService({ db, keyring, yourData, jobs, dataDir, logger, clock = () => new Date() }: Deps) {
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
      // A file that cannot be read (a photo gone or broken on disk) fails the build instead of
      // leaving it waiting forever; the job's retry builds it again from the start.
      const zipFailed = new Promise<never>((_, reject) => zip.on('error', reject));
      zipFailed.catch(() => undefined);
      zip.end();

      // Encrypted at rest: a random key per file (AES-256-GCM through node:crypto), wrapped by the keyring.
      fs.mkdirSync(exportsDir, { recursive: true, mode: 0o700 });
      const file = path.join(exportsDir, `${exportId}.zip.enc`);
      const partial = `${file}.partial`;
      const fileKey = crypto.randomBytes(32);
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', fileKey, iv);
      let plainBytes = 0;
      const out = fs.createWriteStream(partial, { mode: 0o600 });
      const written = new Promise<void>((resolve, reject) => {
        out.write(iv);
        zip.outputStream.on('data', (chunk: Buffer) => (plainBytes += chunk.length));
        zip.outputStream.on('error', reject);
        cipher.on('end', () => out.end(cipher.getAuthTag()));
        zip.outputStream.pipe(cipher).pipe(out, { end: false });
        out.on('close', resolve).on('error', reject);
      });
      try {
        await Promise.race([written, zipFailed]);
      } catch (error) {
        out.destroy();
        fs.rmSync(partial, { force: true });
        throw error;
      }
      fs.renameSync(partial, file);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('data_exports')
          .set({
            status: 'ready',
            file_path: `exports/${exportId}.zip.enc`,
            file_key: keyring.encrypt(fileKey.toString('base64'), 'data_exports.file_key'),
            bytes: plainBytes,
            ready_at: now,
            expires_at: new Date(now.getTime() + EXPORT_TTL_MS),
          })
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

    /** One of the member's own ready, unexpired exports, decrypted while it streams, after the password again. */
    async download(memberId: string, exportId: string, password: string): Promise<{ stream: NodeJS.ReadableStream; bytes: number | null; filename: string }> {
      await reauthenticate(memberId, password);
      const row = await db.selectFrom('data_exports').selectAll().where('id', '=', exportId).where('member_id', '=', memberId).executeTakeFirst();
      if (!row) {
        logger.warn({ exportId }, 'export download refused: not this member’s export');
        throw new AppError('not_found', 404, 'no such export for this member');
      }
      if (row.status === 'expired') {
        logger.warn({ exportId }, 'export download refused: expired and deleted');
        throw new AppError('export_expired', 410, 'export expired and deleted');
      }
      if (row.status !== 'ready' || !row.file_path) throw new AppError('export_not_ready', 409, 'export not built yet');
      const now = clock();
      if (!row.expires_at || row.expires_at <= now) {
        logger.warn({ exportId }, 'export download refused: expired');
        throw new AppError('export_expired', 410, 'export expired');
      }
      const file = path.join(dataDir, row.file_path);
      if (!fs.existsSync(file)) throw new AppError('export_expired', 410, 'export file gone');
      const onError = (err: Error) => logger.error({ exportId, err: err.message }, 'export download broken off: the file failed decryption or authentication');
      const stream = row.file_key
        ? await decryptingStream(file, Buffer.from(keyring.decrypt(row.file_key, 'data_exports.file_key'), 'base64'), onError)
        : fs.createReadStream(file);
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('data_exports').set({ downloaded_at: now }).where('id', '=', exportId).execute();
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'privacy.export_downloaded', subjectType: 'member', subjectId: memberId, details: { exportId } }, { purpose: 'accountability', at: now });
      });
      return { stream, bytes: row.bytes, filename: `kenalan-data-${now.toISOString().slice(0, 10)}.zip` };
    },

    /**
     * Export upkeep: deletes the files of expired exports and marks their rows `expired` (audited),
     * and removes any file in DATA_DIR/exports that no queued or ready export owns (an export of an
     * erased member, a stale `.partial` of a failed build). Run at start and every hour.
     */
    async sweep(): Promise<{ expired: number; orphansRemoved: number }> {
      const now = clock();
      const due = await db
        .selectFrom('data_exports')
        .select(['id', 'member_id', 'file_path'])
        .where('status', 'in', ['ready', 'failed'])
        .where('expires_at', '<=', now)
        .execute();
      for (const row of due) {
        let fileDeleted = false;
        if (row.file_path) fileDeleted = removeFile(path.join(dataDir, row.file_path));
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('data_exports').set({ status: 'expired', file_path: null, file_key: null }).where('id', '=', row.id).execute();
          await appendAudit(trx, { type: 'system' }, { action: 'privacy.export_expired', subjectType: 'member', subjectId: row.member_id, details: { exportId: row.id, fileDeleted } }, { purpose: 'accountability', at: now });
        });
      }
      let orphansRemoved = 0;
      if (fs.existsSync(exportsDir)) {
        const live = await db.selectFrom('data_exports').select(['id', 'status', 'file_path']).where('status', 'in', ['queued', 'ready']).execute();
        const keep = new Set(live.flatMap((r) => (r.status === 'queued' ? [`${r.id}.zip.enc.partial`, `${r.id}.zip.partial`, `${r.id}.zip.enc`] : r.file_path ? [path.basename(r.file_path)] : [])));
        for (const name of fs.readdirSync(exportsDir)) {
          if (keep.has(name)) continue;
          if (removeFile(path.join(exportsDir, name))) orphansRemoved++;
        }
      }
      if (due.length || orphansRemoved) logger.info({ expired: due.length, orphansRemoved }, 'export sweep');
      return { expired: due.length, orphansRemoved };
    },

    /** Sweeps now and then every `intervalMs`; returns the function that stops it. */
    startSweeper(intervalMs = EXPORT_SWEEP_INTERVAL_MS): () => void {
      const run = () => this.sweep().catch((err: unknown) => logger.error({ err }, 'export sweep failed'));
      void run();
      const timer = setInterval(run, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
export type ExportService = ReturnType<typeof makeExportService>;

function removeFile(file: string): boolean {
  try {
    fs.rmSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * The plaintext ZIP of an encrypted export file, decrypted while it streams. GCM authenticates at
 * the end: a file changed on disk makes the stream fail at its end (the download breaks off and
 * the error is logged) rather than deliver altered bytes as complete.
 */
async function decryptingStream(file: string, key: Buffer, onError: (err: Error) => void): Promise<NodeJS.ReadableStream> {
  const { size } = await fs.promises.stat(file);
  if (size < IV_BYTES + TAG_BYTES) throw new AppError('export_expired', 410, 'export file truncated');
  const handle = await fs.promises.open(file, 'r');
  const iv = Buffer.alloc(IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await handle.read(iv, 0, IV_BYTES, 0);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  const out = new PassThrough();
  const source = size > IV_BYTES + TAG_BYTES ? fs.createReadStream(file, { start: IV_BYTES, end: size - TAG_BYTES - 1 }) : Readable.from([]);
  // pipeline handles every stream's errors; a failed tag check destroys `out`, which the HTTP reply sees.
  pipeline(source, decipher, out, (err) => err && onError(err));
  return out;
}

