import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatDateTime } from '../locale.js';
import { fetchNotifications, markAllRead, markRead, targetOf, type Notification } from '../notifications/api.js';
import { NotificationPreferences } from '../notifications/Preferences.js';
import '../posts/posts.css';
import { live } from '../realtime/live.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** `/notifications`: what happened while I was away (newest first), read state, and email preferences. */
export function Notifications() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('posts.web.notificationsTitle'));
  const [items, setItems] = useState<Notification[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(
    async (cursor: string | null) => {
      const outcome = await fetchNotifications(cursor, { language });
      if (outcome.kind === 'ok') {
        setItems((current) => (cursor && current ? [...current, ...outcome.value.notifications] : outcome.value.notifications));
        setNext(outcome.value.next);
        setFailed(false);
      } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setFailed(true);
    },
    [language, navigate],
  );

  useEffect(() => {
    void load(null);
    const client = live();
    const offs = [client.subscribe('notification', () => void load(null)), client.subscribe('live.resync', () => void load(null))];
    return () => offs.forEach((off) => off());
  }, [load]);

  async function read(n: Notification) {
    if (n.read) return;
    const outcome = await markRead(n.id, { language });
    if (outcome.kind === 'ok') setItems((current) => (current ?? []).map((x) => (x.id === n.id ? { ...x, read: true } : x)));
  }

  async function readAll() {
    const outcome = await markAllRead({ language });
    if (outcome.kind === 'ok') setItems((current) => (current ?? []).map((x) => ({ ...x, read: true })));
  }

  const actor = (n: Notification) => (n.actor ? `${n.actor.nickname} (@${n.actor.username})` : t('posts.notifications.formerMember'));
  const unread = items?.some((n) => !n.read) ?? false;

  return (
    <div className="notifications narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('posts.web.notificationsTitle')}</h1>
      </header>
      {failed && (
        <div className="error-summary" role="alert">
          <p>{t('posts.web.error')}</p>
        </div>
      )}
      {items === null && !failed && <p>{t('posts.web.loading')}</p>}
      {items && items.length === 0 && <p>{t('posts.web.notificationsEmpty')}</p>}
      {unread && (
        <div className="form-actions">
          <button type="button" className="button button-secondary" onClick={() => void readAll()}>
            {t('posts.web.markAllRead')}
          </button>
        </div>
      )}
      {items && items.length > 0 && (
        <ul className="notification-list">
          {items.map((n) => (
            <li key={n.id} className={n.read ? 'notification' : 'notification unread'}>
              <p className="notification-text">
                {!n.read && <span className="visually-hidden">{t('posts.web.unread')}: </span>}
                <Link to={targetOf(n)} onClick={() => void read(n)}>
                  {t(`posts.notifications.kinds.${n.kind}`, { actor: actor(n) })}
                </Link>
              </p>
              <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, language)}</time>
              {!n.read && (
                <button type="button" className="link-button" onClick={() => void read(n)}>
                  {t('posts.web.markRead')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {next && (
        <div className="form-actions">
          <button type="button" className="button button-secondary" onClick={() => void load(next)}>
            {t('posts.web.loadMore')}
          </button>
        </div>
      )}
      <NotificationPreferences />
    </div>
  );
}
