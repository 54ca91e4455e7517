import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { blockMember, REPORT_CATEGORIES, REPORT_MESSAGE_MAX, reportMember, type ReportCategory } from './api.js';
import { Dialog } from './Dialog.js';
import { problemText } from './problems.js';
import './connections.css';

/**
 * "More options" for another member: block (after a confirmation) or report (reason, optional
 * message, optionally block too). Mounted on the member profile page and in chat; `memberId` may be
 * a member id or a username. `onBlocked` lets the page leave (the member is invisible from now on).
 */
export function BlockReportMenu({ memberId, name, evidenceMessageIds, onBlocked }: { memberId: string; name: string; evidenceMessageIds?: string[]; onBlocked?: () => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [expanded, setExpanded] = useState(false);
  const [dialog, setDialog] = useState<'block' | 'report' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [category, setCategory] = useState<ReportCategory | ''>('');
  const [message, setMessage] = useState('');
  const [alsoBlock, setAlsoBlock] = useState(false);
  const menuId = useId();
  const categoryId = useId();
  const messageId = useId();
  const blockId = useId();
  const errorId = useId();

  function openDialog(kind: 'block' | 'report'): void {
    setExpanded(false);
    setError(null);
    setDialog(kind);
  }

  async function block(): Promise<void> {
    if (busy) return;
    setBusy(true);
    const outcome = await blockMember(memberId, { language });
    setBusy(false);
    if (outcome.kind !== 'ok') {
      setError(problemText(outcome, t));
      return;
    }
    setDialog(null);
    setStatus(t('connections.menu.blocked', { name }));
    onBlocked?.();
  }

  async function report(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!category) {
      setError(t('validation.required'));
      return;
    }
    setBusy(true);
    const outcome = await reportMember({ member: memberId, category, message, block: alsoBlock, ...(evidenceMessageIds?.length ? { evidenceMessageIds } : {}) }, { language });
    setBusy(false);
    if (outcome.kind !== 'ok') {
      setError(problemText(outcome, t));
      return;
    }
    setDialog(null);
    setCategory('');
    setMessage('');
    setStatus(t(outcome.value.blocked ? 'connections.report.doneBlocked' : 'connections.report.done'));
    if (outcome.value.blocked) onBlocked?.();
  }

  return (
    <div className="block-report">
      <button type="button" className="button button-secondary" aria-expanded={expanded} aria-controls={menuId} onClick={() => setExpanded((v) => !v)}>
        {t('connections.menu.label', { name })}
      </button>
      <ul id={menuId} className="block-report-options" hidden={!expanded}>
        <li>
          <button type="button" className="link-button" onClick={() => openDialog('block')}>
            {t('connections.menu.block')}
          </button>
        </li>
        <li>
          <button type="button" className="link-button" onClick={() => openDialog('report')}>
            {t('connections.menu.report')}
          </button>
        </li>
      </ul>
      <p role="status" className="connections-status">
        {status}
      </p>

      <Dialog title={t('connections.menu.block')} open={dialog === 'block'} onClose={() => setDialog(null)}>
        <p>{t('connections.menu.blockConfirm', { name })}</p>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void block()}>
            {t('connections.menu.blockYes')}
          </button>
          <button type="button" className="button button-secondary" onClick={() => setDialog(null)}>
            {t('connections.menu.cancel')}
          </button>
        </div>
      </Dialog>

      <Dialog title={t('connections.report.title', { name })} open={dialog === 'report'} onClose={() => setDialog(null)}>
        <form onSubmit={(e) => void report(e)} noValidate>
          <p className="field-hint">{t('connections.report.intro')}</p>
          {error && (
            <p className="field-error" id={errorId} role="alert">
              {error}
            </p>
          )}
          <div className="field">
            <label htmlFor={categoryId}>{t('connections.report.category')}</label>
            <select id={categoryId} value={category} required aria-describedby={error ? errorId : undefined} onChange={(e) => setCategory(e.target.value as ReportCategory)}>
              <option value="" disabled>
                —
              </option>
              {REPORT_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`connections.report.categories.${c}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={messageId}>{t('connections.report.message')}</label>
            <textarea id={messageId} rows={4} value={message} maxLength={REPORT_MESSAGE_MAX} onChange={(e) => setMessage(e.target.value)} />
          </div>
          <div className="checkbox-row">
            <input id={blockId} type="checkbox" checked={alsoBlock} onChange={(e) => setAlsoBlock(e.target.checked)} />
            <label htmlFor={blockId}>{t('connections.report.alsoBlock')}</label>
          </div>
          <div className="button-row">
            <button type="submit" className="button" disabled={busy}>
              {t('connections.report.submit')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setDialog(null)}>
              {t('connections.menu.cancel')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
