import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { withCsrf } from '../http.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/**
 * The unsubscribe link in every newsletter (P2.2): works without signing in. Opening the page
 * changes nothing (link scanners in mail systems open links); the button does.
 */
export function Unsubscribe() {
  const { t } = useTranslation();
  const language = useLanguage();
  const { token = '' } = useParams();
  useDocumentTitle(t('newsletter.unsubscribe.title'));
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'done' } | { kind: 'error'; message: string }>({ kind: 'idle' });

  async function confirm(): Promise<void> {
    setState({ kind: 'busy' });
    try {
      const result = await withCsrf(`/api/newsletter/unsubscribe/${encodeURIComponent(token)}`, {}, { language });
      if (result instanceof Response) setState({ kind: 'done' });
      else setState({ kind: 'error', message: result.detail ?? t('errors.internal') });
    } catch {
      setState({ kind: 'error', message: t('signup.errors.network') });
    }
  }

  return (
    <div className="narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('newsletter.unsubscribe.title')}</h1>
      </header>
      {!token ? (
        <p>{t('newsletter.unsubscribe.missing')}</p>
      ) : state.kind === 'done' ? (
        <>
          <p role="status" className="sessions-status">
            {t('newsletter.unsubscribe.done')}
          </p>
          <p>
            <Link to="/account/privacy">{t('consents.title')}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{t('newsletter.unsubscribe.intro')}</p>
          {state.kind === 'error' && (
            <div className="error-summary" role="alert">
              <p>{state.message}</p>
            </div>
          )}
          <button type="button" className="button" disabled={state.kind === 'busy'} onClick={() => void confirm()}>
            {t('newsletter.unsubscribe.confirm')}
          </button>
        </>
      )}
    </div>
  );
}
