import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { signOut } from '../accounts/signin.js';
import { ReviewCaseView } from '../face/ReviewCaseView.js';
import { ReviewQueue } from '../face/ReviewQueue.js';
import { decideReview, fetchReviewCase, fetchReviewQueue, type ReviewCase, type ReviewDecision, type ReviewQueueEntry } from '../face/review-api.js';
import '../face/face-review.css';
import '../rights/rights.css';
import type { Outcome } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Refusal = 'staff_only' | 'reauth_required';

/**
 * The face reviewers' page (issue 6 item 4, ADR 0013): `/staff/face-reviews` lists the open
 * borderline cases oldest first; `/staff/face-reviews/:id` shows one case — frames and profile
 * photos only while it is open, each image read audited by the API — and records the decision
 * (approve, or reject with a reason). A closed case shows no image: the API answers 404.
 */
export function StaffFaceReviews() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const { id } = useParams();
  useDocumentTitle(t(id ? 'face.review.caseTitle' : 'face.review.title'));
  const [queue, setQueue] = useState<ReviewQueueEntry[] | null>(null);
  const [review, setReview] = useState<ReviewCase | null>(null);
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
    else if (outcome.kind === 'problem' && outcome.status === 404) setGone(true);
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
      setReview(null);
      setNotice('');
      void fetchReviewCase(id, language).then((outcome) => current && !failed(outcome) && setReview(outcome.value));
    } else {
      setQueue(null);
      void fetchReviewQueue(language).then((outcome) => current && !failed(outcome) && setQueue(outcome.value.cases));
    }
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, language]);

  async function decide(decision: ReviewDecision): Promise<void> {
    if (!review) return;
    setBusy(true);
    setServerErrors({});
    setNotice('');
    const outcome = await decideReview(review.id, decision, language);
    setBusy(false);
    if (failed(outcome)) return;
    // The case is closed: its images are gone from the page and from the server.
    setReview(null);
    setNotice(t(decision.decision === 'approved' ? 'face.review.approved' : 'face.review.rejected'));
    void navigate('/staff/face-reviews');
  }

  async function signInAgain(): Promise<void> {
    await signOut({ language });
    void navigate('/signin');
  }

  return (
    <div className="staff-face-reviews narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t(id ? 'face.review.caseTitle' : 'face.review.title')}</h1>
        <p className="tagline">{t('face.review.intro')}</p>
      </header>
      <p>{t('face.review.auditNote')}</p>
      <p role="status" className="sessions-status" data-testid="face-review-notice">
        {notice}
      </p>
      {refusal && (
        <div className="error-summary" role="alert">
          <p>{t(refusal === 'staff_only' ? 'face.review.staffOnly' : 'face.review.reauth')}</p>
          {refusal === 'reauth_required' && (
            <button type="button" className="button" onClick={() => void signInAgain()}>
              {t('face.review.signInAgain')}
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
          <Link to="/staff/face-reviews">{t('face.review.back')}</Link>
        </p>
      )}
      {gone && !refusal && (
        <div className="error-summary" role="alert">
          <p>{t('face.review.gone')}</p>
        </div>
      )}
      {!refusal && !error && !gone && (id ? !review : !queue) && <p>{t('face.review.loading')}</p>}
      {!refusal && !id && queue && <ReviewQueue cases={queue} />}
      {!refusal && id && review && !gone && <ReviewCaseView review={review} busy={busy} serverErrors={serverErrors} onDecide={(d) => void decide(d)} />}
    </div>
  );
}
