import { StaffCasePage } from '../components/StaffCasePage.js';
import { decideCase, fetchCase, fetchQueue, type DecisionAction, type QueueEntry, type ReportCase } from '../moderation/api.js';
import { ReportCaseView } from '../moderation/ReportCaseView.js';
import { ReportQueue } from '../moderation/ReportQueue.js';
import '../moderation/moderation.css';
import '../rights/rights.css';

const TEXTS = {
  title: 'moderation.title',
  caseTitle: 'moderation.caseTitle',
  intro: 'moderation.intro',
  auditNote: 'moderation.auditNote',
  staffOnly: 'moderation.staffOnly',
  reauth: 'moderation.reauth',
  signInAgain: 'moderation.signInAgain',
  back: 'moderation.back',
  gone: 'moderation.gone',
  loading: 'moderation.loading',
};

/**
 * The moderators' page (issue 4 item 6): `/staff/reports` lists the open cases of member reports
 * oldest first; `/staff/reports/:id` shows one open case and records the decision (dismiss, warn,
 * suspend, with a staff note). A decided case is not shown any more: the API answers 410.
 */
export function StaffReports() {
  return (
    <StaffCasePage<QueueEntry, ReportCase, { action: DecisionAction; note: string }>
      basePath="/staff/reports"
      className="staff-reports"
      noticeTestId="moderation-notice"
      texts={TEXTS}
      goneStatuses={[404, 409, 410]}
      loadQueue={fetchQueue}
      loadCase={fetchCase}
      decide={async (id, { action, note }, language) => {
        const outcome = await decideCase(id, action, note, language);
        return outcome.kind === 'ok' ? { kind: 'ok', value: `moderation.done.${outcome.value.decision}` } : outcome;
      }}
      renderQueue={(cases) => <ReportQueue cases={cases} />}
      renderCase={(report, { onDecide, ...form }) => <ReportCaseView report={report} {...form} onDecide={(action, note) => onDecide({ action, note })} />}
    />
  );
}
