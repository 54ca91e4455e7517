import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLanguage } from '../useLanguage.js';
import { CookieChoiceForm } from './CookieChoiceForm.js';
import { chooseCookies, loadCookieState, useCookieSnapshot } from './store.js';
import { REJECT_ALL } from '../../common/cookies.js';

/**
 * Shown until the visitor has chosen (P2.1): accept all and reject all side by side and equally
 * prominent, or a choice per category. Not a modal: the page stays usable, and nothing but
 * necessary cookies is used meanwhile. `memberKey` changes when someone signs in or out, so a
 * signed-in member's own choice is picked up.
 */
export function CookieBanner({ memberKey }: { memberKey: string }) {
  const { t } = useTranslation();
  const language = useLanguage();
  const snapshot = useCookieSnapshot();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    void loadCookieState(language);
    // Language changes don't change the choice; only who is signed in does.
  }, [memberKey]);

  async function quick(accept: boolean): Promise<void> {
    setBusy(true);
    const outcome = await chooseCookies(accept ? { preferences: true, analytics: true, marketing: true } : REJECT_ALL, language);
    setBusy(false);
    if (outcome.kind === 'ok') setSaved(true);
    else setOpen(true);
  }

  useEffect(() => {
    if (saved) statusRef.current?.focus();
  }, [saved]);

  if (saved) {
    return (
      <p className="cookie-saved container" role="status" tabIndex={-1} ref={statusRef}>
        {t('cookies.saved')} <Link to="/cookies">{t('cookies.change')}</Link>
      </p>
    );
  }
  if (snapshot.status !== 'ready' || snapshot.state.choice !== null) return null;
  const { gpc } = snapshot.state;

  return (
    <section className="cookie-banner" aria-labelledby="cookie-banner-title">
      <div className="container">
        <h2 id="cookie-banner-title">{t('cookies.bannerTitle')}</h2>
        {snapshot.notice && (
          <p className="field-error" role="alert">
            {snapshot.notice}
          </p>
        )}
        <p>{t('cookies.bannerText')}</p>
        {open ? (
          <CookieChoiceForm initial={null} gpc={gpc} compact onSaved={() => setSaved(true)} />
        ) : (
          <div className="cookie-actions">
            <button type="button" className="button" disabled={busy} onClick={() => void quick(true)}>
              {t('cookies.acceptAll')}
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => void quick(false)}>
              {t('cookies.rejectAll')}
            </button>
            <button type="button" className="button button-secondary" aria-expanded={false} onClick={() => setOpen(true)}>
              {t('cookies.choose')}
            </button>
          </div>
        )}
        <p className="cookie-more">
          <Link to="/cookies">{t('cookies.pageLink')}</Link>
        </p>
      </div>
    </section>
  );
}
