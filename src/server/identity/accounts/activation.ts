import type { GuardianStatus, MemberStatus } from '../../platform/db/schema.js';

/**
 * When an account becomes `active` (P5.1): an adult once both the email address and the mobile
 * number are verified; a minor (`pending_guardian`) only when, in addition, the guardian has
 * consented — the three steps may happen in any order, and whichever comes last activates.
 * Every caller holds the member row's lock (SELECT … FOR UPDATE) when it decides.
 */
export function readyToActivate(
  member: { status: MemberStatus; email_verified_at: Date | null; phone_verified_at: Date | null },
  guardian: GuardianStatus | undefined,
): boolean {
  if (member.email_verified_at === null || member.phone_verified_at === null) return false;
  if (member.status === 'pending_verification') return true;
  if (member.status === 'pending_guardian') return guardian === 'consented';
  return false;
}
