/**
 * The consents a member manages on the privacy page (policy 1.5: prior, specific consent; all off
 * until turned on). Cookie purposes are chosen on the cookie page; face verification brings its
 * own consent step when it lands. Each id is a consent-ledger purpose.
 */
export const MEMBER_CONSENT_PURPOSES = [
  'marketing_email',
  'email_tracking',
  'personalized_recommendations',
  'share_affiliates',
  'share_partners',
  'research',
  // Given only on the face verification page (its own consent screen); withdrawable here too.
  'biometric_verification',
] as const;
export type MemberConsentPurpose = (typeof MEMBER_CONSENT_PURPOSES)[number];

export function isMemberConsentPurpose(value: string): value is MemberConsentPurpose {
  return (MEMBER_CONSENT_PURPOSES as readonly string[]).includes(value);
}
