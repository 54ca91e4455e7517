import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { PolicyChangesError } from './changes.js';
import type { ParityReport } from './parity.js';
import type { ParsedPolicy } from './parse.js';
import { loadPolicyDirectory, POLICY_ROOT, type PolicyBundle } from './load.js';

export interface PublishedDocument {
  version: string;
  language: Language;
  effectiveAt: Date;
  sha256: string;
  parsed: ParsedPolicy;
}

export interface PublishedVersion {
  version: string;
  effectiveAt: Date;
  publishedAt: Date;
  report: ParityReport;
}

const VERSIONS_TTL_MS = 30_000;

type Executor = Kysely<Database> | Transaction<Database>;

/** Versioned Privacy Policy documents: publishing (with the parity check) and reading. */
export function makePolicyService({ db, jobs, clock = () => new Date() }: { db: Kysely<Database>; jobs?: JobQueue; clock?: () => Date }) {
  /** Called after a publication commits (the policy-change service drops its caches). */
  const publishedListeners: Array<(version: string) => void> = [];
  // Published documents never change, so each is read once per process. The version list is
  // re-read at most every VERSIONS_TTL_MS, so a version published by another process shows up.
  const cache = new Map<string, PublishedDocument>();
  let versionsCache: { at: number; versions: PublishedVersion[] } | undefined;

  async function publish(bundle: PolicyBundle): Promise<{ version: string; report: ParityReport; created: boolean }> {
    return db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('policy_documents').select(['language', 'sha256']).where('version', '=', bundle.version).execute();
      if (existing.length > 0) {
        const same = existing.every((d) => d.sha256 === bundle.documents[d.language].sha256) && existing.length === 2;
        if (!same) throw new Error(`Policy version ${bundle.version} is already published with different text; publish it as a new version`);
        return { version: bundle.version, report: bundle.report, created: false };
      }
      const previous = await trx.selectFrom('policy_versions').select(['version', 'effective_at']).orderBy('effective_at', 'desc').executeTakeFirst();
      if (previous && !bundle.changes) {
        throw new PolicyChangesError(`${bundle.version}/changes.json`, [
          `missing: every version after the first says what changed (material or not, reduces rights or not, affected purposes, the list of changes in both languages)`,
        ]);
      }
      if (previous && bundle.effectiveAt < previous.effective_at) {
        throw new PolicyChangesError(`${bundle.version}/meta.json`, [`effectiveAt is before that of version ${previous.version}`]);
      }
      if (bundle.changes?.material && !jobs) throw new Error('A material version needs the job queue to notify members');
      await trx
        .insertInto('policy_versions')
        .values({ version: bundle.version, effective_at: bundle.effectiveAt, parity_report: JSON.stringify(bundle.report) })
        .execute();
      for (const language of ['id', 'en'] as const) {
        const doc = bundle.documents[language];
        await trx
          .insertInto('policy_documents')
          .values({
            version: bundle.version,
            language,
            title: doc.parsed.title,
            sha256: doc.sha256,
            source_text: doc.text,
            sections: JSON.stringify(doc.parsed),
          })
          .execute();
      }
      await appendAudit(
        trx,
        { type: 'system', id: 'policy:publish' },
        {
          action: 'policy.published',
          subjectType: 'policy_version',
          subjectId: bundle.version,
          details: { languages: ['id', 'en'], missingSections: countMissing(bundle.report) },
        },
        { purpose: 'accountability' },
      );
      const changes = bundle.changes;
      if (changes) {
        await trx
          .insertInto('policy_changes')
          .values({
            version: bundle.version,
            previous_version: previous?.version ?? null,
            material: changes.material,
            reduces_rights: changes.reducesRights,
            kinds: JSON.stringify(changes.kinds),
            affected_purposes: JSON.stringify(changes.affectedPurposes),
            summary: JSON.stringify(changes.changes),
          })
          .execute();
        await appendAudit(
          trx,
          { type: 'system', id: 'policy:publish' },
          {
            action: 'policy.changes_published',
            subjectType: 'policy_version',
            subjectId: bundle.version,
            details: {
              previous: previous?.version ?? null,
              material: changes.material,
              reducesRights: changes.reducesRights,
              kinds: changes.kinds,
              purposes: changes.affectedPurposes,
              changes: changes.changes.en.length,
            },
          },
          { purpose: 'accountability' },
        );
        // Every member is told of a material change by email (P7.2), queued with the publication.
        if (changes.material) await jobs!.send(trx, 'policy.send-change-notices', { version: bundle.version });
      }
      return { version: bundle.version, report: bundle.report, created: true };
    }).finally(() => {
      versionsCache = undefined;
    }).then((result) => {
      if (result.created) for (const listener of publishedListeners) listener(result.version);
      return result;
    });
  }

  return {
    publishFromDirectory: async (dir: string) => publish(loadPolicyDirectory(dir)),

    /** Runs `listener` after each publication committed by this process. */
    onPublished(listener: (version: string) => void): void {
      publishedListeners.push(listener);
    },

    /** First start: publish the policy versions shipped in policy/ that the database lacks. */
    async ensureSeedPublished(): Promise<void> {
      const published = await db.selectFrom('policy_versions').select('version').executeTakeFirst();
      if (!published) await publish(loadPolicyDirectory(path.join(POLICY_ROOT, 'v1')));
    },

    /** `executor`: pass the open transaction when calling from inside one (PGlite has a single session). */
    async versions(executor: Executor = db): Promise<PublishedVersion[]> {
      if (versionsCache && Date.now() - versionsCache.at < VERSIONS_TTL_MS) return versionsCache.versions;
      const rows = await executor.selectFrom('policy_versions').selectAll().orderBy('effective_at', 'desc').execute();
      const versions = rows.map((r) => ({ version: r.version, effectiveAt: r.effective_at, publishedAt: r.published_at, report: r.parity_report as ParityReport }));
      versionsCache = { at: Date.now(), versions };
      return versions;
    },

    /** The version in force now: the latest whose effective date has come. */
    async current(executor: Executor = db): Promise<PublishedVersion | undefined> {
      const all = await this.versions(executor);
      return all.find((v) => v.effectiveAt <= clock()) ?? all[all.length - 1];
    },

    /** The published file of one version and language, exactly as published (for the diff). */
    async sourceText(version: string, language: Language): Promise<string | undefined> {
      const row = await db.selectFrom('policy_documents').select('source_text').where('version', '=', version).where('language', '=', language).executeTakeFirst();
      return row?.source_text;
    },

    async document(version: string, language: Language, executor: Executor = db): Promise<PublishedDocument | undefined> {
      const key = `${version}/${language}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const row = await executor
        .selectFrom('policy_documents')
        .innerJoin('policy_versions', 'policy_versions.version', 'policy_documents.version')
        .select(['policy_documents.version', 'language', 'sha256', 'sections', 'policy_versions.effective_at'])
        .where('policy_documents.version', '=', version)
        .where('language', '=', language)
        .executeTakeFirst();
      if (!row) return undefined;
      const doc: PublishedDocument = {
        version: row.version,
        language: row.language,
        effectiveAt: row.effective_at,
        sha256: row.sha256,
        parsed: row.sections as ParsedPolicy,
      };
      cache.set(key, doc);
      return doc;
    },
  };
}
export type PolicyService = ReturnType<typeof makePolicyService>;

function countMissing(report: ParityReport): number {
  return report.languages.id.missing.length + report.languages.en.missing.length;
}
