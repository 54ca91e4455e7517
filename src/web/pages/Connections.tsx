import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayName, fetchConnections, removeConnection, type Connection } from '../connections/api.js';
import { BlockReportMenu } from '../connections/BlockReportMenu.js';
import { ConnectionsNav } from '../connections/ConnectionsNav.js';
import { Dialog } from '../connections/Dialog.js';
import { MemberRow } from '../connections/MemberRow.js';
import { problemText } from '../connections/problems.js';
import { useSignInRedirect } from '../connections/useSignedIn.js';
import { formatLongDate } from '../locale.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import '../connections/connections.css';

/** My connections (newest first, paged), each removable after a confirmation. */
export function Connections() {
  const { t } = useTranslation();
  const language = useLanguage();
  const signInIfNeeded = useSignInRedirect();
  useDocumentTitle(t('connections.list.title'));
  const [items, setItems] = useState<Connection[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [confirm, setConfirm] = useState<Connection | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      const outcome = await fetchConnections(cursor, { language });
      if (signInIfNeeded(outcome)) return;
      if (outcome.kind !== 'ok') {
        setError(problemText(outcome, t));
        return;
      }
      setError(null);
      setItems((prev) => (cursor && prev ? [...prev, ...outcome.value.items] : outcome.value.items));
      setNext(outcome.value.next);
    },
    [language],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  async function remove(member: Connection): Promise<void> {
    if (busy) return;
    setBusy(true);
    const outcome = await removeConnection(member.memberId, { language });
    setBusy(false);
    if (signInIfNeeded(outcome)) return;
    setConfirm(null);
    if (outcome.kind !== 'ok') {
      setStatus(problemText(outcome, t));
      return;
    }
    setStatus(t('connections.list.removed', { name: displayName(member) }));
    setItems((prev) => prev?.filter((c) => c.memberId !== member.memberId) ?? null);
    titleRef.current?.focus();
  }

  return (
    <div className="connections narrow">
      <header className="page-intro">
        <h1 tabIndex={-1} ref={titleRef}>
          {t('connections.list.title')}
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
      {items && items.length === 0 && <p>{t('connections.list.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="member-list" aria-label={t('connections.list.title')}>
          {items.map((c) => (
            <MemberRow
              key={c.memberId}
              member={c}
              meta={t('connections.list.since', { when: formatLongDate(c.since, language) })}
              actions={
                <>
                  <button type="button" className="button button-secondary" aria-label={t('connections.list.removeLabel', { name: displayName(c) })} onClick={() => setConfirm(c)}>
                    {t('connections.list.remove')}
                  </button>
                  <BlockReportMenu memberId={c.memberId} name={displayName(c)} onBlocked={() => {
                      setItems((prev) => prev?.filter((x) => x.memberId !== c.memberId) ?? null);
                      setStatus(t('connections.menu.blocked', { name: displayName(c) }));
                      titleRef.current?.focus();
                    }} />
                </>
              }
            />
          ))}
        </ul>
      )}
      {next && (
        <button type="button" className="button button-secondary" onClick={() => void load(next)}>
          {t('connections.list.more')}
        </button>
      )}
      <Dialog title={t('connections.list.remove')} open={confirm !== null} onClose={() => setConfirm(null)}>
        {confirm && <p>{t('connections.list.removeConfirm', { name: displayName(confirm) })}</p>}
        <div className="button-row">
          <button type="button" className="button button-danger" disabled={busy} onClick={() => confirm && void remove(confirm)}>
            {t('connections.list.removeYes')}
          </button>
          <button type="button" className="button button-secondary" onClick={() => setConfirm(null)}>
            {t('connections.menu.cancel')}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
