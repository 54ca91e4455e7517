import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLanguage } from '../useLanguage.js';
import { fetchStaffRoles } from './api.js';
import './moderation.css';

/** The staff page of each role (a role without a page, e.g. support, shows none). */
const STAFF_PAGES = [
  { role: 'privacy_officer', to: '/staff/requests' },
  { role: 'moderator', to: '/staff/reports' },
  { role: 'face_reviewer', to: '/staff/face-reviews' },
] as const;

/**
 * The staff hub on the account page: links to the staff pages of the roles the signed-in member
 * holds. Members without a role (nearly everyone) see nothing at all.
 */
export function StaffHub() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [roles, setRoles] = useState<string[]>([]);

  useEffect(() => {
    let current = true;
    void fetchStaffRoles(language).then((outcome) => {
      if (current && outcome.kind === 'ok') setRoles(outcome.value.roles);
    });
    return () => {
      current = false;
    };
  }, [language]);

  const pages = STAFF_PAGES.filter((p) => roles.includes(p.role));
  if (pages.length === 0) return null;
  return (
    <nav aria-labelledby="staff-hub-title" className="staff-hub">
      <h2 id="staff-hub-title">{t('moderation.hub.title')}</h2>
      <p>{t('moderation.hub.intro')}</p>
      <ul>
        {pages.map((p) => (
          <li key={p.to}>
            <Link to={p.to}>{t(`moderation.hub.links.${p.role}`)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
