import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { FastifyRequest } from 'fastify';
import { normalizeUsername } from '../../../common/identity/username.js';
import { RECENT_SIGN_IN_MS } from '../../identity/mfa/routes.js';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { AuthenticatedSession, SessionService } from '../../identity/sessions/service.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { Purpose } from '../../privacy/data-map/types.js';
import { STAFF_ROLES, type StaffRole } from '../../privacy/rights/tables.js';

export { STAFF_ROLES, type StaffRole };

type Executor = Kysely<Database> | Transaction<Database>;

/** What `requireStaff` needs: the session service and the database. */
export interface StaffAccess {
  sessions: SessionService;
  db: Kysely<Database>;
  clock?: () => Date;
}

/** A signed-in member acting in one staff role. `staffId` is their member id. */
export interface StaffSession extends AuthenticatedSession {
  staffId: string;
  role: StaffRole;
}

/** Staff actions need a sign-in this recent (the same 10 minutes as changing a second factor). */
export const STAFF_RECENT_SIGN_IN_MS = RECENT_SIGN_IN_MS;

/** Factors that count as a second step of the sign-in (an emailed step-up code does not). */
const STRONG_FACTORS = new Set(['totp', 'recovery_code', 'passkey']);

/** Whether the member currently holds the role (granted and not revoked). */
export async function hasStaffRole(executor: Executor, memberId: string, role: StaffRole): Promise<boolean> {
  const row = await executor
    .selectFrom('staff_roles')
    .select('id')
    .where('member_id', '=', memberId)
    .where('role', '=', role)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The member's current roles. */
export async function staffRolesOf(executor: Executor, memberId: string): Promise<StaffRole[]> {
  const rows = await executor.selectFrom('staff_roles').select('role').where('member_id', '=', memberId).where('revoked_at', 'is', null).orderBy('role').execute();
  return rows.map((r) => r.role);
}

async function hasSecondFactor(db: Kysely<Database>, memberId: string): Promise<boolean> {
  const [totp, passkey] = await Promise.all([
    db.selectFrom('member_totp').select('member_id').where('member_id', '=', memberId).where('confirmed_at', 'is not', null).executeTakeFirst(),
    db.selectFrom('passkeys').select('id').where('member_id', '=', memberId).limit(1).executeTakeFirst(),
  ]);
  return Boolean(totp || passkey);
}

/** Whether the session was started with a second factor (passkey sign-in, or a passed TOTP / recovery-code / passkey challenge). */
async function sessionUsedSecondFactor(db: Kysely<Database>, memberId: string, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'accounts.logged_in')
    .where('subject_type', '=', 'member')
    .where('subject_id', '=', memberId)
    .where((eb) => eb(eb.ref('details', '->>').key('sessionId' as never), '=', sessionId))
    .orderBy('seq', 'desc')
    .executeTakeFirst();
  const details = (row?.details ?? {}) as { method?: string; factor?: string };
  return details.method === 'passkey' || (details.method === 'challenge' && STRONG_FACTORS.has(details.factor ?? ''));
}

/**
 * Route helper for staff-only routes (least privilege, ADR 0012), used like `signedInMember()`:
 *
 *   const staff = await requireStaff({ sessions, db }, 'privacy_officer')(request);
 *
 * Needs a signed-in member (401 `unauthenticated`) who holds `role` (403 `staff_only`), whose
 * sign-in is less than 10 minutes old and — if they have an authenticator app or a passkey — was
 * made with it (403 `reauth_required`). Refusals are audited. Also usable as a `preHandler`.
 */
export function requireStaff(access: StaffAccess, role: StaffRole): (request: FastifyRequest) => Promise<StaffSession> {
  const { sessions, db, clock = () => new Date() } = access;
  const refuse = async (memberId: string, reason: 'staff_only' | 'reauth_required') => {
    await db.transaction().execute((trx) =>
      appendAudit(trx, { type: 'member', id: memberId }, { action: 'staff.access_refused', subjectType: 'member', subjectId: memberId, details: { role, reason } }, { purpose: 'security', at: clock() }),
    );
    return reason === 'staff_only'
      ? new AppError('staff_only', 403, `not a ${role}`)
      : new AppError('reauth_required', 403, `staff action needs a recent sign-in with the second factor (${role})`);
  };
  return async (request) => {
    const session = await signedInMember(sessions, request);
    if (!(await hasStaffRole(db, session.memberId, role))) throw await refuse(session.memberId, 'staff_only');
    const startedAt = await sessions.startedAt(session.sessionId);
    const recent = startedAt !== undefined && clock().getTime() - startedAt.getTime() <= STAFF_RECENT_SIGN_IN_MS;
    if (!recent || ((await hasSecondFactor(db, session.memberId)) && !(await sessionUsedSecondFactor(db, session.memberId, session.sessionId)))) {
      throw await refuse(session.memberId, 'reauth_required');
    }
    return { ...session, staffId: session.memberId, role };
  };
}

