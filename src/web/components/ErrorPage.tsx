import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../useDocumentTitle.js';

/**
 * Shown if rendering a route throws. It stands alone (no router links) because the layout
 * itself may be what failed; the link reloads the home page.
 */
export function ErrorPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('errors.internal'));
  return (
    <main id="main" className="site-main" tabIndex={-1}>
      <div className="container narrow">
        <h1 tabIndex={-1}>{t('app.name')}</h1>
        <p role="alert">{t('errors.internal')}</p>
        <p>
          <a className="button" href="/">
            {t('notFound.home')}
          </a>
        </p>
      </div>
    </main>
  );
}
