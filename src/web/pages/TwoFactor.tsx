import { browserSupportsWebAuthn, startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import {
  confirmTotp,
  disableTotp,
  fetchMfa,
  passkeyRegistrationOptions,
  regenerateRecoveryCodes,
  registerPasskey,
  removePasskey,
  renamePasskey,
  startTotp,
  type MfaStatus,
  type PasskeyInfo,
  type TotpSetup,
} from '../accounts/mfa.js';
import type { Outcome, Problem } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

type Failure = Exclude<Outcome<unknown>, { kind: 'ok' }>;

/** A form's problems: one message per field (shown next to it) and/or one for the whole form. */
interface FormProblems {
  fields: Record<string, string>;
  summary?: string;
}

function problemsOf(outcome: Failure, networkText: string): FormProblems {
  if (outcome.kind === 'network') return { fields: {}, summary: networkText };
  const problem: Problem = outcome;
  if (Object.keys(problem.fields).length > 0) return { fields: problem.fields };
  return { fields: {}, summary: problem.detail ?? networkText };
}

/** A text field with its label and, when there is one, its error right below it. */
function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  type?: 'text' | 'password';
  autoComplete: string;
  code?: boolean;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className={props.error ? 'field has-error' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        className={props.code ? 'code-input' : undefined}
        inputMode={props.code ? 'numeric' : undefined}
        maxLength={props.code ? 6 : undefined}
        autoComplete={props.autoComplete}
        autoCapitalize="none"
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.error && (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

function Summary({ problems }: { problems: FormProblems | null }) {
  if (!problems?.summary) return null;
  return (
    <div className="error-summary" role="alert">
      <p>{problems.summary}</p>
    </div>
  );
}

/** The recovery codes, shown once: copy, download, then "I have saved them". */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const fileText = `${t('mfa.recovery.fileHeader')}\n\n${codes.join('\n')}\n`;
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(fileText)}`;
  return (
    <div className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title" ref={heading} tabIndex={-1}>
        {t('mfa.recovery.listLabel')}
      </h3>
      <p>{t('mfa.recovery.showOnce')}</p>
      <ol className="code-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(codes.join('\n')).then(() => setCopied(true));
          }}
        >
          {t('mfa.recovery.copy')}
        </button>
        <a className="button button-secondary" href={href} download="kenalan-recovery-codes.txt">
          {t('mfa.recovery.download')}
        </a>
        <button type="button" className="button" onClick={onDone}>
          {t('mfa.recovery.done')}
        </button>
      </div>
      <p className="form-status" role="status">
        {copied ? t('mfa.recovery.copied') : ''}
      </p>
    </div>
  );
}

function PasskeyRow({ passkey, onChanged }: { passkey: PasskeyInfo; onChanged: (statusKey: string) => void }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FormProblems | null>(null);
  const date = (iso: string) => new Intl.DateTimeFormat(language === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium' }).format(new Date(iso));

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    const outcome = await renamePasskey(passkey.id, name, { language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setRenaming(false);
      onChanged('mfa.passkeys.renamed');
    } else setProblems(problemsOf(outcome, t('signup.errors.network')));
  }

  async function remove() {
    setBusy(true);
    const outcome = await removePasskey(passkey.id, { language });
    setBusy(false);
    if (outcome.kind === 'ok') onChanged('mfa.passkeys.removed');
    else setProblems(problemsOf(outcome, t('signup.errors.network')));
  }

  return (
    <li className="session passkey">
      <p className="session-device">{passkey.name}</p>
      <p className="passkey-meta">
        {t('mfa.passkeys.created', { date: date(passkey.createdAt) })} · {passkey.lastUsedAt ? t('mfa.passkeys.lastUsed', { date: date(passkey.lastUsedAt) }) : t('mfa.passkeys.neverUsed')}
        {passkey.synced ? ` · ${t('mfa.passkeys.synced')}` : ''}
      </p>
      <Summary problems={problems} />
      {renaming ? (
        <form noValidate onSubmit={(event) => void save(event)}>
          <Field
            id={`passkey-name-${passkey.id}`}
            label={t('mfa.passkeys.renameLabel', { name: passkey.name })}
            value={name}
            onChange={setName}
            autoComplete="off"
            error={problems?.fields.name}
          />
          <div className="button-row">
            <button type="submit" className="button" disabled={busy}>
              {t('mfa.passkeys.save')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setRenaming(false)}>
              {t('mfa.passkeys.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={() => setRenaming(true)} aria-label={t('mfa.passkeys.renameLabel', { name: passkey.name })}>
            {t('mfa.passkeys.rename')}
          </button>
          <button type="button" className="button button-secondary" disabled={busy} onClick={() => void remove()} aria-label={t('mfa.passkeys.removeLabel', { name: passkey.name })}>
            {t('mfa.passkeys.remove')}
          </button>
        </div>
      )}
    </li>
  );
}

/** /account/two-factor: the authenticator app (with recovery codes) and passkeys. */
export function TwoFactor() {
  const { t } = useTranslation();
  const language = useLanguage();
  const navigate = useNavigate();
  useDocumentTitle(t('mfa.page.title'));
  const network = t('signup.errors.network');

  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [confirmCode, setConfirmCode] = useState('');
  const [confirmProblems, setConfirmProblems] = useState<FormProblems | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const [disablePassword, setDisablePassword] = useState('');
  const [disableCode, setDisableCode] = useState('');
  const [disableProblems, setDisableProblems] = useState<FormProblems | null>(null);
  const [regenCode, setRegenCode] = useState('');
  const [regenProblems, setRegenProblems] = useState<FormProblems | null>(null);

  const [passkeyName, setPasskeyName] = useState('');
  const [passkeyProblems, setPasskeyProblems] = useState<FormProblems | null>(null);

  const reload = useCallback(async () => {
    const outcome = await fetchMfa({ language });
    if (outcome.kind === 'ok') setStatus(outcome.value);
    else if (outcome.kind === 'problem' && outcome.status === 401) void navigate('/signin', { replace: true });
    else setLoadFailed(true);
  }, [language, navigate]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function beginSetup() {
    setBusy(true);
    setNotice('');
    const outcome = await startTotp({ language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setSetup(outcome.value);
      setConfirmCode('');
      setConfirmProblems(null);
    } else setConfirmProblems(problemsOf(outcome, network));
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (confirmCode.trim() === '') return setConfirmProblems({ fields: { code: t('validation.required') } });
    setBusy(true);
    const outcome = await confirmTotp(confirmCode.trim(), { language });
    setBusy(false);
    if (outcome.kind === 'ok') {
      setSetup(null);
      setRecoveryCodes(outcome.value);
      setNotice(t('mfa.totp.enabled'));
      await reload();
    } else {
      setConfirmCode('');
      setConfirmProblems(problemsOf(outcome, network));
    }
  }

  async function disable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (disablePassword === '') missing.password = t('validation.required');
    if (disableCode.trim() === '') missing.code = t('validation.required');
    if (Object.keys(missing).length > 0) return setDisableProblems({ fields: missing });
    setBusy(true);
    const outcome = await disableTotp(disablePassword, disableCode.trim(), { language });
    setBusy(false);
    setDisablePassword('');
    setDisableCode('');
    if (outcome.kind === 'ok') {
      setDisableProblems(null);
      setRecoveryCodes(null);
      setNotice(t('mfa.totp.disabled'));
      await reload();
    } else setDisableProblems(problemsOf(outcome, network));
  }

  async function regenerate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (regenCode.trim() === '') return setRegenProblems({ fields: { code: t('validation.required') } });
    setBusy(true);
    const outcome = await regenerateRecoveryCodes(regenCode.trim(), { language });
    setBusy(false);
    setRegenCode('');
    if (outcome.kind === 'ok') {
      setRegenProblems(null);
      setRecoveryCodes(outcome.value);
      await reload();
    } else setRegenProblems(problemsOf(outcome, network));
  }

  async function addPasskey(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setNotice('');
    setPasskeyProblems(null);
    try {
      const options = await passkeyRegistrationOptions({ language });
      if (options.kind !== 'ok') return setPasskeyProblems(problemsOf(options, network));
      let response: unknown;
      try {
        response = await startRegistration({ optionsJSON: options.value as PublicKeyCredentialCreationOptionsJSON });
      } catch {
        return setPasskeyProblems({ fields: {}, summary: t('mfa.passkeys.failed') });
      }
      const outcome = await registerPasskey(response, passkeyName.trim() || t('mfa.passkeys.defaultName'), { language });
      if (outcome.kind !== 'ok') return setPasskeyProblems(problemsOf(outcome, network));
      setPasskeyName('');
      setNotice(t('mfa.passkeys.added'));
      await reload();
    } finally {
      setBusy(false);
    }
  }

  const canPasskey = typeof window !== 'undefined' && browserSupportsWebAuthn();

  return (
    <div className="two-factor narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('mfa.page.title')}</h1>
        <p className="tagline">{t('mfa.page.intro')}</p>
      </header>
      <p className="sessions-status" role="status">
        {notice}
      </p>
      {loadFailed && (
        <div className="error-summary" role="alert">
          <p>{t('mfa.page.loadFailed')}</p>
        </div>
      )}
      {!status && !loadFailed && <p>{t('mfa.page.loading')}</p>}
      {status && (
        <>
          <section className="security-section" aria-labelledby="totp-title">
            <h2 id="totp-title">{t('mfa.totp.heading')}</h2>
            <p>{status.totp.enabled ? t('mfa.totp.on') : t('mfa.totp.off')}</p>

            {recoveryCodes && <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />}

            {!status.totp.enabled && !setup && (
              <>
                <Summary problems={confirmProblems} />
                <button type="button" className="button" disabled={busy} onClick={() => void beginSetup()}>
                  {t('mfa.totp.enable')}
                </button>
              </>
            )}

            {!status.totp.enabled && setup && (
              <div className="totp-setup">
                <p>{t('mfa.totp.step1')}</p>
                <img className="totp-qr" src={setup.qrSvgDataUrl} alt={t('mfa.totp.qrAlt')} width={220} height={220} />
                <p>{t('mfa.totp.manual')}</p>
                <p>
                  <span className="visually-hidden">{t('mfa.totp.manualLabel')}: </span>
                  <code className="totp-secret" data-testid="totp-secret">
                    {setup.secret}
                  </code>
                </p>
                <form noValidate onSubmit={(event) => void confirm(event)}>
                  <p>{t('mfa.totp.step2')}</p>
                  <Summary problems={confirmProblems} />
                  <Field id="totp-confirm-code" label={t('mfa.totp.codeLabel')} value={confirmCode} onChange={setConfirmCode} autoComplete="one-time-code" code error={confirmProblems?.fields.code} />
                  <div className="button-row">
                    <button type="submit" className="button" disabled={busy}>
                      {t('mfa.totp.confirm')}
                    </button>
                    <button type="button" className="button button-secondary" onClick={() => setSetup(null)}>
                      {t('mfa.totp.cancel')}
                    </button>
                  </div>
                </form>
              </div>
            )}

            {status.totp.enabled && (
              <>
                <section aria-labelledby="recovery-title">
                  <h3 id="recovery-title">{t('mfa.recovery.heading')}</h3>
                  <p>{t('mfa.recovery.left', { count: status.recoveryCodesLeft })}</p>
                  <form noValidate onSubmit={(event) => void regenerate(event)}>
                    <Summary problems={regenProblems} />
                    <Field id="regen-code" label={t('mfa.recovery.regenerateCodeLabel')} value={regenCode} onChange={setRegenCode} autoComplete="one-time-code" code error={regenProblems?.fields.code} />
                    <p className="field-hint">{t('mfa.recovery.regenerateHint')}</p>
                    <button type="submit" className="button button-secondary" disabled={busy}>
                      {t('mfa.recovery.regenerate')}
                    </button>
                  </form>
                </section>
                <section aria-labelledby="totp-disable-title">
                  <h3 id="totp-disable-title">{t('mfa.totp.disableHeading')}</h3>
                  <form noValidate onSubmit={(event) => void disable(event)}>
                    <Summary problems={disableProblems} />
                    <Field
                      id="totp-disable-password"
                      type="password"
                      label={t('mfa.totp.passwordLabel')}
                      value={disablePassword}
                      onChange={setDisablePassword}
                      autoComplete="current-password"
                      error={disableProblems?.fields.password}
                    />
                    <Field
                      id="totp-disable-code"
                      label={t('mfa.totp.disableCodeLabel')}
                      value={disableCode}
                      onChange={setDisableCode}
                      autoComplete="one-time-code"
                      error={disableProblems?.fields.code}
                    />
                    <button type="submit" className="button button-secondary" disabled={busy}>
                      {t('mfa.totp.disable')}
                    </button>
                  </form>
                </section>
              </>
            )}
          </section>

          <section className="security-section" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">{t('mfa.passkeys.heading')}</h2>
            <p>{t('mfa.passkeys.intro')}</p>
            {status.passkeys.length === 0 ? (
              <p>{t('mfa.passkeys.none')}</p>
            ) : (
              <ul className="session-list" aria-label={t('mfa.passkeys.listLabel')}>
                {status.passkeys.map((p) => (
                  <PasskeyRow
                    key={p.id}
                    passkey={p}
                    onChanged={(key) => {
                      setNotice(t(key));
                      void reload();
                    }}
                  />
                ))}
              </ul>
            )}
            {canPasskey ? (
              <form noValidate onSubmit={(event) => void addPasskey(event)}>
                <Summary problems={passkeyProblems} />
                <Field id="passkey-new-name" label={t('mfa.passkeys.nameLabel')} value={passkeyName} onChange={setPasskeyName} autoComplete="off" error={passkeyProblems?.fields.name} />
                <button type="submit" className="button" disabled={busy}>
                  {t('mfa.passkeys.add')}
                </button>
              </form>
            ) : (
              <p>{t('mfa.passkeys.unsupported')}</p>
            )}
          </section>

          <p className="signin-alt">
            <Link to="/account">{t('mfa.page.back')}</Link>
          </p>
        </>
      )}
    </div>
  );
}
