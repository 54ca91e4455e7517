import type { RouteObject } from 'react-router';
import { Account } from './pages/Account.js';
import { Consents } from './pages/Consents.js';
import { Cookies } from './pages/Cookies.js';
import { Unsubscribe } from './pages/Unsubscribe.js';
import { YourData } from './pages/YourData.js';
import { EditProfile } from './pages/EditProfile.js';
import { Restrictions } from './pages/Restrictions.js';
import { StaffRequests } from './pages/StaffRequests.js';
import { StaffFaceReviews } from './pages/StaffFaceReviews.js';
import { StaffReports } from './pages/StaffReports.js';
import { Chat, FormerChat } from './pages/Chat.js';
import { Chats } from './pages/Chats.js';
import { Feed } from './pages/Feed.js';
import { Notifications } from './pages/Notifications.js';
import { DeleteAccount } from './pages/DeleteAccount.js';
import { ErrorPage } from './components/ErrorPage.js';
import { Blocked } from './pages/Blocked.js';
import { Connections } from './pages/Connections.js';
import { Requests } from './pages/Requests.js';
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
import { Reconsent } from './pages/Reconsent.js';
import { Profile } from './pages/Profile.js';
import { EditSocialProfile } from './pages/EditSocialProfile.js';
import { Discover } from './pages/Discover.js';
import { MemberProfile } from './pages/MemberProfile.js';
import { FaceVerification } from './pages/FaceVerification.js';

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
      { path: 'account/face', element: <FaceVerification /> },
      { path: 'reconsent', element: <Reconsent /> },
      { path: 'account/data', element: <YourData /> },
      { path: 'account/details', element: <EditProfile /> },
      { path: 'account/restrictions', element: <Restrictions /> },
      { path: 'staff/requests', element: <StaffRequests /> },
      { path: 'staff/face-reviews/:id?', element: <StaffFaceReviews /> },
      { path: 'staff/reports/:id?', element: <StaffReports /> },
      { path: 'chats', element: <Chats /> },
      { path: 'chats/:memberId', element: <Chat /> },
      { path: 'chats/former/:conversationId', element: <FormerChat /> },
      { path: 'feed', element: <Feed /> },
      { path: 'notifications', element: <Notifications /> },
      { path: 'account/delete', element: <DeleteAccount /> },
      { path: 'account/delete/done', element: <DeleteAccount /> },
      { path: 'profile', element: <Profile /> },
      { path: 'profile/edit', element: <EditSocialProfile /> },
      { path: 'discover', element: <Discover /> },
      { path: 'members/:username', element: <MemberProfile /> },
      { path: 'connections', element: <Connections /> },
      { path: 'connections/requests', element: <Requests /> },
      { path: 'connections/blocked', element: <Blocked /> },
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
