import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { SignUpResult } from '../accounts/api.js';
import { maskEmail } from '../accounts/mask.js';
import { SignUpForm } from '../accounts/SignUpForm.js';
import { useDocumentTitle } from '../useDocumentTitle.js';

export function SignUp() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useDocumentTitle(t('signup.title'));

  function created(result: SignUpResult, entered: { guardianEmail?: string }): void {
    // The id goes in the URL (the verify page reloads its state from the server); the guardian's
    // address, masked, only in this history entry's state (which survives a reload) — no browser storage.
    const state = { status: result.status, ...(entered.guardianEmail ? { guardianEmailMasked: maskEmail(entered.guardianEmail) } : {}) };
    void navigate(`/signup/verify?member=${encodeURIComponent(result.id)}`, { state });
  }

  return (
    <div className="signup narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('signup.title')}</h1>
        <p className="tagline">{t('signup.tagline')}</p>
      </header>
      <p>{t('signup.intro')}</p>
      <SignUpForm onCreated={created} />
    </div>
  );
}
