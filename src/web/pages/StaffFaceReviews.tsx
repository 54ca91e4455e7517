import { StaffCasePage } from '../components/StaffCasePage.js';
import { ReviewCaseView } from '../face/ReviewCaseView.js';
import { ReviewQueue } from '../face/ReviewQueue.js';
import { decideReview, fetchReviewCase, fetchReviewQueue, type ReviewCase, type ReviewDecision, type ReviewQueueEntry } from '../face/review-api.js';
import '../face/face-review.css';
import '../rights/rights.css';

const TEXTS = {
  title: 'face.review.title',
  caseTitle: 'face.review.caseTitle',
  intro: 'face.review.intro',
  auditNote: 'face.review.auditNote',
  staffOnly: 'face.review.staffOnly',
  reauth: 'face.review.reauth',
  signInAgain: 'face.review.signInAgain',
  back: 'face.review.back',
  gone: 'face.review.gone',
  loading: 'face.review.loading',
};

/**
 * The face reviewers' page (issue 6 item 4, ADR 0013): `/staff/face-reviews` lists the open
 * borderline cases oldest first; `/staff/face-reviews/:id` shows one case — frames and profile
 * photos only while it is open, each image read audited by the API — and records the decision
 * (approve, or reject with a reason). A closed case shows no image: the API answers 404.
 */
export function StaffFaceReviews() {
  return (
    <StaffCasePage<ReviewQueueEntry, ReviewCase, ReviewDecision>
      basePath="/staff/face-reviews"
      className="staff-face-reviews"
      noticeTestId="face-review-notice"
      texts={TEXTS}
      goneStatuses={[404]}
      loadQueue={fetchReviewQueue}
      loadCase={fetchReviewCase}
      decide={async (id, decision, language) => {
        const outcome = await decideReview(id, decision, language);
        return outcome.kind === 'ok' ? { kind: 'ok', value: decision.decision === 'approved' ? 'face.review.approved' : 'face.review.rejected' } : outcome;
      }}
      renderQueue={(cases) => <ReviewQueue cases={cases} />}
      renderCase={(review, form) => <ReviewCaseView review={review} {...form} />}
    />
  );
}
