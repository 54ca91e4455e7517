import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useOutletContext } from 'react-router';
import type { SignedInContext } from '../components/Layout.js';
import { privacyPolicyHref } from '../links.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

const FEATURES = ['verified', 'privacy', 'control', 'language'] as const;
type Feature = (typeof FEATURES)[number];

export function Home() {
  const { t } = useTranslation();
  const language = useLanguage();
  useDocumentTitle(t('home.title'));
  // A signed-in member is offered discovery instead of signing up again.
  const me = useOutletContext<SignedInContext>();

  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title" tabIndex={-1}>
          {t('home.title')}
        </h1>
        <p className="lead">{t('home.lead')}</p>
        {!me && <p className="hero-note">{t('home.signUpNote')}</p>}
        <div className="actions">
          {me ? (
            <Link className="button" to="/discover">
              {t('memberNav.discover')}
            </Link>
          ) : (
            <Link className="button" to="/signup">
              {t('home.signUp')}
            </Link>
          )}
          <Link className="button button-secondary" to="/support">
            {t('home.contactSupport')}
          </Link>
          <a className="button button-secondary" href={privacyPolicyHref(language)}>
            {t('home.readPolicy')}
          </a>
        </div>
      </section>

      <section className="features" aria-labelledby="features-title">
        <h2 id="features-title">{t('home.features.title')}</h2>
        <ul className="feature-list">
          {FEATURES.map((feature) => (
            <li key={feature} className="feature">
              <span className="feature-icon">{FEATURE_ICONS[feature]}</span>
              <h3>{t(`home.features.${feature}.title`)}</h3>
              <p>{t(`home.features.${feature}.body`)}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      {children}
    </svg>
  );
}

const FEATURE_ICONS: Record<Feature, ReactNode> = {
  verified: (
    <Icon>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21c0-4 3.6-7 8-7s8 3 8 7" />
      <path d="M16 4.5l1.5 1.5L20.5 3" />
    </Icon>
  ),
  privacy: (
    <Icon>
      <path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z" />
      <path d="M8.5 12l2.5 2.5 4.5-5" />
    </Icon>
  ),
  control: (
    <Icon>
      <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
      <circle cx="12" cy="12" r="3" />
    </Icon>
  ),
  language: (
    <Icon>
      <path d="M4 5h16v11H9l-5 4z" />
      <path d="M8 9h8M8 12h5" />
    </Icon>
  ),
};
