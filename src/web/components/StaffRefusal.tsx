import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { signOut } from '../accounts/signin.js';
import { useLanguage } from '../useLanguage.js';

/** What a staff API answers a member who may not act (no role) or must sign in again (second factor, recent sign-in). */
export type StaffRefusalCode = 'staff_only' | 'reauth_required';

export function isStaffRefusal(code: string | undefined): code is StaffRefusalCode {
  return code === 'staff_only' || code === 'reauth_required';
}

/** The staff pages' refusal, with "sign in again" when a fresh, strong sign-in would let them in. */
export function StaffRefusal({ refusal, texts }: { refusal: StaffRefusalCode; texts: { staffOnly: string; reauth: string; signInAgain: string } }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  async function signInAgain(): Promise<void> {
    await signOut({ language });
    void navigate('/signin');
  }
  return (
    <div className="error-summary" role="alert">
      <p>{t(refusal === 'staff_only' ? texts.staffOnly : texts.reauth)}</p>
      {refusal === 'reauth_required' && (
        <button type="button" className="button" onClick={() => void signInAgain()}>
          {t(texts.signInAgain)}
        </button>
      )}
    </div>
  );
}
