import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language } from '../../common/i18n/index.js';
import { SUPPORT_LIMITS, SUPPORT_TOPICS, type SupportTicketResponse } from '../../common/schemas/support.js';
import { privacyPolicyHref } from '../links.js';
import { CompromisedRequest } from '../recovery/CompromisedRequest.js';
import { formatNumber } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { submitSupportTicket, type SubmitOutcome } from './api.js';
import { newIdempotencyKey } from './idempotency.js';
import {
  EMPTY_SUPPORT_VALUES,
  SUPPORT_FIELDS,
  toRequestBody,
  validateSupportRequest,
  type SupportField,
  type SupportValues,
  type ValidationIssue,
} from './validate.js';

/** A field's error: found here (shown in the current language) or sent by the server (already localized). */
type FieldError = { source: 'client'; issue: ValidationIssue } | { source: 'server'; message: string };
type FieldErrors = Partial<Record<SupportField, FieldError>>;
/** The summary's explanation: an i18n key of ours or the server's localized detail. */
type Problem = { key: string } | { text: string };

const fieldId = (field: SupportField): string => `support-${field}`;
const errorId = (field: SupportField): string => `support-${field}-error`;

function clientErrors(values: SupportValues, language: Language): FieldErrors {
  const issues = validateSupportRequest(toRequestBody(values, language));
  const errors: FieldErrors = {};
  for (const field of SUPPORT_FIELDS) {
    const issue = issues[field];
    if (issue) errors[field] = { source: 'client', issue };
  }
  return errors;
}

