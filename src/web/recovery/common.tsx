import type { ReactNode, Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Outcome } from '../http.js';

/** A message to show: one of our i18n keys, or the server's already-localized text. */
export type Message = { key: string; params?: Record<string, unknown> } | { text: string };

export function messageFor(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): Message {
  if (outcome.kind === 'network') return { key: 'signup.errors.network' };
  if (outcome.detail) return { text: outcome.detail };
  return { key: outcome.status >= 500 ? 'errors.internal' : 'errors.bad_request' };
}

export function useMessageText(): (message: Message) => string {
  const { t } = useTranslation();
  return (message) => ('key' in message ? t(message.key, message.params ?? {}) : message.text);
}

/** A labelled field with an optional hint and its error (shown before the control, as on sign-up). */
export function Field(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className={props.error ? 'field has-error' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.hint && (
        <p className="field-hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`}>
          <span className="visually-hidden">{t('support.errors.prefix')} </span>
          {props.error}
        </p>
      )}
      {props.children}
    </div>
  );
}

/** aria attributes for a control rendered inside <Field>. */
export function fieldAria(id: string, hint: boolean, error: string | undefined) {
  const ids = [...(hint ? [`${id}-hint`] : []), ...(error ? [`${id}-error`] : [])];
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined } as const;
}

/** After the account was locked: what happened, the ticket, and the way back (a password reset). */
export function LockedNotice({ ticketNumber, headingRef }: { ticketNumber: string; headingRef?: Ref<HTMLHeadingElement> }) {
  const { t } = useTranslation();
  return (
    <section className="confirmation" aria-labelledby="locked-title">
      <h2 id="locked-title" tabIndex={-1} ref={headingRef}>
        {t('recovery.locked.title')}
      </h2>
      <p>{t('recovery.locked.body', { number: ticketNumber })}</p>
      <Link className="button" to="/forgot-password">
        {t('recovery.locked.reset')}
      </Link>
    </section>
  );
}
