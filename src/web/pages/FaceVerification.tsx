import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { fetchFaceStatus, setFaceConsent, startFaceChallenge, submitFaceCheck, type FaceChallenge, type FaceCheckResult, type FaceStatus } from '../face/api.js';
import { FRAME_UPLOAD_MAX_SIDE, MAX_FRAMES } from '../../common/face.js';
import { formatDateTime } from '../locale.js';
import { encodeShrunk, shrinkImageForUpload } from '../media/shrink-image.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';
import type { Outcome } from '../http.js';

/**
 * Face verification (P1.5): a separate, explicit biometric consent screen first; then a check with
 * a random movement — frames from the camera (getUserMedia) or, where there is none, uploaded
 * photos; the outcome with its reason; and withdrawal, which deletes the template and badge.
 */
export function FaceVerification() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('face.title'));
  const [status, setStatus] = useState<FaceStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [agreed, setAgreed] = useState(false);
  const [agreeError, setAgreeError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [challenge, setChallenge] = useState<FaceChallenge | null>(null);
  const [frames, setFrames] = useState<Blob[]>([]);
  const [preparing, setPreparing] = useState(false);
  const [result, setResult] = useState<FaceCheckResult | null>(null);
  const [camera, setCamera] = useState<'off' | 'on' | 'unavailable'>('off');
  const videoRef = useRef<HTMLVideoElement>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const pickRef = useRef(0);

  function fail<T>(outcome: Outcome<T>): void {
    if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else setError(outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'));
  }

  useEffect(() => {
    void fetchFaceStatus({ language }).then((outcome) => (outcome.kind === 'ok' ? setStatus(outcome.value) : fail(outcome)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language]);

  // The camera stops when the page goes away.
  useEffect(() => () => streamRef.current?.getTracks().forEach((track) => track.stop()), []);

  function stopCamera(): void {
    streamRef.current?.getTracks().forEach((track) => track.stop());
    streamRef.current = null;
    setCamera((c) => (c === 'on' ? 'off' : c));
  }

  async function giveConsent(): Promise<void> {
    if (!agreed) {
      setAgreeError(t('face.consent.required'));
      return;
    }
    setBusy(true);
    setError(null);
    const outcome = await setFaceConsent(true, { language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setStatus(outcome.value);
      setNotice(t('face.consent.given'));
    } else fail(outcome);
  }

  async function withdraw(): Promise<void> {
    setBusy(true);
    setError(null);
    const outcome = await setFaceConsent(false, { language });
    setBusy(false);
    setConfirmWithdraw(false);
    if (outcome.kind === 'ok') {
      stopCamera();
      setStatus(outcome.value);
      setChallenge(null);
      setFrames([]);
      setResult(null);
      setAgreed(false);
      setNotice(t('face.consent.withdrawn'));
    } else fail(outcome);
  }

  async function start(): Promise<void> {
    setBusy(true);
    setError(null);
    setResult(null);
    setFrames([]);
    const outcome = await startFaceChallenge({ language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setChallenge(outcome.value);
      setStatus((s) => (s ? { ...s, attemptsLeft: outcome.value.attemptsLeft } : s));
    } else fail(outcome);
  }

  async function openCamera(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamera('unavailable');
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1280 } }, audio: false });
      streamRef.current = stream;
      setCamera('on');
      if (videoRef.current) {
        videoRef.current.srcObject = stream;
        await videoRef.current.play();
      }
    } catch {
      setCamera('unavailable');
    }
  }

  /** Picked photos are shrunk (and their metadata dropped) on the phone before upload: see FRAME_UPLOAD_MAX_SIDE. */
  async function pickFrames(files: File[]): Promise<void> {
    // Only the latest choice counts, if the member picks again while the first is still being prepared.
    const pick = ++pickRef.current;
    setPreparing(true);
    const shrunk = await Promise.all(files.slice(0, MAX_FRAMES).map((file) => shrinkImageForUpload(file, FRAME_UPLOAD_MAX_SIDE).catch(() => file)));
    if (pick !== pickRef.current) return;
    setFrames(shrunk);
    setPreparing(false);
  }

  function capture(): void {
    const video = videoRef.current;
    if (!video || !video.videoWidth) return;
    void encodeShrunk(video, video.videoWidth, video.videoHeight, FRAME_UPLOAD_MAX_SIDE).then((blob) => blob && setFrames((f) => [...f, blob].slice(0, MAX_FRAMES)));
  }

  async function submit(): Promise<void> {
    if (!challenge) return;
    if (frames.length < 2) {
      setError(t('face.check.needFrames'));
      return;
    }
    setBusy(true);
    setError(null);
    const outcome = await submitFaceCheck(challenge.id, frames, { language });
    setBusy(false);
    stopCamera();
    setChallenge(null);
    setFrames([]);
    if (outcome.kind === 'ok') {
      setResult(outcome.value);
      const refreshed = await fetchFaceStatus({ language });
      if (refreshed.kind === 'ok') setStatus(refreshed.value);
    } else fail(outcome);
  }

  return (
    <div className="face narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('face.title')}</h1>
        <p className="tagline">{t('face.intro')}</p>
      </header>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      <p role="status" className="sessions-status">
        {notice}
      </p>
      {status === null && !error && <p>{t('face.loading')}</p>}

      {status && !status.consent && (
        <section aria-labelledby={`${id}-consent`} className="security-section">
          <h2 id={`${id}-consent`}>{t('face.consent.title')}</h2>
          <p className="lead">{t('face.consent.lead')}</p>
          <h3>{t('face.consent.whatTitle')}</h3>
          <p>{t('face.consent.what')}</p>
          <h3>{t('face.consent.whyTitle')}</h3>
          <p>{t('face.consent.why')}</p>
          <h3>{t('face.consent.howLongTitle')}</h3>
          <p>{t('face.consent.howLong')}</p>
          <h3>{t('face.consent.withdrawTitle')}</h3>
          <p>{t('face.consent.withdraw')}</p>
          <div className="field checkbox-field">
            <div className="checkbox-row">
              <input
                id={`${id}-agree`}
                type="checkbox"
                checked={agreed}
                aria-invalid={agreeError ? true : undefined}
                aria-describedby={agreeError ? `${id}-agree-error` : undefined}
                onChange={(event) => {
                  setAgreed(event.target.checked);
                  setAgreeError(null);
                }}
              />
              <label htmlFor={`${id}-agree`}>{t('face.consent.checkbox')}</label>
            </div>
            {agreeError && (
              <p id={`${id}-agree-error`} className="field-error">
                {agreeError}
              </p>
            )}
          </div>
          <div className="form-actions">
            <button type="button" className="button" disabled={busy} onClick={() => void giveConsent()}>
              {t('face.consent.give')}
            </button>
          </div>
        </section>
      )}

      {status && status.consent && (
        <>
          <section aria-labelledby={`${id}-status`} className="security-section">
            <h2 id={`${id}-status`}>{t('face.title')}</h2>
            <p data-testid="face-status">
              {status.verified && status.verifiedAt ? (
                <>
                  <span className="badge">{t('face.badge')}</span> {t('face.status.verified', { when: formatDateTime(status.verifiedAt, language) })}
                </>
              ) : status.inReview ? (
                t('face.status.review')
              ) : (
                t('face.status.none')
              )}
            </p>
            <p className="field-hint">{t('face.status.attemptsLeft', { count: status.attemptsLeft })}</p>
            {!result && !challenge && <LastCheck status={status} />}
            {result && (
              <div className={result.status === 'refused' ? 'error-summary' : 'confirmation'} role={result.status === 'refused' ? 'alert' : 'status'} data-testid="face-result">
                <p>
                  <strong>{t(`face.outcome.${result.status}`)}</strong> {result.status === 'refused' ? result.message : ''}
                </p>
              </div>
            )}
            {!challenge && (
              <div className="form-actions">
                <button type="button" className="button" disabled={busy || status.attemptsLeft === 0} onClick={() => void start()}>
                  {t('face.check.start')}
                </button>
              </div>
            )}
          </section>

          {challenge && (
            <section aria-labelledby={`${id}-check`} className="security-section challenge">
              <h2 id={`${id}-check`}>{challenge.instruction}</h2>
              <p>{t('face.check.steps')}</p>
              <p className="field-hint">{t('face.check.expiresAt', { when: formatDateTime(challenge.expiresAt, language) })}</p>
              {camera !== 'unavailable' && (
                <div className="button-row">
                  {camera === 'off' ? (
                    <button type="button" className="button button-secondary" onClick={() => void openCamera()}>
                      {t('face.check.useCamera')}
                    </button>
                  ) : (
                    <button type="button" className="button button-secondary" disabled={frames.length >= MAX_FRAMES} onClick={capture}>
                      {t('face.check.capture')}
                    </button>
                  )}
                </div>
              )}
              {camera === 'unavailable' && <p className="field-hint">{t('face.check.cameraUnavailable')}</p>}
              <video ref={videoRef} className="photo-preview" playsInline muted hidden={camera !== 'on'} aria-label={t('face.check.useCamera')} />
              <div className="field">
                <label htmlFor={`${id}-frames`}>{t('face.check.framesLabel')}</label>
                <input
                  id={`${id}-frames`}
                  type="file"
                  accept="image/jpeg,image/png,image/webp"
                  multiple
                  onChange={(event) => void pickFrames(Array.from(event.target.files ?? []))}
                />
              </div>
              <p className="field-hint" aria-live="polite">
                {preparing ? t('face.check.preparing') : frames.length > 0 ? t('face.check.framesChosen', { count: frames.length }) : ''}
              </p>
              <div className="form-actions">
                <button type="button" className="button" disabled={busy || preparing} onClick={() => void submit()}>
                  {busy ? t('face.check.checking') : t('face.check.submit')}
                </button>
              </div>
            </section>
          )}

          <section aria-labelledby={`${id}-withdraw`} className="security-section">
            <h2 id={`${id}-withdraw`}>{t('face.consent.withdrawTitle')}</h2>
            <p>{t('face.consent.withdraw')}</p>
            {!confirmWithdraw ? (
              <button type="button" className="button button-danger" disabled={busy} onClick={() => setConfirmWithdraw(true)}>
                {t('face.consent.withdrawButton')}
              </button>
            ) : (
              <div className="confirm-step" role="group" aria-labelledby={`${id}-confirm`}>
                <p id={`${id}-confirm`}>{t('face.consent.withdrawConfirm')}</p>
                <div className="button-row">
                  <button type="button" className="button button-danger" disabled={busy} onClick={() => void withdraw()}>
                    {t('face.consent.withdrawYes')}
                  </button>
                  <button type="button" className="button button-secondary" onClick={() => setConfirmWithdraw(false)}>
                    {t('face.consent.cancel')}
                  </button>
                </div>
              </div>
            )}
          </section>
        </>
      )}
      <p>
        <Link to="/account/privacy">{t('consents.title')}</Link>
      </p>
    </div>
  );
}

