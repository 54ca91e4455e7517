import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { signOut } from '../accounts/signin.js';
import { formatLongDate } from '../locale.js';
import { decidePolicy, fetchMemberPolicy, policyDiffHref, policyVersionHref, type MemberPolicy } from '../policy/api.js';
import '../policy/policy.css';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Done = { kind: 'accepted' | 'declined'; state: MemberPolicy };

/**
 * Re-consent after a material policy change (P7.2; P7.1 for versions that reduce rights): what
 * changed in every version since the one the member accepted, links to read each and to compare
 * it side by side, each affected consent purpose asked again (allow / refuse, nothing preselected),
 * then accept — or, when a version reduces rights, decline and keep the terms that govern them.
 */
export function Reconsent() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const id = useId();
  useDocumentTitle(t('policyChanges.reconsent.title'));
  const [state, setState] = useState<MemberPolicy | null>(null);
  const [answers, setAnswers] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void fetchMemberPolicy({ language }).then((outcome) => {
      if (outcome.kind === 'ok') setState(outcome.value);
      else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
      else setError(t('signup.errors.network'));
    });
  }, [language, navigate, t]);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  async function decide(decision: 'accept' | 'decline'): Promise<void> {
    if (!state) return;
    const purposes = state.pending?.purposes ?? [];
    if (decision === 'accept') {
      const missing = Object.fromEntries(purposes.filter((p) => answers[p.purpose] === undefined).map((p) => [p.purpose, t('policyChanges.errors.purposeRequired')]));
      setErrors(missing);
      if (Object.keys(missing).length) {
        document.getElementById(`${id}-${Object.keys(missing)[0]}-allow`)?.focus();
        return;
      }
    }
    setBusy(true);
    setError(null);
    const outcome = await decidePolicy(
      { version: state.current.version, decision, ...(decision === 'accept' ? { purposes: answers } : {}) },
      { language },
    );
    setBusy(false);
    if (outcome.kind === 'ok') {
      setDone({ kind: decision === 'accept' ? 'accepted' : 'declined', state: outcome.value });
      return;
    }
    if (outcome.kind === 'problem' && outcome.status === 401) {
      void navigate('/signin', { replace: true });
      return;
    }
    // Field problems (a purpose left out, a newer version published meanwhile) come with a localized detail.
    const fieldMessages = outcome.kind === 'problem' ? Object.values(outcome.fields) : [];
    setError([outcome.kind === 'problem' && outcome.detail ? outcome.detail : t('signup.errors.network'), ...fieldMessages].join(' '));
    errorRef.current?.focus();
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    void decide('accept');
  }

  async function leave(): Promise<void> {
    await signOut({ language });
    void navigate('/', { replace: true });
  }

  if (done) {
    return (
      <div className="reconsent narrow">
        <div role="status" tabIndex={-1} ref={doneRef} className="confirmation">
          <h1>{t('policyChanges.reconsent.title')}</h1>
          <p>
            {done.kind === 'accepted'
              ? t('policyChanges.reconsent.accepted', { version: done.state.current.version })
              : t('policyChanges.reconsent.declinedDone', { version: done.state.current.version, governing: done.state.governing.version })}
          </p>
          <Link className="button" to="/account">
            {t('policyChanges.reconsent.continue')}
          </Link>
        </div>
      </div>
    );
  }

  const pending = state?.pending;
  const needed = state && pending && (state.reconsentRequired || state.accepted?.version !== state.current.version);

  return (
    <div className="reconsent narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('policyChanges.reconsent.title')}</h1>
        {needed && <p className="tagline">{t('policyChanges.reconsent.intro')}</p>}
      </header>
      <div ref={errorRef} tabIndex={-1}>
        {error && (
          <div className="error-summary" role="alert">
            <p>{error}</p>
          </div>
        )}
      </div>
      {state === null && !error && <p>{t('policyChanges.reconsent.loading')}</p>}
      {state && !needed && (
        <>
          <p>{t('policyChanges.reconsent.notNeeded')}</p>
          <Link className="button" to="/account">
            {t('policyChanges.reconsent.continue')}
          </Link>
        </>
      )}
      {state && pending && needed && (
        <form onSubmit={submit} noValidate>
          {pending.reducesRights && (
            <p className="reconsent-warning">
              <strong>{t('policyChanges.badges.reducesRights')}.</strong> {t('policyChanges.reconsent.introReduces', { governing: state.governing.version })}
            </p>
          )}
          {pending.versions.map((v) => (
            <section key={v.version} className="reconsent-version" aria-labelledby={`${id}-v-${v.version}`}>
              <h2 id={`${id}-v-${v.version}`}>{t('policyChanges.reconsent.versionHeading', { version: v.version, date: formatLongDate(v.effectiveAt, language) })}</h2>
              <p>
                {v.material && <span className="reconsent-badge">{t('policyChanges.badges.material')}</span>}
                {v.reducesRights && <span className="reconsent-badge">{t('policyChanges.badges.reducesRights')}</span>}
              </p>
              {v.changes.length > 0 && (
                <>
                  <h3>{t('policyChanges.reconsent.whatChanged')}</h3>
                  <ul>
                    {v.changes.map((change, i) => (
                      <li key={i}>{change}</li>
                    ))}
                  </ul>
                </>
              )}
              <p className="reconsent-links">
                <a href={policyVersionHref(v.version, language)}>{t('policyChanges.reconsent.readFull', { version: v.version })}</a>
                {v.previous && <a href={policyDiffHref(v.previous, v.version, language)}>{t('policyChanges.reconsent.compare', { previous: v.previous })}</a>}
              </p>
            </section>
          ))}

          {pending.purposes.length > 0 && (
            <>
              <h2>{t('policyChanges.reconsent.purposesTitle')}</h2>
              <p>{t('policyChanges.reconsent.purposesIntro')}</p>
              {pending.purposes.map((p) => (
                <fieldset
                  key={p.purpose}
                  className={`reconsent-purpose${errors[p.purpose] ? ' has-error' : ''}`}
                  aria-describedby={`${id}-${p.purpose}-hint${errors[p.purpose] ? ` ${id}-${p.purpose}-error` : ''}`}
                >
                  <legend>{t(`consents.purposes.${p.purpose}.name`)}</legend>
                  <p id={`${id}-${p.purpose}-hint`} className="field-hint">
                    {t(`consents.purposes.${p.purpose}.description`)}
                  </p>
                  {errors[p.purpose] && (
                    <p id={`${id}-${p.purpose}-error`} className="field-error">
                      {errors[p.purpose]}
                    </p>
                  )}
                  <div className="radio-choices">
                    <div className="radio-row">
                      <input
                        id={`${id}-${p.purpose}-allow`}
                        type="radio"
                        name={p.purpose}
                        checked={answers[p.purpose] === true}
                        onChange={() => setAnswers((a) => ({ ...a, [p.purpose]: true }))}
                      />
                      <label htmlFor={`${id}-${p.purpose}-allow`}>{t('policyChanges.reconsent.allow')}</label>
                    </div>
                    <div className="radio-row">
                      <input
                        id={`${id}-${p.purpose}-refuse`}
                        type="radio"
                        name={p.purpose}
                        checked={answers[p.purpose] === false}
                        onChange={() => setAnswers((a) => ({ ...a, [p.purpose]: false }))}
                      />
                      <label htmlFor={`${id}-${p.purpose}-refuse`}>{t('policyChanges.reconsent.refuse')}</label>
                    </div>
                  </div>
                </fieldset>
              ))}
            </>
          )}

          <div className="reconsent-actions">
            <button type="submit" className="button" disabled={busy}>
              {t('policyChanges.reconsent.accept', { version: state.current.version })}
            </button>
            {pending.reducesRights && !state.declined && (
              <button type="button" className="button button-secondary" disabled={busy} onClick={() => void decide('decline')}>
                {t('policyChanges.reconsent.decline', { governing: state.governing.version })}
              </button>
            )}
          </div>
          <p>{t('policyChanges.reconsent.yourRights')}</p>
          <p className="reconsent-links">
            <Link to="/account/data">{t('account.pages.data.title')}</Link>
            <Link to="/account/privacy">{t('account.pages.consents.title')}</Link>
            <button type="button" className="link-button" onClick={() => void leave()}>
              {t('policyChanges.reconsent.signOut')}
            </button>
          </p>
        </form>
      )}
    </div>
  );
}
