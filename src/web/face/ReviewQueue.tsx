import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import type { ReviewQueueEntry } from './review-api.js';
import { formatWaited } from './waited.js';

/** The face reviewers' queue: open cases oldest first, each with how long it has waited. No personal data. */
export function ReviewQueue({ cases }: { cases: ReviewQueueEntry[] }) {
  const { t } = useTranslation();
  const language = useLanguage();
  return (
    <section aria-labelledby="face-review-queue">
      <h2 id="face-review-queue">{t('face.review.queueTitle')}</h2>
      <p>{t('face.review.count', { count: cases.length })}</p>
      {cases.length === 0 ? (
        <p>{t('face.review.none')}</p>
      ) : (
        <ol className="request-list face-review-queue">
          {cases.map((c) => (
            <li key={c.id}>
              <p className="request-head">
                <Link to={`/staff/face-reviews/${c.id}`}>{t('face.review.caseLink', { when: formatDateTime(c.createdAt, language) })}</Link>
              </p>
              <p className="field-hint">
                <span className="badge">{t('face.review.waited', { ago: formatWaited(c.waitedSeconds, language) })}</span> {t('face.review.frames', { count: c.frames })}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
