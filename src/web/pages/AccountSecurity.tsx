import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { fetchMe, type Me } from '../accounts/signin.js';
import type { Outcome } from '../http.js';
import { confirmPhoneChange, reportCompromised, requestEmailChange, requestPhoneChange } from '../recovery/api.js';
import { Field, fieldAria, LockedNotice, messageFor, useMessageText, type Message } from '../recovery/common.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Fields = Record<string, string>;

/** One small form's state: its values, its field errors from the server, and its outcome message. */
function useSubForm(names: string[]) {
  const [values, setValues] = useState<Fields>(Object.fromEntries(names.map((n) => [n, ''])));
  const [errors, setErrors] = useState<Fields>({});
  const [message, setMessage] = useState<{ ok: boolean; message: Message } | null>(null);
  const [busy, setBusy] = useState(false);
  return { values, setValues, errors, setErrors, message, setMessage, busy, setBusy };
}

/** Change email, change mobile number, and "my account is compromised" for the signed-in member. */
export function AccountSecurity() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  const text = useMessageText();
  useDocumentTitle(t('recovery.security.title'));

  const [me, setMe] = useState<Me | null>(null);
  const [loadError, setLoadError] = useState<Message | null>(null);
  const email = useSubForm(['newEmail', 'currentPassword']);
  const phone = useSubForm(['newPhone', 'currentPassword', 'code']);
  const [phoneChangeId, setPhoneChangeId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [compromiseBusy, setCompromiseBusy] = useState(false);
  const [compromiseError, setCompromiseError] = useState<Message | null>(null);
  const [ticketNumber, setTicketNumber] = useState<string | null>(null);
  const lockedRef = useRef<HTMLHeadingElement>(null);
  const yesRef = useRef<HTMLButtonElement>(null);
  const compromisedButtonRef = useRef<HTMLButtonElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void fetchMe({ language }).then((who) => {
      if (who.kind === 'problem' && who.status === 401) void navigate('/signin', { replace: true });
      else if (who.kind !== 'ok') setLoadError(messageFor(who));
      else setMe(who.value);
    });
  }, [language, navigate]);
  useEffect(() => {
    if (ticketNumber) lockedRef.current?.focus();
  }, [ticketNumber]);
  useEffect(() => {
    if (confirming) yesRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (phoneChangeId) codeRef.current?.focus();
  }, [phoneChangeId]);

  /** Runs a request for one sub-form; field problems go next to their fields, the rest to its status line. */
  async function run<T>(form: ReturnType<typeof useSubForm>, required: string[], action: () => Promise<Outcome<T>>, ok: (value: T) => Message): Promise<void> {
    if (form.busy) return;
    const missing = Object.fromEntries(required.filter((n) => (form.values[n] ?? '').trim() === '').map((n) => [n, t('validation.required')]));
    if (Object.keys(missing).length > 0) {
      form.setErrors(missing);
      form.setMessage({ ok: false, message: { key: 'errors.validation_failed' } });
      return;
    }
    form.setBusy(true);
    form.setErrors({});
    form.setMessage(null);
    const outcome = await action();
    form.setBusy(false);
    if (outcome.kind === 'ok') {
      form.setMessage({ ok: true, message: ok(outcome.value) });
      return;
    }
    if (outcome.kind === 'problem' && outcome.status === 401) {
      void navigate('/signin', { replace: true });
      return;
    }
    if (outcome.kind === 'problem') form.setErrors(outcome.fields);
    form.setMessage({ ok: false, message: messageFor(outcome) });
  }

  async function submitEmail(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(email, ['newEmail', 'currentPassword'], () => requestEmailChange(email.values.currentPassword ?? '', (email.values.newEmail ?? '').trim(), { language }), () => {
      email.setValues({ newEmail: '', currentPassword: '' });
      return { key: 'recovery.security.emailSent' };
    });
  }

  async function submitPhone(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (phoneChangeId) {
      await run(phone, ['code'], () => confirmPhoneChange(phoneChangeId, (phone.values.code ?? '').trim(), { language }), () => {
        setPhoneChangeId(null);
        phone.setValues({ newPhone: '', currentPassword: '', code: '' });
        return { key: 'recovery.security.phoneChanged' };
      });
      return;
    }
    await run(phone, ['newPhone', 'currentPassword'], () => requestPhoneChange(phone.values.currentPassword ?? '', phone.values.newPhone ?? '', { language }), (changeId) => {
      setPhoneChangeId(changeId);
      phone.setValues((v) => ({ ...v, currentPassword: '' }));
      return { key: 'recovery.security.phoneSent' };
    });
  }

  async function compromised() {
    if (compromiseBusy) return;
    setCompromiseBusy(true);
    setCompromiseError(null);
    const outcome = await reportCompromised({ language });
    setCompromiseBusy(false);
    if (outcome.kind === 'ok') setTicketNumber(outcome.value);
    else setCompromiseError(messageFor(outcome));
  }

  const input = (form: ReturnType<typeof useSubForm>, name: string, id: string, hint = false) => ({
    id,
    name,
    value: form.values[name] ?? '',
    onChange: (event: { target: { value: string } }) => form.setValues((v) => ({ ...v, [name]: event.target.value })),
    ...fieldAria(id, hint, form.errors[name]),
  });
  const status = (form: ReturnType<typeof useSubForm>, id: string) => (
    <p id={id} role={form.message && !form.message.ok ? 'alert' : 'status'} className={form.message?.ok === false ? 'form-status error' : 'form-status'}>
      {form.message ? text(form.message.message) : ''}
    </p>
  );

  if (ticketNumber) {
    return (
      <div className="recovery narrow">
        <h1>{t('recovery.security.title')}</h1>
        <LockedNotice ticketNumber={ticketNumber} headingRef={lockedRef} />
      </div>
    );
  }

  return (
    <div className="recovery narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('recovery.security.title')}</h1>
        {me && <p className="tagline">{t('recovery.security.signedInAs', { username: me.username })}</p>}
      </header>
      {loadError && (
        <div className="error-summary" role="alert">
          <p>{text(loadError)}</p>
        </div>
      )}
      {!me && !loadError && <p>{t('recovery.security.loading')}</p>}
      {me && (
        <>
          <section className="security-section" aria-labelledby="security-email-title">
            <h2 id="security-email-title">{t('recovery.security.emailTitle')}</h2>
            <form className="signup-form" noValidate onSubmit={(event) => void submitEmail(event)}>
              <Field id="security-new-email" label={t('recovery.security.newEmail')} error={email.errors.newEmail}>
                <input {...input(email, 'newEmail', 'security-new-email')} type="email" inputMode="email" autoComplete="email" autoCapitalize="none" spellCheck={false} maxLength={254} required />
              </Field>
              <Field id="security-email-password" label={t('recovery.security.currentPassword')} error={email.errors.currentPassword}>
                <input {...input(email, 'currentPassword', 'security-email-password')} type="password" autoComplete="current-password" maxLength={1024} required />
              </Field>
              {status(email, 'security-email-status')}
              <div className="form-actions">
                <button type="submit" className="button" disabled={email.busy}>
                  {email.busy ? t('recovery.security.sending') : t('recovery.security.submitEmail')}
                </button>
              </div>
            </form>
          </section>

          <section className="security-section" aria-labelledby="security-phone-title">
            <h2 id="security-phone-title">{t('recovery.security.phoneTitle')}</h2>
            <form className="signup-form" noValidate onSubmit={(event) => void submitPhone(event)}>
              <Field id="security-new-phone" label={t('recovery.security.newPhone')} error={phone.errors.newPhone}>
                <input {...input(phone, 'newPhone', 'security-new-phone')} type="tel" inputMode="tel" autoComplete="tel" maxLength={40} required readOnly={phoneChangeId !== null} />
              </Field>
              {phoneChangeId === null ? (
                <Field id="security-phone-password" label={t('recovery.security.currentPassword')} error={phone.errors.currentPassword}>
                  <input {...input(phone, 'currentPassword', 'security-phone-password')} type="password" autoComplete="current-password" maxLength={1024} required />
                </Field>
              ) : (
                <Field id="security-phone-code" label={t('recovery.security.phoneCode')} hint={t('recovery.reset.codeHint')} error={phone.errors.code}>
                  <input
                    {...input(phone, 'code', 'security-phone-code', true)}
                    ref={codeRef}
                    className="code-input"
                    type="text"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    maxLength={6}
                    required
                  />
                </Field>
              )}
              {status(phone, 'security-phone-status')}
              <div className="form-actions">
                <button type="submit" className="button" disabled={phone.busy}>
                  {phone.busy ? t('recovery.security.sending') : phoneChangeId ? t('recovery.security.phoneConfirm') : t('recovery.security.submitPhone')}
                </button>
              </div>
            </form>
          </section>

          <section className="security-section danger-zone" aria-labelledby="security-compromised-title">
            <h2 id="security-compromised-title">{t('recovery.security.compromisedTitle')}</h2>
            <p>{t('recovery.security.compromisedBody')}</p>
            {compromiseError && (
              <div className="error-summary" role="alert">
                <p>{text(compromiseError)}</p>
              </div>
            )}
            {confirming ? (
              <div className="confirm-step" role="group" aria-labelledby="security-compromised-confirm">
                <p id="security-compromised-confirm">
                  <strong>{t('recovery.security.compromisedConfirm')}</strong>
                </p>
                <div className="form-actions">
                  <button ref={yesRef} type="button" className="button button-danger" disabled={compromiseBusy} onClick={() => void compromised()}>
                    {compromiseBusy ? t('recovery.security.sending') : t('recovery.security.compromisedYes')}
                  </button>
                  <button
                    type="button"
                    className="button button-secondary"
                    disabled={compromiseBusy}
                    onClick={() => {
                      setConfirming(false);
                      setTimeout(() => compromisedButtonRef.current?.focus(), 0);
                    }}
                  >
                    {t('recovery.security.cancel')}
                  </button>
                </div>
              </div>
            ) : (
              <button ref={compromisedButtonRef} type="button" className="button button-danger" onClick={() => setConfirming(true)}>
                {t('recovery.security.compromisedButton')}
              </button>
            )}
          </section>

          <p className="signin-alt">
            <Link to="/account/sessions">{t('recovery.security.sessionsLink')}</Link>
          </p>
        </>
      )}
    </div>
  );
}
