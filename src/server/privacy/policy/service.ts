import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
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
export function makePolicyService({ db, clock = () => new Date() }: { db: Kysely<Database>; clock?: () => Date }) {
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
      return { version: bundle.version, report: bundle.report, created: true };
    }).finally(() => {
      versionsCache = undefined;
    });
  }

  return {
    publishFromDirectory: (dir: string) => publish(loadPolicyDirectory(dir)),

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
