import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { useLanguage } from '../useLanguage.js';
import { fetchMe, type Me } from './signin.js';

/**
 * Who is signed in, for the header: `undefined` while unknown, `null` when signed out. Asked again
 * on every page change, so signing in or out anywhere shows in the header on the next page (the
 * session cookie is httpOnly: the page cannot read it, only ask the server).
 */
export function useSignedInMember(): Me | null | undefined {
  const { pathname } = useLocation();
  const language = useLanguage();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void fetchMe({ language }).then((outcome) => {
      if (!current) return;
      if (outcome.kind === 'ok') setMe(outcome.value);
      else if (outcome.kind === 'problem' && outcome.status === 401) setMe(null);
      // A network error keeps what we knew: the header should not flicker to "signed out".
    });
    return () => {
      current = false;
    };
  }, [pathname, language]);
  return me;
}