export interface StaffRead {
  /** The staff member's member id. */
  staffId: string;
  role: StaffRole;
  /** Whose data was read. */
  memberId: string;
  /** Why (a data-map purpose): shown to the member on "your data". */
  purpose: Purpose;
  /** What was read, as a short code (e.g. `rights_requests`, `profile`, `face_photo`); never a value. */
  what: string;
  at?: Date;
}

/**
 * Records that staff read a member's personal data: audit action `staff.data_read`, actor
 * `staff` + the staff member's id, subject the member, with the role and purpose. The member's
 * access log on "your data" lists it (time, role, purpose). Pass the transaction the read runs
 * in if there is one (never `db` inside a transaction); with `db` it opens its own.
 */
export async function auditStaffRead(executor: Executor, read: StaffRead): Promise<void> {
  const write = (trx: Transaction<Database>) =>
    appendAudit(
      trx,
      { type: 'staff', id: read.staffId },
      { action: 'staff.data_read', subjectType: 'member', subjectId: read.memberId, details: { role: read.role, what: read.what } },
      { purpose: read.purpose, at: read.at ?? new Date() },
    );
  if (executor.isTransaction) await write(executor as Transaction<Database>);
  else await executor.transaction().execute(write);
}

/** Operator CLI (`staff:grant <username> <role>`): grants a role; audited. Granting a role already held changes nothing. */
export async function grantStaffRole(
  db: Kysely<Database>,
  username: string,
  role: StaffRole,
  { by = 'operator:cli', now = new Date() }: { by?: string; now?: Date } = {},
): Promise<{ memberId: string; grantId: string; alreadyHeld: boolean }> {
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom('members').select(['id']).where('username_norm', '=', normalizeUsername(username)).forUpdate().executeTakeFirst();
    if (!member) throw new Error(`No member with username ${username}`);
    const held = await trx.selectFrom('staff_roles').select('id').where('member_id', '=', member.id).where('role', '=', role).where('revoked_at', 'is', null).executeTakeFirst();
    if (held) return { memberId: member.id, grantId: held.id, alreadyHeld: true };
    const grantId = crypto.randomUUID();
    await trx.insertInto('staff_roles').values({ id: grantId, member_id: member.id, role, granted_at: now, granted_by: by, revoked_at: null, revoked_by: null }).execute();
    await appendAudit(trx, { type: 'system', id: by }, { action: 'staff.role_granted', subjectType: 'member', subjectId: member.id, details: { role, grantId, by } }, { purpose: 'security', at: now });
    return { memberId: member.id, grantId, alreadyHeld: false };
  });
}

/** Operator CLI (`staff:revoke <username> <role>`): revokes the role at once; audited. */
export async function revokeStaffRole(
  db: Kysely<Database>,
  username: string,
  role: StaffRole,
  { by = 'operator:cli', now = new Date() }: { by?: string; now?: Date } = {},
): Promise<{ memberId: string; revoked: boolean }> {
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom('members').select(['id']).where('username_norm', '=', normalizeUsername(username)).forUpdate().executeTakeFirst();
    if (!member) throw new Error(`No member with username ${username}`);
    const rows = await trx
      .updateTable('staff_roles')
      .set({ revoked_at: now, revoked_by: by })
      .where('member_id', '=', member.id)
      .where('role', '=', role)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    for (const row of rows) {
      await appendAudit(trx, { type: 'system', id: by }, { action: 'staff.role_revoked', subjectType: 'member', subjectId: member.id, details: { role, grantId: row.id, by } }, { purpose: 'security', at: now });
    }
    return { memberId: member.id, revoked: rows.length > 0 };
  });
}

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}
