import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';

/** Between the three pages: connections, requests, blocked members. */
export function ConnectionsNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('connections.account.title')}>
      <ul className="connections-nav">
        <li>
          <NavLink to="/connections" end>
            {t('connections.nav.connections')}
          </NavLink>
        </li>
        <li>
          <NavLink to="/connections/requests">{t('connections.nav.requests')}</NavLink>
        </li>
        <li>
          <NavLink to="/connections/blocked">{t('connections.nav.blocked')}</NavLink>
        </li>
      </ul>
    </nav>
  );
}
