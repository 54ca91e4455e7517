import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../useLanguage.js';
import { requestCompromiseConfirmation } from './api.js';
import { Field, fieldAria, messageFor, useMessageText, type Message } from './common.js';

/**
 * The support form when the topic is "my account is compromised": it asks for the account, and a
 * confirmation link goes to that account's verified email. Nothing is locked until the link is
 * opened, so nobody can lock someone else out; the answer is the same whether or not the account exists.
 */
export function CompromisedRequest({ topicField }: { topicField: ReactNode }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const text = useMessageText();
  const [identifier, setIdentifier] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [problem, setProblem] = useState<Message | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const sentRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (sent) sentRef.current?.focus();
  }, [sent]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    if (identifier.trim() === '') {
      setFieldError(t('validation.required'));
      document.getElementById('support-compromised-identifier')?.focus();
      return;
    }
    setFieldError(undefined);
    setProblem(null);
    setSending(true);
    const outcome = await requestCompromiseConfirmation(identifier.trim(), { language });
    setSending(false);
    if (outcome.kind === 'ok') setSent(true);
    else setProblem(messageFor(outcome));
  }

  if (sent) {
    return (
      <section className="confirmation" aria-labelledby="compromised-sent-title">
        <h2 id="compromised-sent-title" tabIndex={-1} ref={sentRef}>
          {t('recovery.compromisedForm.sentTitle')}
        </h2>
        <p>{t('recovery.compromisedForm.sent')}</p>
      </section>
    );
  }

  return (
    <form className="support-form" noValidate onSubmit={(event) => void submit(event)}>
      {problem && (
        <div className="error-summary" role="alert">
          <p>{text(problem)}</p>
        </div>
      )}
      {topicField}
      <p id="support-compromised-intro">{t('recovery.compromisedForm.intro')}</p>
      <Field id="support-compromised-identifier" label={t('recovery.compromisedForm.identifierLabel')} error={fieldError}>
        <input
          id="support-compromised-identifier"
          name="identifier"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={254}
          required
          {...fieldAria('support-compromised-identifier', false, fieldError)}
          value={identifier}
          onChange={(event) => setIdentifier(event.target.value)}
        />
      </Field>
      <div className="form-actions">
        <button type="submit" className="button" disabled={sending}>
          {sending && <span className="spinner" aria-hidden="true" />}
          {sending ? t('support.sending') : t('recovery.compromisedForm.send')}
        </button>
      </div>
    </form>
  );
}
