import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { Language } from '../../common/i18n/index.js';
import type { Outcome } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import { isStaffRefusal, StaffRefusal, type StaffRefusalCode } from './StaffRefusal.js';

export interface StaffCasePageProps<Entry, Case extends { id: string }, Decision> {
  /** `/staff/…`: the queue; `${basePath}/:id` is one case. */
  basePath: string;
  className: string;
  noticeTestId: string;
  /** i18n keys of the page's texts. */
  texts: { title: string; caseTitle: string; intro: string; auditNote: string; staffOnly: string; reauth: string; signInAgain: string; back: string; gone: string; loading: string };
  /** Statuses meaning the case is closed or unknown (the page says so instead of an error). */
  goneStatuses: number[];
  loadQueue: (language: Language) => Promise<Outcome<{ cases: Entry[] }>>;
  loadCase: (id: string, language: Language) => Promise<Outcome<Case>>;
  /** Records the decision; answers the i18n key of the notice shown once the case is closed. */
  decide: (id: string, decision: Decision, language: Language) => Promise<Outcome<string>>;
  renderQueue: (cases: Entry[]) => ReactNode;
  renderCase: (item: Case, form: { busy: boolean; serverErrors: Record<string, string>; onDecide: (decision: Decision) => void }) => ReactNode;
}

/**
 * A staff queue and its cases (face reviews, member reports): the queue oldest first at
 * `basePath`, one open case at `basePath/:id` with its decision form. A decided case leaves the
 * page (the API no longer serves it). Refusals (no role, sign in again), 401 and closed cases are
 * handled the same way for every queue.
 */
export function StaffCasePage<Entry, Case extends { id: string }, Decision>(props: StaffCasePageProps<Entry, Case, Decision>) {
  const { basePath, texts } = props;
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const { id } = useParams();
  useDocumentTitle(t(id ? texts.caseTitle : texts.title));
  const [queue, setQueue] = useState<Entry[] | null>(null);
  const [item, setItem] = useState<Case | null>(null);
  const [gone, setGone] = useState(false);
  const [refusal, setRefusal] = useState<StaffRefusalCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});

  /** Handles what every staff call can answer besides success; true when handled. */
  function failed<T>(outcome: Outcome<T>): outcome is Exclude<Outcome<T>, { kind: 'ok' }> {
    if (outcome.kind === 'ok') return false;
    if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else if (outcome.kind === 'problem' && isStaffRefusal(outcome.code)) setRefusal(outcome.code);
    else if (outcome.kind === 'problem' && props.goneStatuses.includes(outcome.status)) setGone(true);
    else if (outcome.kind === 'problem' && Object.keys(outcome.fields).length > 0) setServerErrors(outcome.fields);
    else setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
    return true;
  }

  useEffect(() => {
    let current = true;
    setError(null);
    setGone(false);
    setServerErrors({});
    if (id) {
      setItem(null);
      setNotice('');
      void props.loadCase(id, language).then((outcome) => current && !failed(outcome) && setItem(outcome.value));
    } else {
      setQueue(null);
      void props.loadQueue(language).then((outcome) => current && !failed(outcome) && setQueue(outcome.value.cases));
    }
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, language]);

  async function decide(decision: Decision): Promise<void> {
    if (!item) return;
    setBusy(true);
    setServerErrors({});
    setNotice('');
    const outcome = await props.decide(item.id, decision, language);
    setBusy(false);
    if (failed(outcome)) return;
    // The case is closed: what it showed leaves the page (and the API serves it no more).
    setItem(null);
    setNotice(t(outcome.value));
    void navigate(basePath);
  }

  return (
    <div className={`${props.className} narrow`}>
      <header className="page-intro">
        <h1 tabIndex={-1}>{t(id ? texts.caseTitle : texts.title)}</h1>
        <p className="tagline">{t(texts.intro)}</p>
      </header>
      <p>{t(texts.auditNote)}</p>
      <p role="status" className="sessions-status" data-testid={props.noticeTestId}>
        {notice}
      </p>
      {refusal && <StaffRefusal refusal={refusal} texts={texts} />}
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      {id && !refusal && (
        <p>
          <Link to={basePath}>{t(texts.back)}</Link>
        </p>
      )}
      {gone && !refusal && (
        <div className="error-summary" role="alert">
          <p>{t(texts.gone)}</p>
        </div>
      )}
      {!refusal && !error && !gone && (id ? !item : !queue) && <p>{t(texts.loading)}</p>}
      {!refusal && !id && queue && props.renderQueue(queue)}
      {!refusal && id && item && !gone && props.renderCase(item, { busy, serverErrors, onDecide: (d) => void decide(d) })}
    </div>
  );
}
