import type { Kysely } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { checkNikAgainst, parseNik } from '../../../common/identity/nik.js';
import { nikMessageKey } from '../../../common/identity/messages.js';
import { GENDERS, NICKNAME_MAX_LENGTH, type Gender } from '../../identity/accounts/service.js';
import { verifyPassword } from '../../identity/password/hash.js';
import { auditStaffRead, type StaffSession } from '../../ops/staff/guard.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError, type FieldProblem } from '../../platform/http/app-error.js';
import { maskValue } from '../your-data/mask.js';
import { listRightsRequests, recordRightsRequest, type RequestLogFilter } from './requests.js';
import { restrictionsOf, setRestrictions, type RestrictableCategory } from './restrictions.js';
import { makeRevealTokens } from './reveal.js';

export interface ProfileCorrection {
  nickname?: string;
  language?: Language;
  gender?: Gender;
}

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  /** HMAC key of reveal tokens (derived from the master key). */
  revealSecret: Buffer;
  clock?: () => Date;
}

/**
 * The member's rights beyond access and erasure (issue 5 items 1, 6, 8): revealing masked values
 * after re-authentication, correcting profile data, restricting processing of a category — each
 * recorded as a rights request — and the privacy officer's log of every rights request.
 */
export function makeRightsService({ db, keyring, revealSecret, clock = () => new Date() }: Deps) {
  const reveal = makeRevealTokens(revealSecret, clock);

  async function profileOf(memberId: string) {
    const m = await db.selectFrom('members').select(['nickname', 'language', 'gender', 'email', 'phone']).where('id', '=', memberId).executeTakeFirstOrThrow();
    return {
      nickname: keyring.decrypt(m.nickname, 'members.nickname'),
      language: m.language,
      gender: m.gender,
      emailMasked: maskValue(keyring.decrypt(m.email, 'members.email')),
      phoneMasked: maskValue(keyring.decrypt(m.phone, 'members.phone')),
    };
  }

  return {
    /** Re-authentication for "your data": the password again → a token that shows masked values for 5 minutes in this session. Audited. */
    async reveal(memberId: string, sessionId: string, password: string): Promise<{ token: string; expiresAt: Date }> {
      const member = await db.selectFrom('members').select('password_hash').where('id', '=', memberId).executeTakeFirst();
      if (!member || !(await verifyPassword(member.password_hash, password))) throw new AppError('reauth_failed', 403, 'wrong password on reveal');
      const issued = reveal.issue(sessionId);
      await db.transaction().execute((trx) =>
        appendAudit(trx, { type: 'member', id: memberId }, { action: 'member.data_revealed', subjectType: 'member', subjectId: memberId, details: { sessionId } }, { purpose: 'account', at: clock() }),
      );
      return issued;
    },

    /** Whether a reveal token is valid for this session now. */
    revealAllowed: (sessionId: string, token: string | undefined) => reveal.verify(sessionId, token),

    profile: profileOf,

    /**
     * Correction (UU PDP right to rectify): nickname, language, gender, in one transaction with the
     * audit record and a `correction` rights request completed at once. Email and phone change
     * through the re-verifying flow of identity/recovery (`/api/account/email`, `/api/account/phone`).
     */
    async correct(memberId: string, changes: ProfileCorrection) {
      if (changes.nickname === undefined && changes.language === undefined && changes.gender === undefined) throw new AppError('bad_request', 400, 'nothing to correct');
      const problems: FieldProblem[] = [];
      const nickname = changes.nickname?.trim();
      if (nickname !== undefined) {
        if (nickname.length === 0) problems.push({ field: 'nickname', code: 'required' });
        else if ([...nickname].length > NICKNAME_MAX_LENGTH) problems.push({ field: 'nickname', code: 'tooLong', params: { max: NICKNAME_MAX_LENGTH } });
      }
      if (changes.gender !== undefined && !(GENDERS as readonly string[]).includes(changes.gender)) problems.push({ field: 'gender', code: 'choice' });
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const m = await trx.selectFrom('members').select(['nickname', 'language', 'gender', 'nik', 'date_of_birth']).where('id', '=', memberId).forUpdate().executeTakeFirstOrThrow();
        if (changes.gender === 'female' || changes.gender === 'male') {
          // The same rule as sign-up: the NIK records the sex on the KTP; other genders are never refused.
          const dateOfBirth = keyring.decrypt(m.date_of_birth, 'members.date_of_birth');
          const nik = parseNik(keyring.decrypt(m.nik, 'members.nik'), { today: now });
          if (nik.ok && checkNikAgainst(nik, { dateOfBirth, gender: changes.gender }).includes('genderMismatch')) {
            problems.push({ field: 'gender', code: 'genderMismatch', messageKey: nikMessageKey('genderMismatch') });
          }
        }
        if (problems.length) throw new AppError('validation_failed', 400, 'correction refused', { fields: problems });
        const fields: string[] = [];
        const set: { nickname?: string; language?: Language; gender?: Gender; updated_at?: Date } = {};
        if (nickname !== undefined && nickname !== keyring.decrypt(m.nickname, 'members.nickname')) {
          set.nickname = keyring.encrypt(nickname, 'members.nickname');
          fields.push('nickname');
        }
        if (changes.language !== undefined && changes.language !== m.language) {
          set.language = changes.language;
          fields.push('language');
        }
        if (changes.gender !== undefined && changes.gender !== m.gender) {
          set.gender = changes.gender;
          fields.push('gender');
        }
        if (fields.length === 0) return { requestId: null, fields };
        await trx.updateTable('members').set({ ...set, updated_at: now }).where('id', '=', memberId).execute();
        const requestId = await recordRightsRequest(trx, { memberId, kind: 'correction', at: now, completed: true });
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'rights.corrected', subjectType: 'member', subjectId: memberId, details: { requestId, fields } }, { purpose: 'accountability', at: now });
        return { requestId, fields };
      });
    },

    restrictions: (memberId: string) => restrictionsOf(db, memberId),
    setRestrictions: (memberId: string, restricted: RestrictableCategory[]) => setRestrictions(db, memberId, restricted, clock()),

    /** The privacy officer's request log; every member shown is recorded as a staff read of their data (one audit entry per member per view). */
    async requestLog(staff: StaffSession, filter: RequestLogFilter) {
      const now = clock();
      const log = await listRightsRequests(db, filter, now);
      const members = [...new Set(log.entries.map((e) => e.memberId))];
      if (members.length) {
        await db.transaction().execute(async (trx) => {
          for (const memberId of members) {
            await auditStaffRead(trx, { staffId: staff.staffId, role: staff.role, memberId, purpose: 'accountability', what: 'rights_requests', at: now });
          }
        });
      }
      return { ...log, now };
    },
  };
}
export type RightsService = ReturnType<typeof makeRightsService>;
