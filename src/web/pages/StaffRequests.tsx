import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { isStaffRefusal, StaffRefusal, type StaffRefusalCode } from '../components/StaffRefusal.js';
import { formatDateTime } from '../locale.js';
import { getJson } from '../rights/api.js';
import '../rights/rights.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

const STATUSES = ['all', 'open', 'overdue'] as const;
const KINDS = ['access', 'erasure', 'correction', 'restriction', 'objection'] as const;
const PAGE_SIZE = 50;

interface RequestRow {
  id: string;
  username: string | null;
  kind: string;
  receivedAt: string;
  dueAt: string;
  completedAt: string | null;
  overdue: boolean;
}
interface RequestLog {
  requests: RequestRow[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The privacy officer's log of every rights request (issue 5 item 8): deadline (3 × 24 h),
 * completion, overdue flag; members by username only. Filters and page live in the URL.
 */
export function StaffRequests() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('rights.staff.title'));
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'open';
  const kind = (KINDS as readonly string[]).includes(params.get('kind') ?? '') ? params.get('kind')! : '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState({ status, kind });
  const [log, setLog] = useState<RequestLog | null>(null);
  const [refusal, setRefusal] = useState<StaffRefusalCode | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setDraft({ status, kind }), [status, kind]);

  useEffect(() => {
    let current = true;
    const query = new URLSearchParams({ status, page: String(page), pageSize: String(PAGE_SIZE), ...(kind ? { kind } : {}) });
    void getJson<RequestLog>(`/api/staff/rights-requests?${query.toString()}`, language).then((outcome) => {
      if (!current) return;
      if (outcome.kind === 'ok') {
        setLog(outcome.value);
        setRefusal(null);
        setError(null);
      } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else if (outcome.kind === 'problem' && isStaffRefusal(outcome.code)) setRefusal(outcome.code);
      else setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
    });
    return () => {
      current = false;
    };
  }, [status, kind, page, language, navigate, t]);

  function apply(event: FormEvent): void {
    event.preventDefault();
    const next = new URLSearchParams(params);
    next.set('status', draft.status);
    if (draft.kind) next.set('kind', draft.kind);
    else next.delete('kind');
    next.delete('page');
    setParams(next);
  }

  function goTo(target: number): void {
    const next = new URLSearchParams(params);
    next.set('page', String(target));
    setParams(next);
  }

  const pages = log ? Math.max(1, Math.ceil(log.total / log.pageSize)) : 1;

  return (
    <div className="staff-requests narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('rights.staff.title')}</h1>
        <p className="tagline">{t('rights.staff.intro')}</p>
      </header>
      {refusal && <StaffRefusal refusal={refusal} texts={{ staffOnly: 'rights.staff.staffOnly', reauth: 'rights.staff.reauth', signInAgain: 'rights.staff.signInAgain' }} />}
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!refusal && (
        <form className="staff-filters" onSubmit={apply} aria-label={t('rights.staff.filters')}>
          <div className="field">
            <label htmlFor={`${id}-status`}>{t('rights.staff.status')}</label>
            <select id={`${id}-status`} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`rights.staff.statuses.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-kind`}>{t('rights.staff.kind')}</label>
            <select id={`${id}-kind`} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value })}>
              <option value="">{t('rights.staff.anyKind')}</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`rights.staff.kinds.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-secondary">
            {t('rights.staff.apply')}
          </button>
        </form>
      )}
      {!log && !refusal && !error && <p>{t('rights.staff.loading')}</p>}
      {log && !refusal && (
        <section aria-live="polite">
          <p>{t('rights.staff.total', { count: log.total })}</p>
          {log.requests.length === 0 ? (
            <p>{t('rights.staff.none')}</p>
          ) : (
            <ul className="request-list">
              {log.requests.map((r) => (
                <li key={r.id}>
                  <p className="request-head">
                    <strong>
                      {t(`rights.staff.kinds.${r.kind}`)} — {r.username ? `@${r.username}` : t('rights.staff.formerMember')}
                    </strong>
                    <span className={r.overdue ? 'badge badge-overdue' : 'badge'}>{r.overdue ? t('rights.staff.overdue') : t('rights.staff.onTime')}</span>
                  </p>
                  <dl>
                    <dt>{t('rights.staff.received')}</dt>
                    <dd>
                      <time dateTime={r.receivedAt}>{formatDateTime(r.receivedAt, language)}</time>
                    </dd>
                    <dt>{t('rights.staff.due')}</dt>
                    <dd>
                      <time dateTime={r.dueAt}>{formatDateTime(r.dueAt, language)}</time>
                    </dd>
                    <dt>{t('rights.staff.completed')}</dt>
                    <dd>{r.completedAt ? <time dateTime={r.completedAt}>{formatDateTime(r.completedAt, language)}</time> : t('rights.staff.notCompleted')}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          )}
          {pages > 1 && (
            <nav className="pager" aria-label={t('rights.staff.page', { page: log.page, pages })}>
              <button type="button" className="button button-secondary" disabled={log.page <= 1} onClick={() => goTo(log.page - 1)}>
                {t('rights.staff.previous')}
              </button>
              <span>{t('rights.staff.page', { page: log.page, pages })}</span>
              <button type="button" className="button button-secondary" disabled={log.page >= pages} onClick={() => goTo(log.page + 1)}>
                {t('rights.staff.next')}
              </button>
            </nav>
          )}
        </section>
      )}
    </div>
  );
}
