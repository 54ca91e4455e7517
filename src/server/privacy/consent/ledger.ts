import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import { AppError } from '../../platform/http/app-error.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../data-map/types.js';
import type { PolicyService } from '../policy/service.js';

export interface ConsentSubject {
  type: 'member' | 'guardian' | 'visitor';
  id: string;
}

export interface ConsentContext {
  subject: ConsentSubject;
  /** The language the policy was shown in: the ledger records the hash of exactly that text. */
  language: Language;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface ConsentState {
  granted: boolean;
  at: Date | null;
  policyVersion: string | null;
}

export class UnknownPurposeError extends Error {
  constructor(purpose: string) {
    super(`"${purpose}" is not a purpose that can be consented to`);
    this.name = 'UnknownPurposeError';
  }
}

/**
 * A parent or guardian's consent to their child's account (policy 5, UU PDP Art. 25): recorded with
 * the guardian as subject (the `guardians` row links it to the minor's account). Not one of the
 * member's own opt-in purposes, so `consents()` never lists it.
 */
export const GUARDIAN_CONSENT_PURPOSE = 'minor_account';

/** How long a consent state is trusted from memory (bench/results/consent-check.md). */
export const CONSENT_CACHE_MS = 10_000;
const CONSENT_CACHE_MAX = 20_000;

export function isConsentPurpose(value: string): value is ConsentPurpose {
  return (CONSENT_PURPOSES as readonly string[]).includes(value);
}

/**
 * The consent ledger (P0.1 opt-in, P0.2, P1.5, P1.10): acceptance of the exact policy text (version,
 * language and sha256 of that language's document) and every consent given or withdrawn, each with
 * time, IP and browser (encrypted), appended in the caller's transaction with an audit record.
 * Every consent purpose is off until an entry turns it on; the latest entry per purpose wins.
 */
export function makeConsentLedger({ db, keyring, policy, clock = () => new Date() }: { db: Kysely<Database>; keyring: Keyring; policy: PolicyService; clock?: () => Date }) {
  /**
   * Purposes a module manages itself (face verification, P1.5): `ownScreen` — granted only through
   * that module's own consent screen (`setConsent(…, { ownScreen: true })`), so the generic consents
   * page can withdraw but not give it; `onWithdrawn` — runs in the withdrawal's transaction (deletes
   * the data the consent covered, so withdrawal and deletion commit together).
   */
  const managed = new Map<ConsentPurpose, { ownScreen: boolean; onWithdrawn?: (trx: Transaction<Database>, subject: ConsentSubject) => Promise<void> }>();
  // Hot-path cache of `hasConsent` (bench/results/consent-check.md): subject → state, dropped by
  // every ledger append for the subject; for CONSENT_CACHE_MS after an append (its transaction may
  // not have committed yet) reads go to the database and are not cached. Another instance of a
  // PostgreSQL deployment sees a change within CONSENT_CACHE_MS at most, like sessions.
  const cached = new Map<string, { state: Record<ConsentPurpose, ConsentState>; until: number }>();
  const recentlyChanged = new Map<string, number>();
  const cacheKey = (subject: ConsentSubject) => `${subject.type}:${subject.id}`;
  function invalidateCached(subject: ConsentSubject): void {
    cached.delete(cacheKey(subject));
    recentlyChanged.set(cacheKey(subject), Date.now() + CONSENT_CACHE_MS);
  }

  async function currentText(trx: Transaction<Database>, language: Language): Promise<{ version: string; sha256: string }> {
    const current = await policy.current(trx);
    const doc = current && (await policy.document(current.version, language, trx));
    if (!doc) throw new Error('No Privacy Policy is published');
    return { version: doc.version, sha256: doc.sha256 };
  }

  async function append(
    trx: Transaction<Database>,
    context: ConsentContext,
    entry: { event: 'policy_accepted' | 'consent_granted' | 'consent_withdrawn'; purpose: ConsentPurpose | typeof GUARDIAN_CONSENT_PURPOSE | null },
  ) {
    const text = await currentText(trx, context.language);
    const at = clock();
    await trx
      .insertInto('consent_ledger')
      .values({
        id: crypto.randomUUID(),
        subject_type: context.subject.type,
        subject_id: context.subject.id,
        event: entry.event,
        purpose: entry.purpose,
        policy_version: text.version,
        policy_sha256: text.sha256,
        language: context.language,
        ip: context.ip ? keyring.encrypt(context.ip, 'consent_ledger.ip') : null,
        user_agent: context.userAgent ? keyring.encrypt(context.userAgent.slice(0, 500), 'consent_ledger.user_agent') : null,
        at,
      })
      .execute();
    invalidateCached(context.subject);
    const actor = { type: context.subject.type === 'visitor' ? ('anonymous' as const) : context.subject.type, id: context.subject.id };
    if (entry.purpose === null) {
      await appendAudit(
        trx,
        actor,
        { action: 'consent.policy_accepted', subjectType: context.subject.type, subjectId: context.subject.id, details: { version: text.version, language: context.language } },
        { purpose: 'accountability', at },
      );
    } else {
      await appendAudit(
        trx,
        actor,
        {
          action: 'consent.changed',
          subjectType: context.subject.type,
          subjectId: context.subject.id,
          details: { purpose: entry.purpose, granted: entry.event === 'consent_granted', version: text.version },
        },
        { purpose: 'accountability', at },
      );
    }
    return { version: text.version, sha256: text.sha256, at };
  }

  return {
    /** Records that the subject read and accepted the policy version in force, in `language`. */
    recordPolicyAcceptance: (trx: Transaction<Database>, context: ConsentContext) => append(trx, context, { event: 'policy_accepted', purpose: null }),

    /** Grants or withdraws one consent purpose; takes effect for every later `hasConsent` check. */
    async setConsent(trx: Transaction<Database>, context: ConsentContext, purpose: string, granted: boolean, options: { ownScreen?: boolean } = {}) {
      if (!isConsentPurpose(purpose)) throw new UnknownPurposeError(purpose);
      const module = managed.get(purpose);
      if (granted && module?.ownScreen && !options.ownScreen) {
        throw new AppError('bad_request', 409, `${purpose} is given on its own consent screen`, { messageKey: 'consents.ownScreen' });
      }
      // The module's deletion runs first: it may lock the member row, which (by convention) comes before the audit head.
      if (!granted && module?.onWithdrawn) await module.onWithdrawn(trx, context.subject);
      return append(trx, context, { event: granted ? 'consent_granted' : 'consent_withdrawn', purpose });
    },

    /** See `managed` above; a module registers its purpose once, when it is composed. */
    managePurpose(purpose: ConsentPurpose, handling: { ownScreen: boolean; onWithdrawn?: (trx: Transaction<Database>, subject: ConsentSubject) => Promise<void> }) {
      managed.set(purpose, handling);
    },

    /**
     * A guardian gives (true) or withdraws (false) consent to the minor's account. Subject must be
     * the guardian; call `recordPolicyAcceptance` too when consent is given, for the text shown.
     */
    async recordGuardianConsent(trx: Transaction<Database>, context: ConsentContext & { subject: { type: 'guardian'; id: string } }, granted: boolean) {
      return append(trx, context, { event: granted ? 'consent_granted' : 'consent_withdrawn', purpose: GUARDIAN_CONSENT_PURPOSE });
    },

    /** The latest guardian-consent entry of a guardian (granted or withdrawn), if any. */
    async guardianConsent(guardianId: string, executor: Kysely<Database> | Transaction<Database> = db) {
      const row = await executor
        .selectFrom('consent_ledger')
        .select(['event', 'at', 'policy_version', 'language'])
        .where('subject_type', '=', 'guardian')
        .where('subject_id', '=', guardianId)
        .where('purpose', '=', GUARDIAN_CONSENT_PURPOSE)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row ? { granted: row.event === 'consent_granted', at: row.at, policyVersion: row.policy_version, language: row.language } : undefined;
    },

    /** Every consent purpose with its current state; purposes never touched are off. */
    async consents(subject: ConsentSubject, executor: Kysely<Database> | Transaction<Database> = db): Promise<Record<ConsentPurpose, ConsentState>> {
      const rows = await executor
        .selectFrom('consent_ledger')
        .select(['purpose', 'event', 'at', 'policy_version'])
        .where('subject_type', '=', subject.type)
        .where('subject_id', '=', subject.id)
        .where('purpose', 'is not', null)
        .orderBy('at')
        .orderBy('id')
        .execute();
      const state = Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, { granted: false, at: null, policyVersion: null }])) as Record<ConsentPurpose, ConsentState>;
      for (const row of rows) {
        if (row.purpose && isConsentPurpose(row.purpose)) {
          state[row.purpose] = { granted: row.event === 'consent_granted', at: row.at, policyVersion: row.policy_version };
        }
      }
      return state;
    },

    /** Whether the subject's latest entry for `purpose` is a grant. Outside a transaction answered from a small cache invalidated by every change. */
    async hasConsent(subject: ConsentSubject, purpose: ConsentPurpose, executor?: Kysely<Database> | Transaction<Database>): Promise<boolean> {
      if (executor && executor !== db) return (await this.consents(subject, executor))[purpose].granted;
      const key = cacheKey(subject);
      const hit = cached.get(key);
      if (hit && hit.until > Date.now()) return hit.state[purpose].granted;
      const state = await this.consents(subject);
      const now = Date.now();
      const changed = recentlyChanged.get(key);
      if (changed !== undefined && changed > now) return state[purpose].granted;
      if (changed !== undefined) recentlyChanged.delete(key);
      if (cached.size >= CONSENT_CACHE_MAX) cached.delete(cached.keys().next().value!);
      cached.set(key, { state, until: now + CONSENT_CACHE_MS });
      return state[purpose].granted;
    },

    /** The latest policy acceptance of the subject, if any. */
    async acceptedPolicy(subject: ConsentSubject) {
      return db
        .selectFrom('consent_ledger')
        .select(['policy_version', 'policy_sha256', 'language', 'at'])
        .where('subject_type', '=', subject.type)
        .where('subject_id', '=', subject.id)
        .where('event', '=', 'policy_accepted')
        .orderBy('at', 'desc')
        .executeTakeFirst();
    },
  };
}
export type ConsentLedger = ReturnType<typeof makeConsentLedger>;
