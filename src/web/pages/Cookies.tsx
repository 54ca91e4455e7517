import { useTranslation } from 'react-i18next';
import { COOKIE_CATEGORIES, COOKIE_CHOICE_DAYS, COOKIE_CHOICE_PROOF_YEARS, DECLARED_STORAGE } from '../../common/cookies.js';
import { CookieChoiceForm } from '../cookies/CookieChoiceForm.js';
import { useCookieSnapshot } from '../cookies/store.js';
import { useDocumentTitle } from '../useDocumentTitle.js';
import { useLanguage } from '../useLanguage.js';

/** The cookie page (P2.1): every cookie and storage item from the one declaration, and the choice. */
export function Cookies() {
  const { t } = useTranslation();
  const language = useLanguage();
  const snapshot = useCookieSnapshot();
  useDocumentTitle(t('cookies.pageTitle'));

  return (
    <div className="cookies-page narrow">
      <header className="page-intro">
        <h1 tabIndex={-1}>{t('cookies.pageTitle')}</h1>
        <p className="tagline">{t('cookies.pageIntro')}</p>
      </header>

      <section aria-labelledby="cookie-choice-title">
        <h2 id="cookie-choice-title">{t('cookies.yourChoice')}</h2>
        {snapshot.status === 'loading' && <p>{t('cookies.loading')}</p>}
        {snapshot.status === 'unavailable' && <p role="alert">{t('cookies.saveFailed')}</p>}
        {snapshot.status === 'ready' && (
          <>
            <p>{snapshot.state.choice ? t('cookies.currentChosen') : t('cookies.currentNone')}</p>
            {/* Keyed by the stored choice so the form starts from it again after a save elsewhere. */}
            <CookieChoiceForm key={JSON.stringify(snapshot.state.choice)} initial={snapshot.state.choice} gpc={snapshot.state.gpc} />
          </>
        )}
        <p className="cookie-record">{t('cookies.choiceRecord', { days: COOKIE_CHOICE_DAYS, years: COOKIE_CHOICE_PROOF_YEARS })}</p>
      </section>

      <section aria-labelledby="cookie-list-title">
        <h2 id="cookie-list-title">{t('cookies.listTitle')}</h2>
        {COOKIE_CATEGORIES.map((category) => {
          const items = DECLARED_STORAGE.filter((d) => d.category === category);
          return (
            <section key={category} className="cookie-category" aria-labelledby={`cookie-cat-${category}`}>
              <h3 id={`cookie-cat-${category}`}>{t(`cookies.categories.${category}.name`)}</h3>
              <p>{t(`cookies.categories.${category}.description`)}</p>
              {items.length === 0 ? (
                <p className="cookie-none">{t('cookies.noneInCategory')}</p>
              ) : (
                <ul className="cookie-list">
                  {items.map((item) => (
                    <li key={item.name}>
                      <p className="cookie-name">
                        <code>{item.name}</code>
                      </p>
                      <dl>
                        <div>
                          <dt>{t('cookies.fields.kind')}</dt>
                          <dd>{t(`cookies.kinds.${item.kind}`)}</dd>
                        </div>
                        <div>
                          <dt>{t('cookies.fields.purpose')}</dt>
                          <dd>{item.purpose[language]}</dd>
                        </div>
                        <div>
                          <dt>{t('cookies.fields.lifetime')}</dt>
                          <dd>{item.lifetime[language]}</dd>
                        </div>
                        <div>
                          <dt>{t('cookies.fields.setBy')}</dt>
                          <dd>{t(`cookies.setBy.${item.setBy}`)}</dd>
                        </div>
                      </dl>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </section>
    </div>
  );
}
