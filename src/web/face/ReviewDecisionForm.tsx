import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewDecision } from './review-api.js';

/**
 * Approve, or reject with one of the server's reasons (the member sees the reason). Errors are
 * shown at the field and announced; the server's field messages (already localized) win.
 */
export function ReviewDecisionForm({ reasons, busy, serverErrors, onDecide }: { reasons: string[]; busy: boolean; serverErrors: Record<string, string>; onDecide: (decision: ReviewDecision) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [decision, setDecision] = useState<'approved' | 'rejected' | ''>('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ decision?: string; reason?: string }>({});
  const decisionError = errors.decision ?? serverErrors.decision;
  const reasonError = errors.reason ?? serverErrors.reason;

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (!decision) return setErrors({ decision: t('face.review.errors.decisionRequired') });
    if (decision === 'rejected' && !reason) return setErrors({ reason: t('face.review.errors.reasonRequired') });
    setErrors({});
    onDecide(decision === 'approved' ? { decision } : { decision, reason });
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('face.review.decisionTitle')}</h2>
      <fieldset className="field choice-group" aria-describedby={decisionError ? `${id}-decision-error` : undefined}>
        <legend>{t('face.review.decision')}</legend>
        {(['approved', 'rejected'] as const).map((value) => (
          <div className="radio-row" key={value}>
            <input
              id={`${id}-${value}`}
              type="radio"
              name="decision"
              value={value}
              checked={decision === value}
              onChange={() => {
                setDecision(value);
                setErrors({});
              }}
            />
            <label htmlFor={`${id}-${value}`}>{t(value === 'approved' ? 'face.review.approve' : 'face.review.reject')}</label>
          </div>
        ))}
        {decisionError && (
          <p id={`${id}-decision-error`} className="field-error" role="alert">
            {decisionError}
          </p>
        )}
      </fieldset>
      {decision === 'rejected' && (
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t('face.review.reason')}</label>
          <select
            id={`${id}-reason`}
            value={reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-reason-error` : undefined}
            onChange={(event) => {
              setReason(event.target.value);
              setErrors({});
            }}
          >
            <option value="">{t('face.review.chooseReason')}</option>
            {reasons.map((r) => (
              <option key={r} value={r}>
                {t(`face.review.rejectReasons.${r}`, { defaultValue: r })}
              </option>
            ))}
          </select>
          {reasonError && (
            <p id={`${id}-reason-error`} className="field-error" role="alert">
              {reasonError}
            </p>
          )}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('face.review.saving') : t('face.review.submit')}
        </button>
      </div>
    </form>
  );
}
