import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { signOut } from '../accounts/signin.js';
import type { Outcome } from '../http.js';
import { decideCase, fetchCase, fetchQueue, type DecisionAction, type QueueEntry, type ReportCase } from '../moderation/api.js';
import { ReportCaseView } from '../moderation/ReportCaseView.js';
import { ReportQueue } from '../moderation/ReportQueue.js';
import '../moderation/moderation.css';
import '../rights/rights.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Refusal = 'staff_only' | 'reauth_required';

/**
 * The moderators' page (issue 4 item 6): `/staff/reports` lists the open cases of member reports
 * oldest first; `/staff/reports/:id` shows one open case and records the decision (dismiss, warn,
 * suspend, with a staff note). A decided case is not shown any more: the API answers 410.
 */
export function StaffReports() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const { id } = useParams();
  useDocumentTitle(t(id ? 'moderation.caseTitle' : 'moderation.title'));
  const [queue, setQueue] = useState<QueueEntry[] | null>(null);
  const [report, setReport] = useState<ReportCase | null>(null);
  const [gone, setGone] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});

  /** Handles what every staff call can answer besides success; true when handled. */
  function failed<T>(outcome: Outcome<T>): outcome is Exclude<Outcome<T>, { kind: 'ok' }> {
    if (outcome.kind === 'ok') return false;
    if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else if (outcome.kind === 'problem' && (outcome.code === 'staff_only' || outcome.code === 'reauth_required')) setRefusal(outcome.code);
    else if (outcome.kind === 'problem' && (outcome.status === 404 || outcome.status === 410 || outcome.status === 409)) setGone(true);
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
      setReport(null);
      setNotice('');
      void fetchCase(id, language).then((outcome) => current && !failed(outcome) && setReport(outcome.value));
    } else {
      setQueue(null);
      void fetchQueue(language).then((outcome) => current && !failed(outcome) && setQueue(outcome.value.cases));
    }
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, language]);

  async function decide(decision: DecisionAction, note: string): Promise<void> {
    if (!report) return;
    setBusy(true);
    setServerErrors({});
    setNotice('');
    const outcome = await decideCase(report.id, decision, note, language);
    setBusy(false);
    if (failed(outcome)) return;
    // The case is closed: its report and evidence leave the page (and the API serves them no more).
    setReport(null);
    setNotice(t(`moderation.done.${outcome.value.decision}`));
    void navigate('/staff/reports');
  }

  async function signInAgain(): Promise<void> {
    await signOut({ language });
    void navigate('/signin');
  }

  return (
    <div className="staff-reports narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t(id ? 'moderation.caseTitle' : 'moderation.title')}</h1>
        <p className="tagline">{t('moderation.intro')}</p>
      </header>
      <p>{t('moderation.auditNote')}</p>
      <p role="status" className="sessions-status" data-testid="moderation-notice">
        {notice}
      </p>
      {refusal && (
        <div className="error-summary" role="alert">
          <p>{t(refusal === 'staff_only' ? 'moderation.staffOnly' : 'moderation.reauth')}</p>
          {refusal === 'reauth_required' && (
            <button type="button" className="button" onClick={() => void signInAgain()}>
              {t('moderation.signInAgain')}
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      {id && !refusal && (
        <p>
          <Link to="/staff/reports">{t('moderation.back')}</Link>
        </p>
      )}
      {gone && !refusal && (
        <div className="error-summary" role="alert">
          <p>{t('moderation.gone')}</p>
        </div>
      )}
      {!refusal && !error && !gone && (id ? !report : !queue) && <p>{t('moderation.loading')}</p>}
      {!refusal && !id && queue && <ReportQueue cases={queue} />}
      {!refusal && id && report && !gone && <ReportCaseView report={report} busy={busy} serverErrors={serverErrors} onDecide={(d, n) => void decide(d, n)} />}
    </div>
  );
}
