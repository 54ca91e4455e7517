import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../locale.js';
import { useLanguage } from '../useLanguage.js';
import { fetchMemberPolicy, policyVersionHref, policyVersionsHref, type MemberPolicy } from './api.js';
import './policy.css';

/**
 * On the member's privacy page: which version of the Privacy Policy governs them (P7.1), when they
 * accepted which version, whether they declined one that reduces rights, and the way to review.
 */
export function PolicyStatus() {
  const { t } = useTranslation();
  const language = useLanguage();
  const [state, setState] = useState<MemberPolicy | null>(null);

  useEffect(() => {
    void fetchMemberPolicy({ language }).then((outcome) => {
      if (outcome.kind === 'ok') setState(outcome.value);
    });
  }, [language]);

  if (!state) return null;
  const canReview = state.accepted?.version !== state.current.version && state.pending !== null;
  return (
    <section className="policy-status" aria-labelledby="policy-status-title">
      <h2 id="policy-status-title">{t('policyChanges.status.title')}</h2>
      <p>
        <strong>{t('policyChanges.status.governing', { version: state.governing.version })}</strong>{' '}
        <a href={policyVersionHref(state.governing.version, language)}>{t('policyChanges.pages.read', { version: state.governing.version })}</a>
      </p>
      {state.accepted && <p>{t('policyChanges.status.accepted', { version: state.accepted.version, when: formatDateTime(state.accepted.at, language) })}</p>}
      {state.declined && <p>{t('policyChanges.status.declined', { current: state.current.version, governing: state.governing.version })}</p>}
      {canReview && (
        <p>
          <Link to="/reconsent">{t('policyChanges.status.review', { version: state.current.version })}</Link>
        </p>
      )}
      <p>
        <a href={policyVersionsHref(language)}>{t('policyChanges.status.versions')}</a>
      </p>
    </section>
  );
}
