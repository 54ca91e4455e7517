import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatWaited } from '../face/waited.js';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import type { QueueEntry } from './api.js';

/** The moderators' queue: open cases oldest first, each with its reason and how long it has waited. No personal data. */
export function ReportQueue({ cases }: { cases: QueueEntry[] }) {
  const { t } = useTranslation();
  const language = useLanguage();
  return (
    <section aria-labelledby="report-queue-title">
      <h2 id="report-queue-title">{t('moderation.queueTitle')}</h2>
      <p>{t('moderation.count', { count: cases.length })}</p>
      {cases.length === 0 ? (
        <p>{t('moderation.none')}</p>
      ) : (
        <ol className="request-list report-queue">
          {cases.map((c) => (
            <li key={c.id}>
              <p className="request-head">
                <Link to={`/staff/reports/${c.id}`}>
                  {t('moderation.caseLink', { category: t(`connections.report.categories.${c.category}`), when: formatDateTime(c.createdAt, language) })}
                </Link>
              </p>
              <p className="field-hint">
                <span className="badge">{t('moderation.waited', { ago: formatWaited(c.waitedSeconds, language) })}</span> {t('moderation.evidence', { count: c.evidence })}
                {c.hasMessage && <> · {t('moderation.withMessage')}</>}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
