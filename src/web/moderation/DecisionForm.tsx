import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DecisionAction } from './api.js';

export const NOTE_MAX = 1000;

/**
 * Dismiss, warn or suspend, always with a staff note. Errors are shown at the field and announced;
 * the server's field messages (already localized) win.
 */
export function DecisionForm({ decisions, busy, serverErrors, onDecide }: { decisions: DecisionAction[]; busy: boolean; serverErrors: Record<string, string>; onDecide: (decision: DecisionAction, note: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [decision, setDecision] = useState<DecisionAction | ''>('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<{ decision?: string; note?: string }>({});
  const decisionError = errors.decision ?? serverErrors.decision;
  const noteError = errors.note ?? serverErrors.note;

  function submit(event: FormEvent): void {
    event.preventDefault();
    const problems: { decision?: string; note?: string } = {};
    if (!decision) problems.decision = t('moderation.errors.decisionRequired');
    if (note.trim() === '') problems.note = t('moderation.errors.noteRequired');
    else if ([...note.trim()].length > NOTE_MAX) problems.note = t('moderation.errors.noteTooLong', { max: NOTE_MAX });
    setErrors(problems);
    if (problems.decision || problems.note || !decision) return;
    onDecide(decision, note);
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('moderation.decisionTitle')}</h2>
      <fieldset className="field choice-group moderation-decision" aria-describedby={decisionError ? `${id}-decision-error` : undefined}>
        <legend>{t('moderation.decision')}</legend>
        {decisions.map((value) => (
          <div className="radio-row" key={value}>
            <input
              id={`${id}-${value}`}
              type="radio"
              name="decision"
              value={value}
              checked={decision === value}
              aria-describedby={`${id}-${value}-hint`}
              onChange={() => {
                setDecision(value);
                setErrors((e) => ({ ...e, decision: undefined }));
              }}
            />
            <label htmlFor={`${id}-${value}`}>{t(`moderation.decisions.${value}`)}</label>
            <p id={`${id}-${value}-hint`} className="field-hint">
              {t(`moderation.decisionHints.${value}`)}
            </p>
          </div>
        ))}
        {decisionError && (
          <p id={`${id}-decision-error`} className="field-error" role="alert">
            {decisionError}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-note`}>{t('moderation.note')}</label>
        <p id={`${id}-note-hint`} className="field-hint">
          {t('moderation.noteHint', { max: NOTE_MAX })}
        </p>
        <textarea
          id={`${id}-note`}
          rows={4}
          value={note}
          aria-invalid={noteError ? true : undefined}
          aria-describedby={noteError ? `${id}-note-hint ${id}-note-error` : `${id}-note-hint`}
          onChange={(event) => {
            setNote(event.target.value);
            setErrors((e) => ({ ...e, note: undefined }));
          }}
        />
        {noteError && (
          <p id={`${id}-note-error`} className="field-error" role="alert">
            {noteError}
          </p>
        )}
      </div>
      <p>{t('moderation.reporterTold')}</p>
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('moderation.saving') : t('moderation.submit')}
        </button>
      </div>
    </form>
  );
}
