import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SupportTicketResponse } from '../../common/schemas/support.js';
import { SupportConfirmation } from '../support/SupportConfirmation.js';
import { SupportForm } from '../support/SupportForm.js';
import { useDocumentTitle } from '../useDocumentTitle.js';

export function Support() {
  const { t } = useTranslation();
  useDocumentTitle(t('support.title'));
  const [ticket, setTicket] = useState<SupportTicketResponse | null>(null);
  /** Each new form gets a new key, so its state (and its idempotency key) starts fresh. */
  const [formNumber, setFormNumber] = useState(0);

  function sendAnother(): void {
    setTicket(null);
    setFormNumber((n) => n + 1);
  }

  return (
    <div className="support narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('support.title')}</h1>
        <p className="tagline">{t('support.tagline')}</p>
      </header>
      <p>{t('support.intro')}</p>
      <p className="promise">
        <svg className="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v5l3 2" />
        </svg>
        <span>{t('support.promise')}</span>
      </p>
      {ticket ? (
        <SupportConfirmation ticket={ticket} onAnother={sendAnother} />
      ) : (
        <SupportForm key={formNumber} onSent={setTicket} focusFirstField={formNumber > 0} />
      )}
    </div>
  );
}
