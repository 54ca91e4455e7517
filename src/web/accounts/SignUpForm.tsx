import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { privacyPolicyHref } from '../links.js';
import { newIdempotencyKey } from '../support/idempotency.js';
import { useLanguage } from '../useLanguage.js';
import type { Outcome } from '../http.js';
import { submitSignUp, type SignUpResult } from './api.js';
import {
  EMPTY_SIGNUP_VALUES,
  GENDERS,
  NICKNAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PHOTO_TYPES,
  SIGNUP_FIELDS,
  isSignUpField,
  needsGuardian,
  todayInJakarta,
  validateSignUp,
  type Issue,
  type SignUpField,
  type SignUpValues,
} from './validate.js';

/** A field's error: found here (shown in the current language) or sent by the server (already localized). */
type FieldError = { source: 'client'; issue: Issue } | { source: 'server'; message: string };
type FieldErrors = Partial<Record<SignUpField, FieldError>>;
/** The summary's explanation: an i18n key of ours or the server's localized detail. */
type Problem = { key: string } | { text: string };

const fieldId = (field: SignUpField): string => `signup-${field}`;
const errorId = (field: SignUpField): string => `signup-${field}-error`;
const hintId = (field: SignUpField): string => `signup-${field}-hint`;
/** The guardian fields' texts live with the guardian flow's. */
const labelKey = (field: SignUpField): string =>
  field === 'guardianEmail' || field === 'guardianPhone' ? `guardian.signup.fields.${field}` : `signup.fields.${field}`;

interface Photo {
  file: File;
  /** A data: URL (the CSP does not allow blob: images). */
  preview: string | null;
}

function clientErrors(values: SignUpValues, photo: Photo | null): FieldErrors {
  const issues = validateSignUp(values, photo ? { size: photo.file.size, type: photo.file.type } : null);
  const errors: FieldErrors = {};
  for (const field of SIGNUP_FIELDS) {
    const issue = issues[field];
    if (issue) errors[field] = { source: 'client', issue };
  }
  return errors;
}

