import { useEffect, useRef, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useSignedInMember } from '../accounts/useSignedInMember.js';
import { CookieBanner } from '../cookies/CookieBanner.js';
import { UnreadBadge } from '../notifications/UnreadBadge.js';
import { PolicyBanner } from '../policy/PolicyBanner.js';
import { privacyPolicyHref } from '../links.js';
import { useLiveMember } from '../realtime/useLiveMember.js';
import { useLanguage } from '../useLanguage.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { Logo } from './Logo.js';
import { MemberNav } from './MemberNav.js';

function focusMain(event: MouseEvent<HTMLAnchorElement>): void {
  const main = document.getElementById('main');
  if (!main) return;
  event.preventDefault();
  main.focus();
  main.scrollIntoView();
}

/** After a client-side navigation, start at the top and put focus on the new page's heading. */
function useFocusOnNavigate(): void {
  const { pathname } = useLocation();
  const previous = useRef(pathname);
  useEffect(() => {
    // Comparing paths (not counting renders) keeps the first load, and StrictMode's re-run, untouched.
    if (previous.current === pathname) return;
    previous.current = pathname;
    window.scrollTo(0, 0);
    const target = document.querySelector<HTMLElement>('#main h1') ?? document.getElementById('main');
    target?.focus();
  }, [pathname]);
}

/** What the layout tells its pages about who is signed in: undefined while unknown, null when signed out. */
export type SignedInContext = ReturnType<typeof useSignedInMember>;

export function Layout() {
  const { t } = useTranslation();
  const language = useLanguage();
  useFocusOnNavigate();
  const me = useSignedInMember();
  useLiveMember(me);
  const year = new Date().getFullYear();
  // Inside a conversation a phone gives the composer the room the tab bar would take (member-nav.css);
  // the page's own back link leads out.
  const { pathname } = useLocation();
  const inConversation = /^\/chats\/[^/]+/.test(pathname);

  return (
    <div className={me ? `page page-member${inConversation ? ' page-in-conversation' : ''}` : 'page'}>
      <a className="skip-link" href="#main" onClick={focusMain}>
        {t('app.skipToContent')}
      </a>
      <CookieBanner memberKey={me?.id ?? 'visitor'} />
      <PolicyBanner />
      <header className="site-header">
        <div className="container header-inner">
          <Link to="/" className="brand">
            <Logo />
            <span className="brand-name">{t('app.name')}</span>
          </Link>
          {me ? (
            <>
              {/* A member's places; a tab bar at the bottom of a phone's screen (member-nav.css). Home is
                  the brand link, support is in the footer. */}
              <nav className="main-nav member-nav" aria-label={t('app.nav.main')}>
                <MemberNav username={me.username} />
              </nav>
              <div className="header-bell">
                <UnreadBadge />
              </div>
            </>
          ) : (
            // The Privacy Policy link lives in the footer, which keeps this nav on one line at 360 px.
            <nav className="main-nav" aria-label={t('app.nav.main')}>
              <ul>
                <li>
                  <NavLink to="/" end>
                    {t('app.nav.home')}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/signup" end>
                    {t('app.nav.signup')}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/signin" end>
                    {t('app.nav.signin')}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/support">{t('app.nav.support')}</NavLink>
                </li>
              </ul>
            </nav>
          )}
          <LanguageSwitch />
        </div>
      </header>

      <main id="main" className="site-main" tabIndex={-1}>
        <div className="container">
          {/* Pages that differ for a signed-in member (Home) read who it is from here, without asking again. */}
          <Outlet context={me satisfies SignedInContext} />
        </div>
      </main>

      <footer className="site-footer">
        <div className="container footer-inner">
          <p className="footer-promise">{t('app.footer.promise')}</p>
          <ul className="footer-links">
            <li>
              <a href={privacyPolicyHref(language)}>{t('app.footer.privacy')}</a>
            </li>
            <li>
              <Link to="/cookies">{t('app.footer.cookies')}</Link>
            </li>
            <li>
              <Link to="/support">{t('app.footer.support')}</Link>
            </li>
          </ul>
          <p className="copyright">{t('app.footer.copyright', { year })}</p>
        </div>
      </footer>
    </div>
  );
}
