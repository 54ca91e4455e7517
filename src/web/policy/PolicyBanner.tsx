import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { formatLongDate } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { fetchPolicyNotice, policyDiffHref, policyVersionHref, policyVersionsHref, type PolicyNotice } from './api.js';
import './policy.css';

/** Pages a member who must re-consent may still open (their rights never wait on a new policy). */
const OPEN_WHILE_PENDING = ['/reconsent', '/account/data', '/account/privacy', '/account/delete', '/support', '/cookies', '/signin'];
/** Visitors see the notice of a material change for this long after it took effect. */
const VISITOR_NOTICE_DAYS = 30;

/**
 * The notice of a material policy change (P7.2), above every page. A signed-in member who has not
 * yet decided on it is taken to the re-consent page (the server refuses their other member API
 * calls with 403 policy_reconsent_required anyway) and sees a banner on the pages that stay open; a
 * visitor sees a dismissible notice for 30 days after the change took effect. Asked again on every
 * page change, like the header's "who am I".
 */
export function PolicyBanner() {
  const { t } = useTranslation();
  const language = useLanguage();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<PolicyNotice | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    // A "please re-consent" answer may be stale once the member has decided (they leave /reconsent
    // right after): hide it until the server answers again, so it never flashes on the next page.
    setNotice((previous) => (previous?.member?.reconsentRequired ? null : previous));
    void fetchPolicyNotice({ language }).then((outcome) => {
      if (!current || outcome.kind !== 'ok') return;
      setNotice(outcome.value);
      if (outcome.value.member?.reconsentRequired && !OPEN_WHILE_PENDING.includes(pathname)) void navigate('/reconsent');
    });
    return () => {
      current = false;
    };
  }, [pathname, language, navigate]);

  if (!notice?.material) return null;
  const { material } = notice;

  if (notice.member?.reconsentRequired) {
    if (pathname === '/reconsent') return null;
    return (
      <section className="policy-banner policy-banner-member" aria-labelledby="policy-banner-title">
        <div className="container">
          <h2 id="policy-banner-title">{t('policyChanges.banner.memberTitle')}</h2>
          <p>{t('policyChanges.banner.memberBody', { version: notice.current.version })}</p>
          <p>
            <Link className="button" to="/reconsent">
              {t('policyChanges.banner.review')}
            </Link>
          </p>
        </div>
      </section>
    );
  }

  const recent = Date.now() - new Date(material.effectiveAt).getTime() < VISITOR_NOTICE_DAYS * 24 * 3600 * 1000;
  if (notice.member || !recent || dismissed === material.version) return null;
  return (
    <section className="policy-banner" aria-labelledby="policy-banner-title">
      <div className="container">
        <h2 id="policy-banner-title">{t('policyChanges.banner.visitorTitle')}</h2>
        <p>{t('policyChanges.banner.visitorBody', { version: material.version, date: formatLongDate(material.effectiveAt, language) })}</p>
        {material.changes.length > 0 && (
          <ul>
            {material.changes.map((change, i) => (
              <li key={i}>{change}</li>
            ))}
          </ul>
        )}
        <p className="policy-banner-actions">
          <a href={policyVersionHref(material.version, language)}>{t('policyChanges.banner.read')}</a>
          <a href={policyVersionsDiff(notice, language)}>{t('policyChanges.banner.compare')}</a>
          <button type="button" className="button button-secondary" onClick={() => setDismissed(material.version)}>
            {t('policyChanges.banner.dismiss')}
          </button>
        </p>
      </div>
    </section>
  );
}

function policyVersionsDiff(notice: PolicyNotice, language: string): string {
  const { version, previous } = notice.material!;
  return previous ? policyDiffHref(previous, version, language) : policyVersionsHref(language);
}
