import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { COOKIE_CONSENT_PURPOSE, OPTIONAL_COOKIE_CATEGORIES, type CookieChoice } from '../../../common/cookies.js';
import type { Language } from '../../../common/i18n/index.js';
import type { Database } from '../../platform/db/schema.js';
import type { ConsentLedger, ConsentSubject } from '../consent/ledger.js';

export interface CookieChoiceContext {
  /** The visitor id from a valid choice cookie; a new one is made when absent. */
  visitorId?: string | undefined;
  /** The signed-in member, whose own consents follow the same choice. */
  memberId?: string | undefined;
  language: Language;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/**
 * Cookie choices (P2.1) go into the consent ledger like every other consent: for the anonymous
 * visitor (a random id kept in the signed choice cookie) and, when signed in, for the member too.
 * Only what changed is appended, except a first decision, which is recorded in full — a refusal
 * is evidence as much as an acceptance.
 */
export function makeCookieConsentService({ db, consent }: { db: Kysely<Database>; consent: ConsentLedger }) {
  return {
    async record(choice: CookieChoice, context: CookieChoiceContext): Promise<{ visitorId: string }> {
      const visitorId = context.visitorId ?? crypto.randomUUID();
      const subjects: ConsentSubject[] = [{ type: 'visitor', id: visitorId }];
      if (context.memberId) subjects.push({ type: 'member', id: context.memberId });
      await db.transaction().execute(async (trx) => {
        for (const subject of subjects) {
          const current = await consent.consents(subject, trx);
          for (const category of OPTIONAL_COOKIE_CATEGORIES) {
            const purpose = COOKIE_CONSENT_PURPOSE[category];
            const wanted = choice[category];
            if (current[purpose].at !== null && current[purpose].granted === wanted) continue;
            await consent.setConsent(trx, { subject, language: context.language, ip: context.ip, userAgent: context.userAgent }, purpose, wanted);
          }
        }
      });
      return { visitorId };
    },

    /** The member's own cookie consents (after sign-in the account's record wins over the browser's). */
    async memberChoice(memberId: string): Promise<CookieChoice | undefined> {
      const state = await consent.consents({ type: 'member', id: memberId });
      if (OPTIONAL_COOKIE_CATEGORIES.every((c) => state[COOKIE_CONSENT_PURPOSE[c]].at === null)) return undefined;
      return {
        preferences: state.preference_cookies.granted,
        analytics: state.analytics_cookies.granted,
        marketing: state.marketing_cookies.granted,
      };
    },
  };
}
export type CookieConsentService = ReturnType<typeof makeCookieConsentService>;
