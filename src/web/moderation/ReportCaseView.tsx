import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import type { DecisionAction, ReportCase } from './api.js';
import { DecisionForm } from './DecisionForm.js';

/**
 * One open case: the report (reason, when, by whom or a former member), the reported member's
 * public profile and account state, how many other reports they have, the reporter's text, the
 * evidence messages the reporter attached (and only those), and the decision form. The API served
 * it only because the case is open and recorded the read on each member's access log.
 */
export function ReportCaseView({ report, busy, serverErrors, onDecide }: { report: ReportCase; busy: boolean; serverErrors: Record<string, string>; onDecide: (decision: DecisionAction, note: string) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const { profile } = report.reported;
  const hidden = <span className="field-hint">{t('moderation.profile.hidden')}</span>;
  return (
    <>
      <dl className="moderation-facts">
        <dt>{t('moderation.category')}</dt>
        <dd data-testid="report-category">{t(`connections.report.categories.${report.category}`)}</dd>
        <dt>{t('moderation.reportedAt')}</dt>
        <dd>
          <time dateTime={report.createdAt}>{formatDateTime(report.createdAt, language)}</time>
        </dd>
        <dt>{t('moderation.reporterTitle')}</dt>
        <dd data-testid="report-reporter">{report.reporter ? `${report.reporter.nickname} (@${report.reporter.username})` : t('moderation.formerMember')}</dd>
      </dl>
      {report.reporterBlocked && <p>{t('moderation.reporterBlocked')}</p>}

      <section aria-labelledby="report-reported" className="security-section">
        <h2 id="report-reported">{t('moderation.reportedTitle')}</h2>
        <p className="field-hint">{t('moderation.profile.note')}</p>
        <dl className="moderation-facts" data-testid="report-reported">
          <dt>{t('moderation.profile.username')}</dt>
          <dd>@{profile.username}</dd>
          <dt>{t('moderation.profile.nickname')}</dt>
          <dd>{profile.nickname}</dd>
          <dt>{t('moderation.profile.status')}</dt>
          <dd>{t(`moderation.statuses.${report.reported.status}`, { defaultValue: report.reported.status })}</dd>
          <dt>{t('moderation.profile.bio')}</dt>
          <dd>{profile.bio ?? hidden}</dd>
          <dt>{t('moderation.profile.city')}</dt>
          <dd>{profile.city ?? hidden}</dd>
          <dt>{t('moderation.profile.age')}</dt>
          <dd>{profile.age ?? hidden}</dd>
          <dt>{t('moderation.profile.verified')}</dt>
          <dd>{t(profile.verified ? 'moderation.profile.yes' : 'moderation.profile.no')}</dd>
          <dt>{t('moderation.profile.photos')}</dt>
          <dd>{profile.photos.length}</dd>
        </dl>
        <p data-testid="report-other">{t('moderation.otherReports', report.otherReports)}</p>
      </section>

      <section aria-labelledby="report-message" className="security-section">
        <h2 id="report-message">{t('moderation.messageTitle')}</h2>
        {report.message === null ? <p>{t('moderation.noMessage')}</p> : <blockquote className="moderation-quote">{report.message}</blockquote>}
      </section>

      <section aria-labelledby="report-evidence" className="security-section">
        <h2 id="report-evidence">{t('moderation.evidenceTitle')}</h2>
        {report.evidence.length === 0 ? (
          <p>{t('moderation.noEvidence')}</p>
        ) : (
          <>
            <p className="field-hint">{t('moderation.evidenceIntro')}</p>
            <ol className="moderation-evidence">
              {report.evidence.map((e) => (
                <li key={e.id} className={e.from === 'reported' ? 'from-reported' : 'from-other'}>
                  <p className="field-hint">
                    {t(`moderation.from.${e.from}`)} · <time dateTime={e.sentAt}>{formatDateTime(e.sentAt, language)}</time>
                  </p>
                  {e.body !== null && <p className="moderation-body">{e.body}</p>}
                  {e.deleted && <p className="field-hint">{t('moderation.deletedForBoth')}</p>}
                  {e.photo && <EvidencePhoto caseId={report.id} messageId={e.id} />}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>

      <section className="security-section">
        <DecisionForm decisions={report.decisions} busy={busy} serverErrors={serverErrors} onDecide={onDecide} />
      </section>
    </>
  );
}

/**
 * An evidence photo, hidden until the moderator asks for it (a report's photo may be distressing),
 * then loaded from the API, which records the view on its sender's access log.
 */
function EvidencePhoto({ caseId, messageId }: { caseId: string; messageId: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  if (!shown) {
    return (
      <p>
        <button type="button" className="button button-secondary button-small" onClick={() => setShown(true)}>
          {t('moderation.showPhoto')}
        </button>{' '}
        <span className="field-hint">{t('moderation.showPhotoHint')}</span>
      </p>
    );
  }
  return <img className="moderation-photo" src={`/api/staff/reports/${caseId}/evidence/${messageId}/photo`} alt={t('moderation.photoAlt')} />;
}
