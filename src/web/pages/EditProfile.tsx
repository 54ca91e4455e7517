import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { getJson, sendJson, type AccountDetails } from '../rights/api.js';
import '../rights/rights.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

const GENDERS = ['female', 'male', 'nonbinary', 'unspecified'] as const;

/**
 * Correction (UU PDP right to rectify): nickname, language and gender, saved in one request and
 * recorded as a correction request. Email and phone change on the security page, which verifies
 * the new address or number first.
 */
export function EditProfile() {
  const { t, i18n } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('rights.details.title'));
  const [details, setDetails] = useState<AccountDetails | null>(null);
  const [form, setForm] = useState<Pick<AccountDetails, 'nickname' | 'language' | 'gender'> | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void getJson<AccountDetails>('/api/me/account-details', language).then((outcome) => {
      if (outcome.kind === 'ok') {
        setDetails(outcome.value);
        setForm((current) => current ?? { nickname: outcome.value.nickname, language: outcome.value.language, gender: outcome.value.gender });
      } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setError(t('signup.errors.network'));
    });
  }, [language, navigate, t]);

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!form || busy) return;
    setBusy(true);
    setStatus('');
    setError(null);
    setFieldErrors({});
    const outcome = await sendJson<{ profile: AccountDetails; corrected: string[] }>('/api/me/account-details', 'PATCH', form, language);
    setBusy(false);
    if (outcome.kind === 'ok') {
      setDetails(outcome.value.profile);
      setStatus(outcome.value.corrected.length ? t('rights.details.saved') : t('rights.details.nothingChanged'));
      // The app follows the corrected language at once.
      if (outcome.value.corrected.includes('language') && i18n.language !== outcome.value.profile.language) {
        void navigate(`?lang=${outcome.value.profile.language}`, { replace: true });
      }
    } else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else if (outcome.kind === 'problem') {
      setFieldErrors(outcome.fields);
      setError(outcome.detail ?? t('errors.validation_failed'));
    } else setError(t('signup.errors.network'));
  }

  const describedBy = (field: string, hint: boolean) => [hint ? `${id}-${field}-hint` : '', fieldErrors[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: string) =>
    fieldErrors[field] ? (
      <p id={`${id}-${field}-error`} className="field-error" role="alert">
        {fieldErrors[field]}
      </p>
    ) : null;

  return (
    <div className="edit-details narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('rights.details.title')}</h1>
        <p className="tagline">{t('rights.details.intro')}</p>
      </header>
      {error && (
        <div className="error-summary" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!form && !error && <p>{t('rights.details.loading')}</p>}
      {form && (
        <form onSubmit={(e) => void save(e)} noValidate>
          <div className={fieldErrors.nickname ? 'field has-error' : 'field'}>
            <label htmlFor={`${id}-nickname`}>{t('rights.details.nickname')}</label>
            <p id={`${id}-nickname-hint`} className="field-hint">
              {t('rights.details.nicknameHint')}
            </p>
            {fieldError('nickname')}
            <input
              id={`${id}-nickname`}
              type="text"
              autoComplete="nickname"
              maxLength={80}
              value={form.nickname}
              aria-invalid={fieldErrors.nickname ? true : undefined}
              aria-describedby={describedBy('nickname', true)}
              onChange={(e) => setForm({ ...form, nickname: e.target.value })}
            />
          </div>
          <div className={fieldErrors.language ? 'field has-error' : 'field'}>
            <label htmlFor={`${id}-language`}>{t('rights.details.language')}</label>
            <p id={`${id}-language-hint`} className="field-hint">
              {t('rights.details.languageHint')}
            </p>
            {fieldError('language')}
            <select id={`${id}-language`} value={form.language} aria-describedby={describedBy('language', true)} onChange={(e) => setForm({ ...form, language: e.target.value as 'id' | 'en' })}>
              <option value="id" lang="id">
                {t('rights.details.languages.id')}
              </option>
              <option value="en" lang="en">
                {t('rights.details.languages.en')}
              </option>
            </select>
          </div>
          <div className={fieldErrors.gender ? 'field has-error' : 'field'}>
            <label htmlFor={`${id}-gender`}>{t('rights.details.gender')}</label>
            <p id={`${id}-gender-hint`} className="field-hint">
              {t('signup.hints.gender')}
            </p>
            {fieldError('gender')}
            <select
              id={`${id}-gender`}
              value={form.gender}
              aria-invalid={fieldErrors.gender ? true : undefined}
              aria-describedby={describedBy('gender', true)}
              onChange={(e) => setForm({ ...form, gender: e.target.value as AccountDetails['gender'] })}
            >
              {GENDERS.map((g) => (
                <option key={g} value={g}>
                  {t(`signup.genders.${g}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t('rights.details.saving') : t('rights.details.save')}
          </button>
          <p role="status" className="sessions-status">
            {status}
          </p>
        </form>
      )}
      {details && (
        <section aria-labelledby={`${id}-contact`}>
          <h2 id={`${id}-contact`}>{t('rights.details.contactTitle')}</h2>
          <p>{t('rights.details.contactIntro')}</p>
          <dl className="contact-values">
            <div>
              <dt>{t('rights.details.email')}</dt>
              <dd>{details.emailMasked}</dd>
            </div>
            <div>
              <dt>{t('rights.details.phone')}</dt>
              <dd>{details.phoneMasked}</dd>
            </div>
          </dl>
          <p>
            <Link to="/account/security">{t('rights.details.changeContact')}</Link>
          </p>
          <p>
            {t('rights.details.otherLinks')} <Link to="/account/restrictions">{t('rights.details.restrictLink')}</Link>
          </p>
        </section>
      )}
    </div>
  );
}
