import type { RouteObject } from 'react-router';
import { ErrorPage } from './components/ErrorPage.js';
import { Layout } from './components/Layout.js';
import { Home } from './pages/Home.js';
import { NotFound } from './pages/NotFound.js';
import { Sessions } from './pages/Sessions.js';
import { SignIn } from './pages/SignIn.js';
import { SignUp } from './pages/SignUp.js';
import { Support } from './pages/Support.js';
import { VerifyEmail } from './pages/VerifyEmail.js';
import { VerifySignUp } from './pages/VerifySignUp.js';

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
      { path: 'signup', element: <SignUp /> },
      { path: 'signup/verify', element: <VerifySignUp /> },
      { path: 'verify-email', element: <VerifyEmail /> },
      { path: 'signin', element: <SignIn /> },
      { path: 'account/sessions', element: <Sessions /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];
