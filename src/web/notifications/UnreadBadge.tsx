import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import '../posts/posts.css';
import { live } from '../realtime/live.js';
import { useLanguage } from '../useLanguage.js';
import { fetchUnread, READ_EVENT } from './api.js';

/** The header's notifications link: a bell with the unread count, kept current over the live socket. */
export function UnreadBadge() {
  const { t } = useTranslation();
  const language = useLanguage();
  const { pathname } = useLocation();
  const [unread, setUnread] = useState(0);

  useEffect(() => {
    let current = true;
    const load = () =>
      void fetchUnread({ language }).then((outcome) => {
        if (current && outcome.kind === 'ok') setUnread(outcome.value.unread);
      });
    load();
    const client = live();
    const offs = [client.subscribe('notification', load), client.subscribe('notifications.read', load), client.subscribe('live.resync', load)];
    window.addEventListener(READ_EVENT, load);
    return () => {
      current = false;
      offs.forEach((off) => off());
      window.removeEventListener(READ_EVENT, load);
    };
  }, [language, pathname]);

  const label = unread > 0 ? `${t('posts.web.notificationsTitle')}, ${t('posts.web.unreadBadge', { count: unread })}` : t('posts.web.notificationsTitle');
  return (
    <NavLink to="/notifications" className="nav-bell" aria-label={label} title={label}>
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
      </svg>
      {unread > 0 && (
        <span className="badge" data-testid="unread-count">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </NavLink>
  );
}
