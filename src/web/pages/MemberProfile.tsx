import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { MemberProfileView } from '../../common/social/profile.js';
import { BlockReportMenu, KenalanRequestButton } from '../connections/index.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { fetchMember } from '../profiles/api.js';
import { ProfileView } from '../profiles/parts.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../profiles/profiles.css';

/**
 * Another member's profile as I may see it. `actions` is the slot the connections module fills
 * (the kenalan request button by default, for strangers).
 */
export function MemberProfile({ actions }: { actions?: (view: MemberProfileView) => ReactNode }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const { username = '' } = useParams();
  const signInIfNeeded = useSignInRedirect();
  const navigate = useNavigate();
  const [view, setView] = useState<MemberProfileView | null>(null);
  const [missing, setMissing] = useState(false);
  useDocumentTitle(view ? t('profiles.title.member', { nickname: view.nickname }) : t('profiles.title.discover'));

  useEffect(() => {
    setView(null);
    setMissing(false);
    void fetchMember(username, { language }).then((o) => {
      if (signInIfNeeded(o)) return;
      if (o.kind === 'ok') setView(o.value);
      else setMissing(true);
    });
  }, [username, language]);

  return (
    <div className="member-profile narrow">
      <p>
        <Link to="/discover">{t('profiles.actions.back')}</Link>
      </p>
      {missing && (
        <div className="error-summary" role="alert">
          <p>{t('profiles.member.notFound')}</p>
        </div>
      )}
      {view && (
        <>
          <h1 className="visually-hidden">{t('profiles.title.member', { nickname: view.nickname })}</h1>
          <ProfileView view={view}>
            <div className="request-slot">
              {actions ? actions(view) : view.viewer === 'stranger' ? <KenalanRequestButton username={view.username} name={view.nickname} /> : null}
            </div>
            {view.viewer !== 'self' && (
              // Connections module: block (then to the blocked list, where it can be undone) or report.
              <BlockReportMenu memberId={view.username} name={view.nickname} onBlocked={() => void navigate('/connections/blocked')} />
            )}
          </ProfileView>
        </>
      )}
    </div>
  );
}
