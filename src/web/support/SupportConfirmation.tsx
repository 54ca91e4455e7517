import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SupportTicketResponse } from '../../common/schemas/support.js';
import { formatLongDate } from '../locale.js';
import { useLanguage } from '../useLanguage.js';

/** Puts `element` where `value` goes in a translated sentence, whatever the word order of the language. */
function withElement(render: (placeholder: string) => string, element: ReactNode): ReactNode {
  const placeholder = '\u0000';
  const [before = '', ...rest] = render(placeholder).split(placeholder);
  if (rest.length === 0) return before;
  return (
    <>
      {before}
      {element}
      {rest.join('')}
    </>
  );
}

interface Props {
  ticket: SupportTicketResponse;
  onAnother: () => void;
}

export function SupportConfirmation({ ticket, onAnother }: Props) {
  const { t } = useTranslation();
  const language = useLanguage();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  return (
    <section className="confirmation" aria-labelledby="support-sent-title">
      <div className="confirmation-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="28" height="28" focusable="false" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round">
          <path d="M5 12.5l4.5 4.5L19 7.5" />
        </svg>
      </div>
      <h2 id="support-sent-title" tabIndex={-1} ref={headingRef}>
        {t('support.sent.title')}
      </h2>
      <p>
        {withElement(
          (number) => t('support.sent.number', { number }),
          <strong className="ticket-number">{ticket.number}</strong>,
        )}
      </p>
      <p>{t('support.sent.email')}</p>
      <p>
        {withElement(
          (date) => t('support.sent.due', { date }),
          <strong>
            <time dateTime={ticket.dueAt}>{formatLongDate(ticket.dueAt, language)}</time>
          </strong>,
        )}
      </p>
      <button type="button" className="button button-secondary" onClick={onAnother}>
        {t('support.sent.another')}
      </button>
    </section>
  );
}
