import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { fetchMe, signOut, type Me } from '../accounts/signin.js';
import { StaffHub } from '../moderation/StaffHub.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** Where each account page lives; the hub lists them in this order. */
const ACCOUNT_PAGES = [
  { to: '/account/sessions', key: 'sessions' },
  { to: '/account/security', key: 'security' },
  { to: '/account/two-factor', key: 'twoFactor' },
  { to: '/account/data', key: 'data' },
  // Texts under the rights module's own key (src/common/i18n/modules/rights.*.json).
  { to: '/account/details', key: 'details', titleKey: 'rights.details.title', descriptionKey: 'rights.details.description' },
  { to: '/account/privacy', key: 'consents' },
  // Texts under the face module's own key (src/common/i18n/modules/face.*.json).
  { to: '/account/face', key: 'face', titleKey: 'face.accountLink', descriptionKey: 'face.accountDescription' },
  // Texts under the erasure module's own key (src/common/i18n/modules/erasure.*.json).
  { to: '/account/delete', key: 'delete', titleKey: 'erasure.account.title', descriptionKey: 'erasure.account.description' },
  // Texts under the chat module's own key (src/common/i18n/modules/chat.*.json).
  { to: '/chats', key: 'chats', titleKey: 'chat.list.title', descriptionKey: 'chat.list.intro' },
  // Texts under the posts module's own key (src/common/i18n/modules/posts.*.json).
  { to: '/feed', key: 'feed', titleKey: 'posts.web.feedTitle', descriptionKey: 'posts.web.feedIntro' },
  // Texts under the connections module's own key (src/common/i18n/modules/connections.*.json).
  { to: '/connections', key: 'connections', titleKey: 'connections.account.title', descriptionKey: 'connections.account.description' },
  // Texts under the profiles module's own key (src/common/i18n/modules/profiles.*.json).
  { to: '/profile', key: 'profile', titleKey: 'profiles.account.link', descriptionKey: 'profiles.account.description' },
] as const;

/** "My account": who is signed in, the account's pages, and signing out. */
export function Account() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('account.title'));
  const [me, setMe] = useState<Me | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void fetchMe({ language }).then((outcome) => {
      if (outcome.kind === 'ok') setMe(outcome.value);
      else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setFailed(true);
    });
  }, [language, navigate]);

  async function leave(): Promise<void> {
    setBusy(true);
    const outcome = await signOut({ language });
    setBusy(false);
    if (outcome.kind === 'ok' || (outcome.kind === 'problem' && outcome.status === 401)) void navigate('/', { replace: true });
    else setFailed(true);
  }

  return (
    <div className="account narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('account.title')}</h1>
        {me && <p className="tagline">{t('sessions.signedInAs', { username: me.username })}</p>}
      </header>
      {failed && (
        <div className="error-summary" role="alert">
          <p>{t('signup.errors.network')}</p>
        </div>
      )}
      {me && (
        <>
          <nav aria-labelledby="account-pages-title">
            <h2 id="account-pages-title">{t('account.pagesTitle')}</h2>
            <ul className="account-pages">
              {ACCOUNT_PAGES.map((page) => (
                <li key={page.to}>
                  <Link to={page.to}>{t('titleKey' in page ? page.titleKey : `account.pages.${page.key}.title`)}</Link>
                  <p>{t('descriptionKey' in page ? page.descriptionKey : `account.pages.${page.key}.description`)}</p>
                </li>
              ))}
            </ul>
          </nav>
          <StaffHub />
          <button type="button" className="button" disabled={busy} onClick={() => void leave()}>
            {t('sessions.signOut')}
          </button>
        </>
      )}
    </div>
  );
}
