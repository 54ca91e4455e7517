import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { answerRequest, displayName, fetchIncoming, fetchOutgoing, type KenalanRequest } from '../connections/api.js';
import { ConnectionsNav } from '../connections/ConnectionsNav.js';
import { SendRequestForm } from '../connections/SendRequestForm.js';
import { MemberRow } from '../connections/MemberRow.js';
import { problemText } from '../connections/problems.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { formatDateTime } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../connections/connections.css';

type Direction = 'incoming' | 'outgoing';

/** Kenalan requests: received (accept / decline) and sent (withdraw), each list newest first. */
export function Requests() {
  const { t } = useTranslation();
  const language = useLanguage();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('connections.requests.title'));
  const [lists, setLists] = useState<Record<Direction, KenalanRequest[] | null>>({ incoming: null, outgoing: null });
  const [next, setNext] = useState<Record<Direction, string | null>>({ incoming: null, outgoing: null });
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (direction: Direction, cursor: string | null) => {
      const outcome = await (direction === 'incoming' ? fetchIncoming : fetchOutgoing)(cursor, { language });
      if (signInIfNeeded(outcome)) return;
      if (outcome.kind !== 'ok') {
        setError(problemText(outcome, t));
        return;
      }
      setLists((prev) => ({ ...prev, [direction]: cursor && prev[direction] ? [...prev[direction], ...outcome.value.items] : outcome.value.items }));
      setNext((prev) => ({ ...prev, [direction]: outcome.value.next }));
    },
    [language],
  );

  useEffect(() => {
    void load('incoming', null);
    void load('outgoing', null);
  }, [load]);

  async function answer(direction: Direction, request: KenalanRequest, action: 'accept' | 'decline' | 'withdraw'): Promise<void> {
    if (busy) return;
    setBusy(true);
    const outcome = await answerRequest(request.id, action, { language });
    setBusy(false);
    if (signInIfNeeded(outcome)) return;
    if (outcome.kind !== 'ok') {
      setStatus(problemText(outcome, t));
    } else {
      const key = action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'withdrawn';
      setStatus(t(`connections.requests.${key}`, { name: displayName(request.member) }));
    }
    setLists((prev) => ({ ...prev, [direction]: prev[direction]?.filter((r) => r.id !== request.id) ?? null }));
    titleRef.current?.focus();
  }

  function section(direction: Direction) {
    const items = lists[direction];
    const headingId = `requests-${direction}`;
    return (
      <section aria-labelledby={headingId}>
        <h2 id={headingId}>{t(`connections.requests.${direction}`)}</h2>
        {items && items.length === 0 && <p>{t(direction === 'incoming' ? 'connections.requests.emptyIncoming' : 'connections.requests.emptyOutgoing')}</p>}
        {items && items.length > 0 && (
          <ul className="member-list" aria-labelledby={headingId}>
            {items.map((r) => {
              const name = displayName(r.member);
              return (
                <MemberRow
                  key={r.id}
                  member={r.member}
                  meta={t('connections.requests.sentAt', { when: formatDateTime(r.createdAt, language) })}
                  actions={
                    direction === 'incoming' ? (
                      <>
                        <button type="button" className="button" disabled={busy} aria-label={`${t('connections.requests.accept')}: ${name}`} onClick={() => void answer(direction, r, 'accept')}>
                          {t('connections.requests.accept')}
                        </button>
                        <button type="button" className="button button-secondary" disabled={busy} aria-label={`${t('connections.requests.decline')}: ${name}`} onClick={() => void answer(direction, r, 'decline')}>
                          {t('connections.requests.decline')}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="button button-secondary" disabled={busy} aria-label={`${t('connections.requests.withdraw')}: ${name}`} onClick={() => void answer(direction, r, 'withdraw')}>
                        {t('connections.requests.withdraw')}
                      </button>
                    )
                  }
                >
                  <p className="member-intro">{r.intro ?? t('connections.requests.noIntro')}</p>
                </MemberRow>
              );
            })}
          </ul>
        )}
        {next[direction] && (
          <button type="button" className="button button-secondary" onClick={() => void load(direction, next[direction])}>
            {t('connections.requests.more')}
          </button>
        )}
      </section>
    );
  }

  return (
    <div className="requests narrow">
      <header className="page-intro">
        <h1 tabIndex={-1} ref={titleRef}>
          {t('connections.requests.title')}
        </h1>
      </header>
      <ConnectionsNav />
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <p role="status" className="connections-status">
        {status}
      </p>
      {section('incoming')}
      {section('outgoing')}
      <SendRequestForm onSent={() => void load('outgoing', null)} />
    </div>
  );
}
