import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { fetchConversations, type ConversationSummary } from '../chat/api.js';
import '../chat/chat.css';
import { formatDateTime } from '../locale.js';
import { live } from '../realtime/live.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** `/chats`: my conversations (last message, unread count), kept current over the live socket. */
export function Chats() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('chat.list.title'));
  const [items, setItems] = useState<ConversationSummary[] | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(async () => {
    const outcome = await fetchConversations({ language });
    if (outcome.kind === 'ok') {
      setItems(outcome.value.conversations);
      setFailed(false);
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else setFailed(true);
  }, [language, navigate]);

  useEffect(() => {
    void load();
    const client = live();
    const refresh = () => void load();
    const offs = [
      client.subscribe('chat.message', (event) => {
        const message = event.message as { id: string; from: string } | undefined;
        // This socket received it: tell the sender (✓✓), then show it in the list.
        if (message?.from === 'them') client.send({ type: 'chat.delivered', messageIds: [message.id] });
        refresh();
      }),
      client.subscribe('chat.read', refresh),
      client.subscribe('chat.deleted', refresh),
      client.subscribe('live.resync', refresh),
    ];
    return () => offs.forEach((off) => off());
  }, [load]);

  const name = (c: ConversationSummary) => (c.member ? c.member.nickname : t('chat.page.formerMember'));

  function preview(c: ConversationSummary): string {
    if (!c.last) return t('chat.list.noMessages');
    if (c.last.deleted) return t('chat.list.deleted');
    const text = c.last.preview ?? (c.last.photo ? t('chat.list.photo') : '');
    return `${c.last.from === 'me' ? t('chat.list.you') : ''}${c.last.photo && c.last.preview ? `${t('chat.list.photo')}: ` : ''}${text}`;
  }

  return (
    <div className="chats narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('chat.list.title')}</h1>
        <p className="tagline">{t('chat.list.intro')}</p>
      </header>
      {failed && (
        <div className="error-summary" role="alert">
          <p>{t('chat.errors.network')}</p>
        </div>
      )}
      {items === null && !failed && <p>{t('chat.list.loading')}</p>}
      {items && items.length === 0 && <p>{t('chat.list.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="chat-list">
          {items.map((c) =>
            c.member || c.conversationId ? (
              <li key={c.member?.id ?? c.conversationId} className={c.unread > 0 ? 'chat-item unread' : 'chat-item'}>
                <Link
                  to={c.member ? `/chats/${c.member.id}` : `/chats/former/${c.conversationId}`}
                  aria-label={t('chat.list.openWith', { name: name(c) })}
                  className="chat-item-link"
                >
                  <span className="chat-item-name">
                    {name(c)} {c.member && <span className="chat-item-username">@{c.member.username}</span>}
                  </span>
                  <span className="chat-item-preview">{preview(c)}</span>
                  <span className="chat-item-meta">
                    {c.last && <time dateTime={c.last.createdAt}>{formatDateTime(c.last.createdAt, language)}</time>}
                    {c.unread > 0 && <span className="chat-unread">{t('chat.list.unread', { count: c.unread })}</span>}
                  </span>
                </Link>
              </li>
            ) : null,
          )}
        </ul>
      )}
    </div>
  );
}
