import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { SignUpResult } from '../accounts/api.js';
import { SignUpForm } from '../accounts/SignUpForm.js';
import { useDocumentTitle } from '../useDocumentTitle.js';

export function SignUp() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useDocumentTitle(t('signup.title'));

  function created(result: SignUpResult): void {
    void navigate(`/signup/verify?member=${encodeURIComponent(result.id)}`, { state: { status: result.status } });
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