/**
 * Why the last check ended as it did, after a reload or a reviewer's decision: a refusal with its
 * reason and what to do next, or a reviewer's approval. Nothing for an automatic success (the badge
 * line says it) or a case still in review (the status line says it).
 */
function LastCheck({ status }: { status: FaceStatus }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const id = useId();
  const last = status.lastCheck;
  if (!last || last.status === 'review' || (last.status === 'verified' && last.decidedBy === 'automatic')) return null;
  const when = last.at ? formatDateTime(last.at, language) : '';
  if (last.status === 'verified') {
    return (
      <p className="confirmation" data-testid="face-last-check">
        {t('face.last.approvedByReviewer', { when })}
      </p>
    );
  }
  const photoProblem = last.reason === 'no_match' || last.reason === 'no_profile_face';
  return (
    <div className="error-summary" data-testid="face-last-check" role="region" aria-labelledby={`${id}-last`}>
      <h3 id={`${id}-last`}>{t('face.last.title')}</h3>
      <p>
        <strong>{t(last.decidedBy === 'reviewer' ? 'face.last.refusedByReviewer' : 'face.last.refused', { when })}</strong>{' '}
        {last.reason ? t(`face.reasons.${last.reason}`, { defaultValue: last.reasonMessage ?? '' }) : ''}
      </p>
      <p>
        <strong>{t('face.last.nextTitle')}:</strong> {status.attemptsLeft === 0 ? t('face.last.nextTomorrow') : photoProblem ? t('face.last.nextPhoto') : t('face.last.nextRetry')}
      </p>
      {photoProblem && (
        <p>
          <Link to="/profile/edit">{t('face.last.editPhotos')}</Link>
        </p>
      )}
    </div>
  );
}
