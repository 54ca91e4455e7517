import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { MemberProfileView } from '../../common/social/profile.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { fetchPreview } from '../profiles/api.js';
import { ProfileView } from '../profiles/parts.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../profiles/profiles.css';

/** My profile, seen as a stranger or as a connection sees it (the server builds exactly what they would receive). */
export function Profile() {
  const { t } = useTranslation();
  const language = useLanguage();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('profiles.title.own'));
  const [as, setAs] = useState<'stranger' | 'connection'>('stranger');
  const [view, setView] = useState<MemberProfileView | null>(null);
  const [error, setError] = useState(false);

  useEffect(() => {
    void fetchPreview(as, { language }).then((o) => {
      if (signInIfNeeded(o)) return;
      if (o.kind === 'ok') setView(o.value);
      else setError(true);
    });
  }, [as, language]);

  return (
    <div className="profile narrow">
      <header className="page-intro">
        <h1>{t('profiles.title.own')}</h1>
        <p className="tagline">
          <Link to="/profile/edit">{t('profiles.actions.edit')}</Link> · <Link to="/discover">{t('profiles.title.discover')}</Link>
        </p>
      </header>
      <h2>{t('profiles.preview.title')}</h2>
      <div className="preview-switch" role="group" aria-label={t('profiles.preview.title')}>
        {(['stranger', 'connection'] as const).map((level) => (
          <button key={level} type="button" className={`button ${as === level ? '' : 'button-secondary'}`} aria-pressed={as === level} onClick={() => setAs(level)}>
            {t(`profiles.preview.${level}`)}
          </button>
        ))}
      </div>
      <p className="field-hint">{t('profiles.preview.explain')}</p>
      {error && (
        <div className="error-summary" role="alert">
          <p>{t('profiles.error')}</p>
        </div>
      )}
      {view && <ProfileView view={view} />}
    </div>
  );
}
