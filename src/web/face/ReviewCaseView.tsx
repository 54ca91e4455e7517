import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { ReviewDecisionForm } from './ReviewDecisionForm.js';
import { reviewFrameUrl, reviewProfilePhotoUrl, type ReviewCase, type ReviewDecision } from './review-api.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * One open case: the movement asked, the scores, the selfie frames next to the profile photos they
 * were compared with, and the decision form. Each image is fetched from the staff API, which serves
 * it only while the case is open and records the read on the member's access log.
 */
export function ReviewCaseView({ review, busy, serverErrors, onDecide }: { review: ReviewCase; busy: boolean; serverErrors: Record<string, string>; onDecide: (decision: ReviewDecision) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const n = (value: number) => formatNumber(Math.round(value * 1000) / 1000, language);
  const { scores } = review;
  return (
    <>
      <dl className="face-review-facts">
        <dt>{t('face.review.openedAt')}</dt>
        <dd>
          <time dateTime={review.createdAt}>{formatDateTime(review.createdAt, language)}</time>
        </dd>
        <dt>{t('face.review.challenge')}</dt>
        <dd>{t(`face.challenge.${review.challenge}`, { defaultValue: review.challenge })}</dd>
      </dl>

      <section aria-labelledby="face-review-frames" className="security-section">
        <h2 id="face-review-frames">{t('face.review.framesTitle')}</h2>
        <div className="face-review-images">
          {range(review.frames).map((i) => (
            <figure key={i}>
              <img src={reviewFrameUrl(review.id, i)} alt={t('face.review.frameAlt', { n: i + 1, count: review.frames })} data-testid="face-review-frame" />
              <figcaption>{t(i === 0 ? 'face.review.frameFirst' : 'face.review.frameMove', { n: i + 1 })}</figcaption>
            </figure>
          ))}
        </div>
        <h3>{t('face.review.profileTitle')}</h3>
        {review.profilePhotos === 0 ? (
          <p>{t('face.review.noProfilePhotos')}</p>
        ) : (
          <div className="face-review-images">
            {range(review.profilePhotos).map((i) => (
              <figure key={i}>
                <img src={reviewProfilePhotoUrl(review.id, i)} alt={t('face.review.profileAlt', { n: i + 1, count: review.profilePhotos })} />
              </figure>
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="face-review-scores" className="security-section">
        <h2 id="face-review-scores">{t('face.review.scoresTitle')}</h2>
        <dl className="face-review-facts">
          <dt>{t('face.review.similarity')}</dt>
          <dd>
            {n(scores.similarity)}
            <span className="field-hint"> {t('face.review.similarityHint', { match: n(review.thresholds.match), review: n(review.thresholds.review) })}</span>
          </dd>
          <dt>{t('face.review.real')}</dt>
          <dd>{n(scores.real)}</dd>
          <dt>{t('face.review.live')}</dt>
          <dd>{n(scores.live)}</dd>
          <dt>{t('face.review.yaw')}</dt>
          <dd>{scores.yaw.map(n).join(' · ')}</dd>
          <dt>{t('face.review.happy')}</dt>
          <dd>{scores.happy.map(n).join(' · ')}</dd>
        </dl>
      </section>

      <section className="security-section">
        <ReviewDecisionForm reasons={review.rejectReasons} busy={busy} serverErrors={serverErrors} onDecide={onDecide} />
      </section>
    </>
  );
}
