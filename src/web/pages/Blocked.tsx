import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchBlocks, unblockMember, type BlockedMember } from '../connections/api.js';
import { ConnectionsNav } from '../connections/ConnectionsNav.js';
import { MemberRow } from '../connections/MemberRow.js';
import { problemText } from '../connections/problems.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { formatLongDate } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../connections/connections.css';

/** Members I blocked, each with an unblock button (nothing that ended comes back). */
export function Blocked() {
  const { t } = useTranslation();
  const language = useLanguage();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('connections.blocked.title'));
  const [items, setItems] = useState<BlockedMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async () => {
      const outcome = await fetchBlocks({ language });
      if (signInIfNeeded(outcome)) return;
      if (outcome.kind !== 'ok') {
        setError(problemText(outcome, t));
        return;
      }
      setError(null);
      setItems(outcome.value);
    },
    [language],
  );

  useEffect(() => {
    void load();
  }, [load]);

  async function unblock(member: BlockedMember): Promise<void> {
    if (busy) return;
    setBusy(true);
    const outcome = await unblockMember(member.memberId, { language });
    setBusy(false);
    if (signInIfNeeded(outcome)) return;
    if (outcome.kind !== 'ok') {
      setStatus(problemText(outcome, t));
      return;
    }
    setStatus(t('connections.blocked.unblocked', { name: member.nickname }));
    setItems((prev) => prev?.filter((b) => b.memberId !== member.memberId) ?? null);
    titleRef.current?.focus();
  }

  return (
    <div className="blocked narrow">
      <header className="page-intro">
        <h1 tabIndex={-1} ref={titleRef}>
          {t('connections.blocked.title')}
        </h1>
        <p className="tagline">{t('connections.blocked.intro')}</p>
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
      {items && items.length === 0 && <p>{t('connections.blocked.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="member-list" aria-label={t('connections.blocked.title')}>
          {items.map((b) => (
            <MemberRow
              key={b.memberId}
              member={{ ...b, photoUrl: null }}
              meta={t('connections.blocked.since', { when: formatLongDate(b.since, language) })}
              actions={
                <button type="button" className="button button-secondary" disabled={busy} aria-label={t('connections.blocked.unblockLabel', { name: b.nickname })} onClick={() => void unblock(b)}>
                  {t('connections.blocked.unblock')}
                </button>
              }
            />
          ))}
        </ul>
      )}
    </div>
  );
}