function problemFor(outcome: Exclude<SubmitOutcome, { kind: 'created' }>): Problem {
  if (outcome.kind === 'network') return { key: 'support.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

interface Props {
  onSent: (ticket: SupportTicketResponse) => void;
  /** Put focus in the first field when the form appears (after "send another request"). */
  focusFirstField?: boolean;
}

export function SupportForm({ onSent, focusFirstField = false }: Props) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [values, setValues] = useState<SupportValues>(EMPTY_SUPPORT_VALUES);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  /** After the first submit, fields are re-checked as the member types so fixed errors disappear. */
  const [checking, setChecking] = useState(false);
  const [sending, setSending] = useState(false);
  /** Bumped on every failed submit; moving focus to the summary follows the render. */
  const [failures, setFailures] = useState(0);
  /** The idempotency key belongs to one filled form: a retry of the same content reuses it. */
  const attempt = useRef<{ key: string; content: string } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const firstFieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (failures > 0) summaryRef.current?.focus();
  }, [failures]);

  useEffect(() => {
    if (focusFirstField) firstFieldRef.current?.focus();
  }, [focusFirstField]);

  // Switching to or from "my account is compromised" swaps the form around the topic menu: keep focus on it.
  const compromised = values.topic === 'account_compromised';
  const wasCompromised = useRef(compromised);
  useEffect(() => {
    if (wasCompromised.current !== compromised) document.getElementById(fieldId('topic'))?.focus();
    wasCompromised.current = compromised;
  }, [compromised]);

  function handleChange(event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>): void {
    const field = event.target.name;
    if (!SUPPORT_FIELDS.includes(field as SupportField)) return;
    const next = { ...values, [field]: event.target.value };
    setValues(next);
    if (checking) {
      const error = clientErrors(next, language)[field as SupportField];
      setErrors((current) => {
        const updated = { ...current };
        if (error) updated[field as SupportField] = error;
        else delete updated[field as SupportField];
        return updated;
      });
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (sending) return;
    setChecking(true);
    const found = clientErrors(values, language);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setProblem(null);
      setFailures((n) => n + 1);
      return;
    }

    const body = toRequestBody(values, language);
    const content = JSON.stringify(body);
    if (attempt.current?.content !== content) attempt.current = { key: newIdempotencyKey(), content };

    setErrors({});
    setProblem(null);
    setSending(true);
    const outcome = await submitSupportTicket(body, { idempotencyKey: attempt.current.key, language });
    setSending(false);

    if (outcome.kind === 'created') {
      onSent(outcome.ticket);
      return;
    }
    const serverErrors: FieldErrors = {};
    if (outcome.kind === 'problem') {
      for (const field of SUPPORT_FIELDS) {
        const message = outcome.fields[field];
        if (message) serverErrors[field] = { source: 'server', message };
      }
    }
    setErrors(serverErrors);
    setProblem(problemFor(outcome));
    setFailures((n) => n + 1);
  }

  function messageOf(error: FieldError): string {
    return error.source === 'server' ? error.message : t(`validation.${error.issue.code}`, error.issue.params);
  }

  function focusField(event: MouseEvent<HTMLAnchorElement>, field: SupportField): void {
    event.preventDefault();
    document.getElementById(fieldId(field))?.focus();
  }

  /** aria-describedby for a field: its hints, then its error if it has one. */
  function describedBy(field: SupportField, ...hints: string[]): string | undefined {
    const ids = [...hints, ...(errors[field] ? [errorId(field)] : [])];
    return ids.length > 0 ? ids.join(' ') : undefined;
  }

  function errorText(field: SupportField) {
    const error = errors[field];
    if (!error) return null;
    return (
      <p className="field-error" id={errorId(field)}>
        <span className="visually-hidden">{t('support.errors.prefix')} </span>
        {messageOf(error)}
      </p>
    );
  }

  const fieldsWithErrors = SUPPORT_FIELDS.filter((field) => errors[field]);
  const showSummary = problem !== null || fieldsWithErrors.length > 0;
  const messageLength = values.message.length;
  const messageTooLong = messageLength > SUPPORT_LIMITS.message;

  const topicField = (
    <div className={errors.topic ? 'field has-error' : 'field'}>
      <label htmlFor={fieldId('topic')}>{t('support.fields.topic')}</label>
      {errorText('topic')}
      <select
        id={fieldId('topic')}
        name="topic"
        required
        aria-invalid={errors.topic ? true : undefined}
        aria-describedby={describedBy('topic')}
        value={values.topic}
        onChange={handleChange}
      >
        <option value="" disabled>
          {t('support.topics.choose')}
        </option>
        {SUPPORT_TOPICS.map((topic) => (
          <option key={topic} value={topic}>
            {t(`support.topics.${topic}`)}
          </option>
        ))}
      </select>
    </div>
  );
  // "My account is compromised" asks for the account instead (recovery module): no ticket is filed from here.
  if (compromised) return <CompromisedRequest topicField={topicField} />;

  return (
    <form className="support-form" noValidate onSubmit={(event) => void handleSubmit(event)} aria-describedby="support-required-note">
      {showSummary && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef} aria-labelledby="support-error-title">
          <h2 id="support-error-title">{fieldsWithErrors.length > 0 ? t('support.errors.title') : t('support.errors.notSent')}</h2>
          {problem && <p>{'key' in problem ? t(problem.key) : problem.text}</p>}
          {fieldsWithErrors.length > 0 && (
            <ul>
              {fieldsWithErrors.map((field) => {
                const error = errors[field];
                return (
                  <li key={field}>
                    <a href={`#${fieldId(field)}`} onClick={(event) => focusField(event, field)}>
                      {t(`support.fields.${field}`)}: {error ? messageOf(error) : ''}
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}

      <p className="required-note" id="support-required-note">
        {t('support.requiredNote')}
      </p>

      <div className={errors.name ? 'field has-error' : 'field'}>
        <label htmlFor={fieldId('name')}>{t('support.fields.name')}</label>
        {errorText('name')}
        <input
          ref={firstFieldRef}
          id={fieldId('name')}
          name="name"
          type="text"
          autoComplete="name"
          maxLength={SUPPORT_LIMITS.name}
          required
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy('name')}
          value={values.name}
          onChange={handleChange}
        />
      </div>

      <div className={errors.email ? 'field has-error' : 'field'}>
        <label htmlFor={fieldId('email')}>{t('support.fields.email')}</label>
        <p className="field-hint" id="support-email-hint">
          {t('support.hints.email')}
        </p>
        {errorText('email')}
        <input
          id={fieldId('email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={SUPPORT_LIMITS.email}
          required
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={describedBy('email', 'support-email-hint')}
          value={values.email}
          onChange={handleChange}
        />
      </div>

      {topicField}

      <div className={errors.message ? 'field has-error' : 'field'}>
        <label htmlFor={fieldId('message')}>{t('support.fields.message')}</label>
        {errorText('message')}
        <textarea
          id={fieldId('message')}
          name="message"
          rows={7}
          required
          aria-invalid={errors.message ? true : undefined}
          aria-describedby={describedBy('message', 'support-message-count')}
          value={values.message}
          onChange={handleChange}
        />
        <p className={messageTooLong ? 'field-hint counter over' : 'field-hint counter'} id="support-message-count">
          {t('support.hints.message', {
            count: formatNumber(messageLength, language),
            max: formatNumber(SUPPORT_LIMITS.message, language),
          })}
        </p>
      </div>

      <p className="privacy-note">
        {t('support.privacyNote')} <a href={privacyPolicyHref(language)}>{t('support.readPolicy')}</a>
      </p>

      <div className="form-actions">
        <button type="submit" className="button" disabled={sending}>
          {sending && <span className="spinner" aria-hidden="true" />}
          {sending ? t('support.sending') : t('support.send')}
        </button>
        <p className="visually-hidden" role="status">
          {sending ? t('support.sending') : ''}
        </p>
      </div>
    </form>
  );
}
