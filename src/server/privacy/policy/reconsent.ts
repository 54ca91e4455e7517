import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { isMemberConsentPurpose, type MemberConsentPurpose } from '../../../common/consents.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError, type FieldProblem } from '../../platform/http/app-error.js';
import type { ConsentContext, ConsentLedger } from '../consent/ledger.js';
import type { PolicyService } from './service.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** One published version with what it changed (the first version changes nothing). */
export interface VersionChange {
  version: string;
  effectiveAt: Date;
  publishedAt: Date;
  previous: string | null;
  material: boolean;
  reducesRights: boolean;
  kinds: string[];
  affectedPurposes: MemberConsentPurpose[];
  summary: Record<Language, string[]>;
}

/** Where a member stands with the Privacy Policy (GET /api/me/policy). */
export interface MemberPolicyState {
  /** The version in force now (the text a member accepts today). */
  current: VersionChange;
  /** The latest version the member accepted (consent ledger), if any. */
  accepted: { version: string; at: Date; language: Language } | null;
  /**
   * The version whose terms apply to this member (P7.1): the current one, unless a version after
   * the one they accepted reduces rights and they have not accepted it — then the last version
   * before that one.
   */
  governing: VersionChange;
  /** Material versions after the accepted one the member must still accept (or, if they reduce rights, may decline). */
  pending: {
    /** Every version after the accepted one up to the current one, oldest first. */
    versions: VersionChange[];
    reducesRights: boolean;
    affectedPurposes: MemberConsentPurpose[];
  } | null;
  /** True when member API routes answer 403 policy_reconsent_required until the member decides. */
  reconsentRequired: boolean;
  /** The member declined the current text (it reduces rights) and stays on `governing`. */
  declined: boolean;
}

