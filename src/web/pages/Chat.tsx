import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { deleteMessage, fetchFormerHistory, fetchHistory, markRead, newClientKey, sendPhoto, sendText, type ChatMessage, type ChatPartner } from '../chat/api.js';
import { emptyReceipts, recordReceipt, withReceipts } from '../chat/receipts.js';
import '../chat/chat.css';
import { formatDateTime } from '../locale.js';
import { live, type LiveEvent, type LiveState } from '../realtime/live.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** A message not yet acknowledged by the server; resent with the same client key until it is. */
interface Pending {
  clientKey: string;
  body: string;
  photo?: File;
  createdAt: string;
  failed: boolean;
  error?: string;
}

type Receipt = 'sent' | 'delivered' | 'read';
const receiptOf = (m: ChatMessage): Receipt => (m.readAt ? 'read' : m.deliveredAt ? 'delivered' : 'sent');
const byTime = (x: ChatMessage, y: ChatMessage) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id);

/** `/chats/:memberId`: a live 1:1 chat with history, photos, receipts and delete. */
export function Chat() {
  const { memberId = '' } = useParams();
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const [partner, setPartner] = useState<ChatPartner | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const [pending, setPending] = useState<Pending[]>([]);
  const [text, setText] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [liveState, setLiveState] = useState<LiveState>('idle');
  const historyRef = useRef<HTMLOListElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const pendingRef = useRef<Pending[]>([]);
  pendingRef.current = pending;
  const keepScroll = useRef<{ height: number; top: number } | null>(null);
  const stickToBottom = useRef(true);
  const partnerRef = useRef<ChatPartner | null>(null);
  partnerRef.current = partner;
  const messagesConversation = useRef<string | null>(null);
  messagesConversation.current = messages[0]?.conversationId ?? null;
  // Receipts of this conversation seen so far, applied to every message merged later (chat/receipts.ts).
  const receipts = useRef(emptyReceipts());
  const receiptsOf = useRef(memberId);
  if (receiptsOf.current !== memberId) {
    receiptsOf.current = memberId;
    receipts.current = emptyReceipts();
  }

  useDocumentTitle(partner ? t('chat.page.withName', { name: partner.nickname }) : t('chat.title'));

  const merge = useCallback((incoming: ChatMessage[]) => {
    setMessages((current) => {
      const map = new Map(current.map((m) => [m.id, m]));
      for (const m of incoming) map.set(m.id, withReceipts(m, receipts.current));
      return [...map.values()].sort(byTime);
    });
    const keys = new Set(incoming.map((m) => m.clientKey).filter(Boolean));
    if (keys.size > 0) setPending((p) => p.filter((x) => !keys.has(x.clientKey)));
  }, []);

  const readNow = useCallback(() => {
    if (document.visibilityState !== 'visible') return;
    if (!live().send({ type: 'chat.read', with: memberId })) void markRead(memberId, { language });
  }, [memberId, language]);

  const loadLatest = useCallback(async () => {
    const outcome = await fetchHistory(memberId, null, { language });
    if (outcome.kind === 'ok') {
      setPartner(outcome.value.member);
      merge(outcome.value.messages);
      setCursor((c) => c ?? outcome.value.nextCursor);
      setLoaded(true);
      setNotFound(false);
      if (outcome.value.messages.some((m) => m.from === 'them' && !m.readAt)) readNow();
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else if (outcome.kind === 'problem' && outcome.status === 404) setNotFound(true);
    else setError(t('chat.errors.network'));
  }, [memberId, language, merge, navigate, readNow, t]);

  async function loadOlder(): Promise<void> {
    if (!cursor || loadingOlder) return;
    setLoadingOlder(true);
    const list = historyRef.current;
    keepScroll.current = list ? { height: list.scrollHeight, top: list.scrollTop } : null;
    const outcome = await fetchHistory(memberId, cursor, { language });
    if (outcome.kind === 'ok') {
      merge(outcome.value.messages);
      setCursor(outcome.value.nextCursor);
    } else setError(t('chat.errors.network'));
    setLoadingOlder(false);
  }

  // Keep the reader's place when older messages are added above; follow new ones at the bottom.
  useLayoutEffect(() => {
    const list = historyRef.current;
    if (!list) return;
    if (keepScroll.current) {
      list.scrollTop = list.scrollHeight - keepScroll.current.height + keepScroll.current.top;
      keepScroll.current = null;
    } else if (stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [messages, pending]);

  /** Sends (or resends, with the same client key) one pending message: text over the socket when open, else REST; photos over REST. */
  const deliver = useCallback(
    async (p: Pending) => {
      if (!p.photo && live().send({ type: 'chat.send', to: memberId, clientKey: p.clientKey, body: p.body })) return;
      const outcome = p.photo ? await sendPhoto(memberId, p.clientKey, p.photo, p.body, { language }) : await sendText(memberId, p.clientKey, p.body, { language });
      if (outcome.kind === 'ok') merge([outcome.value.message]);
      else {
        const detail = outcome.kind === 'problem' ? (Object.values(outcome.fields)[0] ?? outcome.detail) : t('chat.errors.network');
        setPending((list) => list.map((x) => (x.clientKey === p.clientKey ? { ...x, failed: true, ...(detail ? { error: detail } : {}) } : x)));
        if (detail) setError(detail);
      }
    },
    [memberId, language, merge, t],
  );

  useEffect(() => {
    void loadLatest();
    const client = live();
    const mine = (e: LiveEvent) => e.with === memberId || (e.message as ChatMessage | undefined)?.conversationId === messagesConversation.current;
    const offs = [
      client.onState((state) => {
        setLiveState(state);
        // Back online: everything not acknowledged goes again, under the same client keys.
        if (state === 'open') for (const p of pendingRef.current) void deliver(p);
      }),
      client.subscribe('chat.message', (event) => {
        const message = event.message as ChatMessage;
        if (message.from === 'them') client.send({ type: 'chat.delivered', messageIds: [message.id] });
        const ours = message.from === 'them' ? message.senderId === memberId : messagesConversation.current === message.conversationId || !!message.photo?.url.includes(memberId);
        if (!ours) return;
        merge([message]);
        if (message.from === 'them') {
          setStatus(t('chat.page.newMessage', { name: partnerRef.current?.nickname ?? '' }));
          readNow();
        }
      }),
      client.subscribe('chat.ack', (event) => merge([event.message as ChatMessage])),
      client.subscribe('chat.error', (event) => {
        const key = event.clientKey as string | undefined;
        const detail = Array.isArray(event.errors) && event.errors[0] ? String((event.errors[0] as { message: string }).message) : String(event.detail ?? '');
        if (key) setPending((list) => list.map((x) => (x.clientKey === key ? { ...x, failed: true, error: detail } : x)));
        setError(detail);
      }),
      client.subscribe('chat.receipt', (event) => {
        if (!mine(event)) return;
        recordReceipt(receipts.current, {
          status: event.status === 'read' ? 'read' : 'delivered',
          messageIds: (event.messageIds as string[] | undefined) ?? [],
          upTo: event.upTo ? String(event.upTo) : null,
          at: String(event.at ?? new Date().toISOString()),
        });
        setMessages((list) => list.map((m) => withReceipts(m, receipts.current)));
      }),
      client.subscribe('chat.deleted', (event) => {
        if (!mine(event)) return;
        setMessages((list) => list.map((m) => (m.id === event.messageId ? { ...m, deleted: true, body: null, photo: null } : m)));
      }),
      client.subscribe('live.resync', () => void loadLatest()),
    ];
    const onVisible = () => readNow();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      offs.forEach((off) => off());
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [loadLatest, merge, deliver, readNow, memberId, t]);

  function submit(event: FormEvent): void {
    event.preventDefault();
    setError('');
    const body = text.trim();
    if (!body && !photo) {
      setError(t('chat.errors.empty'));
      return;
    }
    const p: Pending = { clientKey: newClientKey(), body, createdAt: new Date().toISOString(), failed: false, ...(photo ? { photo } : {}) };
    setPending((list) => [...list, p]);
    setText('');
    setPhoto(null);
    if (fileRef.current) fileRef.current.value = '';
    stickToBottom.current = true;
    void deliver(p);
  }

  async function remove(m: ChatMessage, scope: 'me' | 'both'): Promise<void> {
    const outcome = await deleteMessage(memberId, m.id, scope, { language });
    if (outcome.kind === 'ok') {
      if (scope === 'me') setMessages((list) => list.filter((x) => x.id !== m.id));
      else setMessages((list) => list.map((x) => (x.id === m.id ? { ...x, deleted: true, body: null, photo: null } : x)));
      setStatus(t(scope === 'me' ? 'chat.page.deletedForMe' : 'chat.page.deletedForBoth'));
    } else setError(outcome.kind === 'problem' ? (outcome.detail ?? t('chat.errors.network')) : t('chat.errors.network'));
  }

  if (notFound) {
    return (
      <div className="chat narrow">
        <p className="chat-back">
          <Link to="/chats">← {t('chat.page.back')}</Link>
        </p>
        <div className="error-summary" role="alert">
          <p>{t('chat.errors.notFound')}</p>
        </div>
      </div>
    );
  }

  const name = partner?.nickname ?? '';
  const receiptMark: Record<Receipt, string> = { sent: '✓', delivered: '✓✓', read: '✓✓' };

  return (
    <div className="chat narrow">
      <p className="chat-back">
        <Link to="/chats">← {t('chat.page.back')}</Link>
      </p>
      <header className="chat-header">
        <h1 tabIndex={-1}>{partner ? t('chat.page.withName', { name }) : t('chat.title')}</h1>
        {partner && <p className="chat-username">@{partner.username}</p>}
        <p className={`chat-live chat-live-${liveState}`}>{liveState === 'open' ? t('chat.page.live.open') : liveState === 'reconnecting' ? t('chat.page.live.reconnecting') : t('chat.page.live.connecting')}</p>
      </header>

      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <p role="status" className="visually-hidden">
        {status}
      </p>

      {!loaded && !error && <p>{t('chat.page.loading')}</p>}
      {loaded && (
        <>
          {cursor ? (
            <button type="button" className="button button-secondary chat-older" disabled={loadingOlder} onClick={() => void loadOlder()}>
              {loadingOlder ? t('chat.page.loadingOlder') : t('chat.page.loadOlder')}
            </button>
          ) : (
            <p className="chat-start">{t('chat.page.start')}</p>
          )}
          <ol
            className="chat-history"
            ref={historyRef}
            aria-label={t('chat.page.historyLabel')}
            tabIndex={0}
            onScroll={(e) => {
              const el = e.currentTarget;
              stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
              if (el.scrollTop < 40 && cursor && !loadingOlder) void loadOlder();
            }}
          >
            {messages.map((m) => {
              const who = m.from === 'me' ? t('chat.page.me') : m.senderId ? name : t('chat.page.formerMember');
              const receipt = receiptOf(m);
              return (
                <li key={m.id} className={`chat-message ${m.from === 'me' ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`}>
                  <span className="visually-hidden">{who}: </span>
                  {m.deleted ? (
                    <p className="chat-body chat-tombstone">{t('chat.page.deletedTombstone')}</p>
                  ) : (
                    <>
                      {m.photo && (
                        <img
                          className="chat-photo"
                          src={m.photo.url}
                          width={m.photo.width}
                          height={m.photo.height}
                          loading="lazy"
                          alt={m.from === 'me' ? t('chat.page.photoAltMine') : t('chat.page.photoAlt', { name: who })}
                        />
                      )}
                      {m.body && <p className="chat-body">{m.body}</p>}
                    </>
                  )}
                  <p className="chat-meta">
                    <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, language)}</time>
                    {m.from === 'me' && !m.deleted && (
                      <span className={`chat-receipt chat-receipt-${receipt}`}>
                        <span aria-hidden="true">{receiptMark[receipt]}</span>
                        <span className="visually-hidden">{t(`chat.page.status.${receipt}`)}</span>
                        <span className="chat-receipt-text" aria-hidden="true">
                          {t(`chat.page.status.${receipt}`)}
                        </span>
                      </span>
                    )}
                  </p>
                  {!m.deleted && (
                    <details className="chat-actions">
                      <summary>
                        <span aria-hidden="true">⋯</span>
                        <span className="visually-hidden">{t('chat.page.actions')}</span>
                      </summary>
                      <div className="chat-actions-menu">
                        <button type="button" className="button button-secondary" onClick={() => void remove(m, 'me')}>
                          {t('chat.page.deleteForMe')}
                        </button>
                        {m.from === 'me' && (
                          <button type="button" className="button button-secondary" onClick={() => void remove(m, 'both')}>
                            {t('chat.page.deleteForBoth')}
                          </button>
                        )}
                      </div>
                    </details>
                  )}
                </li>
              );
            })}
            {pending.map((p) => (
              <li key={p.clientKey} className="chat-message mine pending">
                {p.photo && <p className="chat-body">📷 {p.photo.name}</p>}
                {p.body && <p className="chat-body">{p.body}</p>}
                <p className="chat-meta">
                  <span className="chat-receipt">{p.failed ? t('chat.page.status.failed') : t('chat.page.status.sending')}</span>
                </p>
              </li>
            ))}
          </ol>

          <form className="chat-composer" onSubmit={submit} noValidate>
            <label htmlFor="chat-text" className="visually-hidden">
              {t('chat.page.composerLabel')}
            </label>
            <textarea
              id="chat-text"
              rows={2}
              maxLength={2000}
              value={text}
              placeholder={t('chat.page.placeholder')}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
            />
            <div className="chat-photo-pick">
              <input
                id="chat-photo"
                ref={fileRef}
                className="visually-hidden"
                type="file"
                accept="image/jpeg,image/png,image/webp,image/avif"
                aria-describedby="chat-photo-reminder"
                onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
              />
              <label htmlFor="chat-photo" className="button button-secondary">
                {t('chat.page.attachPhoto')}
              </label>
              {photo && (
                <p className="chat-photo-chosen">
                  {t('chat.page.photoChosen', { name: photo.name })}{' '}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      setPhoto(null);
                      if (fileRef.current) fileRef.current.value = '';
                    }}
                  >
                    {t('chat.page.removePhoto')}
                  </button>
                </p>
              )}
              <p id="chat-photo-reminder" className={photo ? 'chat-reminder shown' : 'field-hint'}>
                {t('chat.page.photoReminder')}
              </p>
            </div>
            <button type="submit" className="button">
              {t('chat.page.send')}
            </button>
          </form>
        </>
      )}
    </div>
  );
}

