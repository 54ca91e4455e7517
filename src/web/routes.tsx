import type { RouteObject } from 'react-router';
import { Account } from './pages/Account.js';
import { Consents } from './pages/Consents.js';
import { Cookies } from './pages/Cookies.js';
import { Unsubscribe } from './pages/Unsubscribe.js';
import { YourData } from './pages/YourData.js';
import { ErrorPage } from './components/ErrorPage.js';
import { Layout } from './components/Layout.js';
import { Home } from './pages/Home.js';
import { AccountSecurity } from './pages/AccountSecurity.js';
import { ConfirmCompromised } from './pages/ConfirmCompromised.js';
import { ConfirmEmailChange } from './pages/ConfirmEmailChange.js';
import { ForgotPassword } from './pages/ForgotPassword.js';
import { ResetPassword } from './pages/ResetPassword.js';
import { NotFound } from './pages/NotFound.js';
import { Sessions } from './pages/Sessions.js';
import { TwoFactor } from './pages/TwoFactor.js';
import { SignIn } from './pages/SignIn.js';
import { SignUp } from './pages/SignUp.js';
import { Support } from './pages/Support.js';
import { VerifyEmail } from './pages/VerifyEmail.js';
import { VerifySignUp } from './pages/VerifySignUp.js';
import { GuardianConsent } from './pages/GuardianConsent.js';
import { GuardianWithdraw } from './pages/GuardianWithdraw.js';

/**
 * Client-side routes. /privacy is deliberately absent: the Privacy Policy is rendered by the
 * server and reached with a full page load.
 */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    errorElement: <ErrorPage />,
    children: [
      { index: true, element: <Home /> },
      { path: 'support', element: <Support /> },
      { path: 'cookies', element: <Cookies /> },
      { path: 'unsubscribe/:token', element: <Unsubscribe /> },
      { path: 'signup', element: <SignUp /> },
      { path: 'signup/verify', element: <VerifySignUp /> },
      { path: 'verify-email', element: <VerifyEmail /> },
      { path: 'guardian/:token', element: <GuardianConsent /> },
      { path: 'guardian/withdraw/:token', element: <GuardianWithdraw /> },
      { path: 'signin', element: <SignIn /> },
      { path: 'account', element: <Account /> },
      { path: 'account/privacy', element: <Consents /> },
      { path: 'account/data', element: <YourData /> },
      { path: 'account/sessions', element: <Sessions /> },
      { path: 'account/two-factor', element: <TwoFactor /> },
      { path: 'forgot-password', element: <ForgotPassword /> },
      { path: 'reset-password', element: <ResetPassword /> },
      { path: 'account/security', element: <AccountSecurity /> },
      { path: 'confirm-email-change', element: <ConfirmEmailChange /> },
      { path: 'account/compromised/confirm', element: <ConfirmCompromised /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];