function problemFor(outcome: Exclude<Outcome<SignUpResult>, { kind: 'ok' }>): Problem {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

interface Props {
  /** `guardianEmail` is what the member typed for a minor's guardian (the verify page shows it masked). */
  onCreated: (result: SignUpResult, entered: { guardianEmail?: string }) => void;
}

export function SignUpForm({ onCreated }: Props) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [values, setValues] = useState<SignUpValues>(EMPTY_SIGNUP_VALUES);
  const [photo, setPhoto] = useState<Photo | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  /** After the first submit, fields are re-checked as the member types so fixed errors disappear. */
  const [checking, setChecking] = useState(false);
  const [sending, setSending] = useState(false);
  const [failures, setFailures] = useState(0);
  /** The idempotency key belongs to one filled form: a retry of the same content reuses it. */
  const attempt = useRef<{ key: string; content: string } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const readerRef = useRef<FileReader | null>(null);

  useEffect(() => {
    if (failures > 0) summaryRef.current?.focus();
  }, [failures]);

  useEffect(() => () => readerRef.current?.abort(), []);

  function recheck(nextValues: SignUpValues, nextPhoto: Photo | null, changed: SignUpField[]): void {
    if (!checking) return;
    const found = clientErrors(nextValues, nextPhoto);
    setErrors((current) => {
      const updated = { ...current };
      for (const field of changed) {
        const error = found[field];
        if (error) updated[field] = error;
        else delete updated[field];
      }
      return updated;
    });
  }

  function handleChange(event: ChangeEvent<HTMLInputElement | HTMLSelectElement>): void {
    const field = event.target.name;
    if (!isSignUpField(field) || field === 'photo') return;
    const value = event.target instanceof HTMLInputElement && event.target.type === 'checkbox' ? event.target.checked : event.target.value;
    const next = { ...values, [field]: value };
    setValues(next);
    // The NIK is compared with the date of birth and gender, so those re-check it too; the guardian's
    // contacts depend on the date of birth (minor or not) and must differ from the member's own.
    const related: Partial<Record<SignUpField, SignUpField[]>> = {
      dateOfBirth: ['dateOfBirth', 'nik', 'guardianEmail', 'guardianPhone'],
      gender: ['gender', 'nik'],
      email: ['email', 'guardianEmail'],
      phone: ['phone', 'guardianPhone'],
    };
    recheck(next, photo, related[field] ?? [field]);
  }

  function handlePhoto(event: ChangeEvent<HTMLInputElement>): void {
    readerRef.current?.abort();
    const file = event.target.files?.[0] ?? null;
    const next: Photo | null = file ? { file, preview: null } : null;
    setPhoto(next);
    recheck(values, next, ['photo']);
    if (!file || !(PHOTO_TYPES as readonly string[]).includes(file.type) || file.size > 10 * 1024 * 1024) return;
    const reader = new FileReader();
    readerRef.current = reader;
    reader.onload = () => {
      if (typeof reader.result === 'string') {
        const preview = reader.result;
        setPhoto((current) => (current?.file === file ? { file, preview } : current));
      }
    };
    reader.readAsDataURL(file);
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (sending) return;
    setChecking(true);
    const found = clientErrors(values, photo);
    if (Object.keys(found).length > 0 || !photo) {
      setErrors(found);
      setProblem(null);
      setFailures((n) => n + 1);
      return;
    }

    const fields: Record<string, string> = {
      username: values.username.trim(),
      nickname: values.nickname.trim(),
      gender: values.gender,
      email: values.email.trim(),
      phone: values.phone.trim(),
      nik: values.nik.trim(),
      dateOfBirth: values.dateOfBirth.trim(),
      password: values.password,
      language,
      acceptPolicy: 'true',
    };
    const minor = needsGuardian(values.dateOfBirth);
    if (minor) {
      fields.guardianEmail = values.guardianEmail.trim();
      fields.guardianPhone = values.guardianPhone.trim();
    }
    const { file } = photo;
    const content = JSON.stringify([fields, file.name, file.size, file.lastModified, file.type]);
    if (attempt.current?.content !== content) attempt.current = { key: newIdempotencyKey(), content };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('photo', file, file.name);

    setErrors({});
    setProblem(null);
    setSending(true);
    const outcome = await submitSignUp(form, { idempotencyKey: attempt.current.key, language });
    setSending(false);

    if (outcome.kind === 'ok') {
      onCreated(outcome.value, minor ? { guardianEmail: fields.guardianEmail } : {});
      return;
    }
    const serverErrors: FieldErrors = {};
    if (outcome.kind === 'problem') {
      for (const field of SIGNUP_FIELDS) {
        const message = outcome.fields[field];
        if (message) serverErrors[field] = { source: 'server', message };
      }
    }
    setErrors(serverErrors);
    const fieldCount = Object.keys(serverErrors).length;
    // With field errors the list says it all; otherwise (409 signup_refused, 5xx, offline) explain.
    setProblem(fieldCount > 0 && outcome.kind === 'problem' && outcome.code === 'validation_failed' ? null : problemFor(outcome));
    setFailures((n) => n + 1);
  }

  function messageOf(error: FieldError): string {
    return error.source === 'server' ? error.message : t(error.issue.key, error.issue.params);
  }

  function focusField(event: MouseEvent<HTMLAnchorElement>, field: SignUpField): void {
    event.preventDefault();
    document.getElementById(fieldId(field))?.focus();
  }

  function describedBy(field: SignUpField, hasHint: boolean): string | undefined {
    const ids = [...(hasHint ? [hintId(field)] : []), ...(errors[field] ? [errorId(field)] : [])];
    return ids.length > 0 ? ids.join(' ') : undefined;
  }

  function errorText(field: SignUpField) {
    const error = errors[field];
    if (!error) return null;
    return (
      <p className="field-error" id={errorId(field)}>
        <span className="visually-hidden">{t('support.errors.prefix')} </span>
        {messageOf(error)}
      </p>
    );
  }

  /** A labelled field with an optional hint and its error, around one control. */
  function field(name: SignUpField, control: ReactNode, hint?: string) {
    return (
      <div className={errors[name] ? 'field has-error' : 'field'}>
        <label htmlFor={fieldId(name)}>{t(labelKey(name))}</label>
        {hint && (
          <p className="field-hint" id={hintId(name)}>
            {hint}
          </p>
        )}
        {errorText(name)}
        {control}
      </div>
    );
  }

  /** Props shared by the text inputs. */
  function textProps(name: Exclude<SignUpField, 'photo' | 'acceptPolicy'>, hasHint: boolean) {
    return {
      id: fieldId(name),
      name,
      required: true,
      'aria-invalid': errors[name] ? true : undefined,
      'aria-describedby': describedBy(name, hasHint),
      value: values[name],
      onChange: handleChange,
    } as const;
  }

  const fieldsWithErrors = SIGNUP_FIELDS.filter((name) => errors[name]);
  const showSummary = problem !== null || fieldsWithErrors.length > 0;

  return (
    <form className="signup-form" noValidate onSubmit={(event) => void handleSubmit(event)} aria-describedby="signup-required-note">
      {showSummary && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef} aria-labelledby="signup-error-title">
          <h2 id="signup-error-title">{fieldsWithErrors.length > 0 ? t('signup.errors.title') : t('signup.errors.notSent')}</h2>
          {problem && <p>{'key' in problem ? t(problem.key) : problem.text}</p>}
          {fieldsWithErrors.length > 0 && (
            <ul>
              {fieldsWithErrors.map((name) => {
                const error = errors[name];
                return (
                  <li key={name}>
                    <a href={`#${fieldId(name)}`} onClick={(event) => focusField(event, name)}>
                      {t(labelKey(name))}: {error ? messageOf(error) : ''}
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}

      <p className="required-note" id="signup-required-note">
        {t('signup.requiredNote')}
      </p>

      {field(
        'username',
        <input {...textProps('username', true)} type="text" autoComplete="username" autoCapitalize="none" spellCheck={false} maxLength={60} />,
        t('signup.hints.username'),
      )}
      {field(
        'nickname',
        <input {...textProps('nickname', true)} type="text" autoComplete="nickname" maxLength={NICKNAME_MAX_LENGTH * 2} />,
        t('signup.hints.nickname'),
      )}
      {field(
        'gender',
        <select {...textProps('gender', true)}>
          <option value="" disabled>
            {t('signup.genders.choose')}
          </option>
          {GENDERS.map((gender) => (
            <option key={gender} value={gender}>
              {t(`signup.genders.${gender}`)}
            </option>
          ))}
        </select>,
        t('signup.hints.gender'),
      )}
      {field(
        'dateOfBirth',
        <input {...textProps('dateOfBirth', true)} type="date" autoComplete="bday" min="1900-01-01" max={todayInJakarta()} />,
        t('signup.hints.dateOfBirth'),
      )}
      {field(
        'nik',
        <input {...textProps('nik', true)} type="text" inputMode="numeric" autoComplete="off" spellCheck={false} maxLength={24} />,
        t('signup.hints.nik'),
      )}
      {field(
        'email',
        <input {...textProps('email', true)} type="email" inputMode="email" autoComplete="email" autoCapitalize="none" spellCheck={false} maxLength={254} />,
        t('signup.hints.email'),
      )}
      {field(
        'phone',
        <input {...textProps('phone', true)} type="tel" inputMode="tel" autoComplete="tel" maxLength={40} />,
        t('signup.hints.phone'),
      )}
      {needsGuardian(values.dateOfBirth) && (
        <fieldset className="guardian-fields" aria-describedby="signup-guardian-intro">
          <legend>{t('guardian.signup.title')}</legend>
          <p className="field-hint" id="signup-guardian-intro">
            {t('guardian.signup.intro')}
          </p>
          {field(
            'guardianEmail',
            <input
              {...textProps('guardianEmail', true)}
              type="email"
              inputMode="email"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={254}
            />,
            t('guardian.signup.hints.guardianEmail'),
          )}
          {field(
            'guardianPhone',
            <input {...textProps('guardianPhone', true)} type="tel" inputMode="tel" autoComplete="off" maxLength={40} />,
            t('guardian.signup.hints.guardianPhone'),
          )}
        </fieldset>
      )}
      {field(
        'password',
        <input {...textProps('password', true)} type="password" autoComplete="new-password" maxLength={PASSWORD_MAX_LENGTH * 2} />,
        t('password.hint'),
      )}

      <div className={errors.photo ? 'field has-error' : 'field'}>
        <label htmlFor={fieldId('photo')}>{t('signup.fields.photo')}</label>
        <p className="field-hint" id={hintId('photo')}>
          {t('signup.hints.photo')} {t('media.privacyNote')}
        </p>
        {errorText('photo')}
        <div className="photo-picker">
          {photo?.preview && <img className="photo-preview" src={photo.preview} alt={t('signup.photoPreview')} width="96" height="96" />}
          <input
            id={fieldId('photo')}
            name="photo"
            type="file"
            accept={PHOTO_TYPES.join(',')}
            required
            aria-invalid={errors.photo ? true : undefined}
            aria-describedby={describedBy('photo', true)}
            onChange={handlePhoto}
          />
        </div>
      </div>

      <div className={errors.acceptPolicy ? 'field checkbox-field has-error' : 'field checkbox-field'}>
        {errorText('acceptPolicy')}
        <div className="checkbox-row">
          <input
            id={fieldId('acceptPolicy')}
            name="acceptPolicy"
            type="checkbox"
            required
            aria-invalid={errors.acceptPolicy ? true : undefined}
            aria-describedby={describedBy('acceptPolicy', true)}
            checked={values.acceptPolicy}
            onChange={handleChange}
          />
          <label htmlFor={fieldId('acceptPolicy')}>{t('signup.fields.acceptPolicy')}</label>
        </div>
        <p className="field-hint" id={hintId('acceptPolicy')}>
          <a href={privacyPolicyHref(language)}>{t('signup.readPolicy')}</a>
        </p>
      </div>

      <div className="form-actions">
        <button type="submit" className="button" disabled={sending}>
          {sending && <span className="spinner" aria-hidden="true" />}
          {sending ? t('signup.sending') : t('signup.submit')}
        </button>
        <p className="visually-hidden" role="status">
          {sending ? t('signup.sending') : ''}
        </p>
      </div>
    </form>
  );
}