/** `/chats/former/:conversationId`: read-only history with a member whose account was erased. */
export function FormerChat() {
  const { conversationId = '' } = useParams();
  const { t } = useTranslation();
  const language = useLanguage();
  const [messages, setMessages] = useState<ChatMessage[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useDocumentTitle(t('chat.page.withName', { name: t('chat.page.formerMember') }));

  const load = useCallback(
    async (before: string | null) => {
      const outcome = await fetchFormerHistory(conversationId, before, { language });
      if (outcome.kind !== 'ok') {
        setFailed(true);
        return;
      }
      setMessages((current) => [...outcome.value.messages].reverse().concat(before ? (current ?? []) : []));
      setCursor(outcome.value.nextCursor);
    },
    [conversationId, language],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <div className="chat narrow">
      <p className="chat-back">
        <Link to="/chats">← {t('chat.page.back')}</Link>
      </p>
      <header className="chat-header">
        <h1 tabIndex={-1}>{t('chat.page.withName', { name: t('chat.page.formerMember') })}</h1>
      </header>
      {failed && (
        <div className="error-summary" role="alert">
          <p>{t('chat.errors.notFound')}</p>
        </div>
      )}
      {messages && (
        <>
          {cursor && (
            <button type="button" className="button button-secondary chat-older" onClick={() => void load(cursor)}>
              {t('chat.page.loadOlder')}
            </button>
          )}
          <ol className="chat-history" aria-label={t('chat.page.historyLabel')} tabIndex={0}>
            {messages.map((m) => (
              <li key={m.id} className={`chat-message ${m.from === 'me' ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`}>
                <span className="visually-hidden">{m.from === 'me' ? t('chat.page.me') : t('chat.page.formerMember')}: </span>
                <p className={m.deleted ? 'chat-body chat-tombstone' : 'chat-body'}>{m.deleted ? t('chat.page.deletedTombstone') : m.body}</p>
                <p className="chat-meta">
                  <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, language)}</time>
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
