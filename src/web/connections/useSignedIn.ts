import { useNavigate } from 'react-router';
import type { Outcome } from '../http.js';

/** Sends the visitor to sign-in when an answer says the session is gone; true when it did. */
export function useSignInRedirect(): (outcome: Outcome<unknown>) => boolean {
  const navigate = useNavigate();
  return (outcome) => {
    if (outcome.kind === 'problem' && outcome.status === 401) {
      void navigate('/signin', { replace: true });
      return true;
    }
    return false;
  };
}
