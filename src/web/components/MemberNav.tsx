import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { AccountIcon, ChatsIcon, ConnectionsIcon, DiscoverIcon, FeedIcon } from './NavIcons.js';
import { useUnreadChats } from './useUnreadChats.js';
import './member-nav.css';

function Tab({ to, icon, label, name, count }: { to: string; icon: ReactNode; label: string; name?: string; count?: number }) {
  return (
    <li>
      {/* The accessible name contains the visible label (WCAG 2.5.3) and adds the count or the username. */}
      <NavLink to={to} className="member-tab" aria-label={name}>
        <span className="member-tab-icon">
          {icon}
          {count !== undefined && count > 0 && (
            <span className="member-tab-count" aria-hidden="true">
              {count > 99 ? '99+' : count}
            </span>
          )}
        </span>
        <span className="member-tab-label">{label}</span>
      </NavLink>
    </li>
  );
}

/**
 * The signed-in member's places: a bottom tab bar on phones, the same links in the header on wider
 * screens (one list, laid out by CSS, so keyboard and screen-reader users meet it once).
 */
export function MemberNav({ username }: { username: string }) {
  const { t } = useTranslation();
  const unreadChats = useUnreadChats();
  return (
    <ul className="member-tabs">
      <Tab to="/discover" icon={<DiscoverIcon />} label={t('memberNav.discover')} />
      <Tab
        to="/chats"
        icon={<ChatsIcon />}
        label={t('memberNav.chats')}
        count={unreadChats}
        {...(unreadChats > 0 ? { name: t('memberNav.chatsUnread', { count: unreadChats }) } : {})}
      />
      <Tab to="/feed" icon={<FeedIcon />} label={t('memberNav.feed')} />
      <Tab to="/connections" icon={<ConnectionsIcon />} label={t('memberNav.connections')} />
      <Tab to="/account" icon={<AccountIcon />} label={t('memberNav.account')} name={t('app.nav.accountOf', { username })} />
    </ul>
  );
}