export interface ReconsentInput {
  /** The version shown (must be the current one). */
  version: string;
  decision: 'accept' | 'decline';
  /** One answer per affected purpose when accepting. */
  purposes?: Record<string, boolean> | undefined;
  /** The language the document was shown in: the ledger records that document's sha256. */
  language: Language;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

const TIMELINE_TTL_MS = 30_000;
const OK_CACHE_MAX = 50_000;
/** A member who still has to decide is checked again after this long (or at once after deciding here). */
const PENDING_RECHECK_MS = 5_000;

/**
 * Policy changes seen from the member's side (P7.1, P7.2): which version governs each member,
 * whether they must re-consent before using the service, the re-consent itself (ledger acceptance
 * of the exact document, each affected purpose asked again) and declining a version that reduces
 * rights. `needsReconsent` is on every member API request's path (the gate hook), so it answers
 * from memory: the timeline is cached, and a member known to have decided on the latest material
 * version is remembered (decisions are append-only, so that answer only changes with a new version).
 */
export function makePolicyChangeService({
  db,
  policy,
  consent,
  clock = () => new Date(),
}: {
  db: Kysely<Database>;
  policy: PolicyService;
  consent: ConsentLedger;
  clock?: () => Date;
}) {
  let timelineCache: { at: number; versions: VersionChange[]; latestMaterial: VersionChange | undefined; nextEffective: number } | undefined;
  let timelineLoading: Promise<void> | undefined;
  /** memberId → the latest material version they have decided on (accepted or declined). */
  const decided = new Map<string, string>();
  /** memberId → until when "still has to decide" is trusted. */
  const pendingUntil = new Map<string, { version: string; until: number }>();

  policy.onPublished(() => {
    timelineCache = undefined;
  });

  async function loadTimeline(executor: Executor = db): Promise<void> {
    const rows = await executor
      .selectFrom('policy_versions')
      .leftJoin('policy_changes', 'policy_changes.version', 'policy_versions.version')
      .select([
        'policy_versions.version',
        'policy_versions.effective_at',
        'policy_versions.published_at',
        'policy_changes.previous_version',
        'policy_changes.material',
        'policy_changes.reduces_rights',
        'policy_changes.kinds',
        'policy_changes.affected_purposes',
        'policy_changes.summary',
      ])
      .orderBy('policy_versions.effective_at', 'asc')
      .orderBy('policy_versions.published_at', 'asc')
      .execute();
    const versions: VersionChange[] = rows.map((r) => ({
      version: r.version,
      effectiveAt: r.effective_at,
      publishedAt: r.published_at,
      previous: r.previous_version ?? null,
      material: r.material ?? false,
      reducesRights: r.reduces_rights ?? false,
      kinds: r.kinds ?? [],
      affectedPurposes: (r.affected_purposes ?? []).filter(isMemberConsentPurpose),
      summary: r.summary ?? { id: [], en: [] },
    }));
    const now = clock().getTime();
    const effective = versions.filter((v) => v.effectiveAt.getTime() <= now);
    const latestMaterial = [...effective].reverse().find((v) => v.material);
    // A version that becomes effective later invalidates the cache at that moment.
    const nextEffective = Math.min(...versions.map((v) => v.effectiveAt.getTime()).filter((t) => t > now), Number.POSITIVE_INFINITY);
    timelineCache = { at: now, versions, latestMaterial, nextEffective };
  }

  async function timeline(executor?: Executor) {
    const now = clock().getTime();
    if (!timelineCache || now - timelineCache.at > TIMELINE_TTL_MS || now >= timelineCache.nextEffective) {
      if (executor) await loadTimeline(executor);
      else {
        timelineLoading ??= loadTimeline().finally(() => {
          timelineLoading = undefined;
        });
        await timelineLoading;
      }
    }
    return timelineCache!;
  }

  function effectiveVersions(versions: VersionChange[]): VersionChange[] {
    const now = clock().getTime();
    const effective = versions.filter((v) => v.effectiveAt.getTime() <= now);
    return effective.length ? effective : versions.slice(0, 1);
  }

  async function memberState(memberId: string, executor: Executor = db): Promise<MemberPolicyState> {
    const { versions } = await timeline(executor === db ? undefined : executor);
    const effective = effectiveVersions(versions);
    const current = effective[effective.length - 1]!;
    const index = new Map(effective.map((v, i) => [v.version, i]));
    // One after the other: inside a transaction both go over the same connection.
    const acceptances = await executor
      .selectFrom('consent_ledger')
      .select(['policy_version', 'at', 'language'])
      .where('subject_type', '=', 'member')
      .where('subject_id', '=', memberId)
      .where('event', '=', 'policy_accepted')
      .orderBy('at', 'asc')
      .execute();
    const decisions = await executor
      .selectFrom('policy_decisions')
      .select(['version', 'decision'])
      .where('member_id', '=', memberId)
      .where('decision', '=', 'declined')
      .execute();
    let acceptedIndex = -1;
    let accepted: MemberPolicyState['accepted'] = null;
    for (const row of acceptances) {
      const i = index.get(row.policy_version);
      if (i !== undefined && i >= acceptedIndex) {
        acceptedIndex = i;
        accepted = { version: row.policy_version, at: row.at, language: row.language as Language };
      }
    }
    // Terms that apply: walk forward from the accepted version; a version that reduces rights
    // stops the walk until the member accepts it (P7.1). Non-material and material versions that
    // do not reduce rights apply from their effective date (P7.2 asks for notice and re-consent).
    let governingIndex = Math.max(acceptedIndex, 0);
    for (let i = governingIndex + 1; i < effective.length; i++) {
      if (effective[i]!.reducesRights) break;
      governingIndex = i;
    }
    const after = effective.slice(acceptedIndex + 1);
    const lastMaterial = after.reduce<number>((found, v, i) => (v.material ? i : found), -1);
    const declinedIndexes = decisions.map((d) => index.get(d.version)).filter((i): i is number => i !== undefined);
    const declined = declinedIndexes.some((i) => i === effective.length - 1);
    let pending: MemberPolicyState['pending'] = null;
    let reconsentRequired = false;
    if (acceptedIndex >= 0 && lastMaterial >= 0) {
      const range = after;
      pending = {
        versions: range,
        reducesRights: range.some((v) => v.reducesRights),
        affectedPurposes: [...new Set(range.filter((v) => v.material).flatMap((v) => v.affectedPurposes))],
      };
      const materialIndex = acceptedIndex + 1 + lastMaterial;
      reconsentRequired = !declinedIndexes.some((i) => i >= materialIndex);
    }
    return { current, accepted, governing: effective[governingIndex]!, pending, reconsentRequired, declined };
  }

  return {
    /** Every published version, oldest first, with what each changed. */
    async versions(): Promise<VersionChange[]> {
      return (await timeline()).versions;
    },

    memberState,

    /** The member's consent purposes as they stand (the re-consent page shows the affected ones). */
    consents: (memberId: string) => consent.consents({ type: 'member', id: memberId }),

    /**
     * The gate's fast path, synchronous: `false` when no material version is in force or this
     * member (if given) is known to have decided on it; `undefined` when `needsReconsent` must be
     * asked (cache stale, or the member not yet seen).
     */
    peekNoReconsent(memberId?: string): false | undefined {
      const cached = timelineCache;
      const now = clock().getTime();
      if (!cached || now - cached.at > TIMELINE_TTL_MS || now >= cached.nextEffective) return undefined;
      if (!cached.latestMaterial) return false;
      if (memberId !== undefined && decided.get(memberId) === cached.latestMaterial.version) return false;
      return undefined;
    },

    /**
     * The gate's question, answered from memory in the common case: must this member accept (or
     * decline) a material version before using member routes?
     */
    async needsReconsent(memberId: string): Promise<boolean> {
      const { latestMaterial } = await timeline();
      if (!latestMaterial) return false;
      if (decided.get(memberId) === latestMaterial.version) return false;
      const now = clock().getTime();
      const pend = pendingUntil.get(memberId);
      if (pend && pend.version === latestMaterial.version && pend.until > now) return true;
      const state = await memberState(memberId);
      if (state.reconsentRequired) {
        if (pendingUntil.size >= OK_CACHE_MAX) pendingUntil.delete(pendingUntil.keys().next().value!);
        pendingUntil.set(memberId, { version: latestMaterial.version, until: now + PENDING_RECHECK_MS });
        return true;
      }
      if (decided.size >= OK_CACHE_MAX) decided.delete(decided.keys().next().value!);
      decided.set(memberId, latestMaterial.version);
      pendingUntil.delete(memberId);
      return false;
    },

    /**
     * The member's answer on the re-consent page, in one transaction: acceptance of the exact
     * current document in the ledger, every affected purpose granted or refused (refusal turns it
     * off), the decision with the governing version, and an audit record. Declining is possible
     * only when a pending version reduces rights; the purposes then stay as they were.
     */
    async decide(memberId: string, input: ReconsentInput): Promise<MemberPolicyState> {
      const result = await db.transaction().execute(async (trx) => {
        // Serialize one member's decisions (a double click must not record twice).
        await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirst();
        const state = await memberState(memberId, trx);
        if (input.version !== state.current.version) {
          throw new AppError('validation_failed', 400, 'stale policy version', {
            fields: [{ field: 'version', code: 'stale', messageKey: 'policyChanges.errors.staleVersion' }],
          });
        }
        const subject = { type: 'member' as const, id: memberId };
        const context: ConsentContext = { subject, language: input.language, ip: input.ip, userAgent: input.userAgent };
        const alreadyAccepted = state.accepted?.version === state.current.version;
        if (input.decision === 'decline') {
          if (alreadyAccepted) return state;
          if (!state.pending?.reducesRights) {
            throw new AppError('validation_failed', 400, 'only a version that reduces rights can be declined', {
              fields: [{ field: 'decision', code: 'cannotDecline', messageKey: 'policyChanges.errors.cannotDecline' }],
            });
          }
          if (state.declined) return state;
          await trx
            .insertInto('policy_decisions')
            .values({ id: crypto.randomUUID(), member_id: memberId, version: state.current.version, decision: 'declined', governing_version: state.governing.version })
            .execute();
          await appendAudit(
            trx,
            { type: 'member', id: memberId },
            {
              action: 'policy.reconsent_decided',
              subjectType: 'member',
              subjectId: memberId,
              details: { version: state.current.version, decision: 'declined', governing: state.governing.version, language: input.language },
            },
            { purpose: 'accountability' },
          );
          return memberState(memberId, trx);
        }
        if (alreadyAccepted) return state;
        const asked = state.pending?.affectedPurposes ?? [];
        const answers = input.purposes ?? {};
        const missing: FieldProblem[] = asked
          .filter((p) => typeof answers[p] !== 'boolean')
          .map((p) => ({ field: `purposes.${p}`, code: 'required', messageKey: 'policyChanges.errors.purposeRequired' }));
        if (missing.length) throw new AppError('validation_failed', 400, 'every affected purpose needs an answer', { fields: missing });
        await consent.recordPolicyAcceptance(trx, context);
        for (const purpose of asked) await consent.setConsent(trx, context, purpose, answers[purpose]!);
        await trx
          .insertInto('policy_decisions')
          .values({ id: crypto.randomUUID(), member_id: memberId, version: state.current.version, decision: 'accepted', governing_version: state.current.version })
          .execute();
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          {
            action: 'policy.reconsent_decided',
            subjectType: 'member',
            subjectId: memberId,
            details: { version: state.current.version, decision: 'accepted', governing: state.current.version, language: input.language },
          },
          { purpose: 'accountability' },
        );
        return memberState(memberId, trx);
      });
      pendingUntil.delete(memberId);
      decided.delete(memberId);
      return result;
    },

    /** P7.1 for code paths: may this member's data be processed for `purpose` under the current terms? False while they are governed by an older version for it. */
    async governedByCurrentFor(memberId: string, purpose: MemberConsentPurpose): Promise<boolean> {
      const state = await memberState(memberId);
      if (state.governing.version === state.current.version) return true;
      return !(state.pending?.affectedPurposes ?? []).includes(purpose);
    },

    /** Drops the in-memory answers (tests that move time, another process publishing). */
    forget(): void {
      timelineCache = undefined;
      decided.clear();
      pendingUntil.clear();
    },
  };
}
export type PolicyChangeService = ReturnType<typeof makePolicyChangeService>;
