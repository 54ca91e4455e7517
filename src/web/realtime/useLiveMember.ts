import { useEffect } from 'react';
import { live } from './live.js';

/**
 * Tells the page's live connection who is signed in, as the layout learns it from the server:
 * `undefined` (not known yet, or a network error) changes nothing, `null` (signed out) closes the
 * socket, a member id opens it for that member once something subscribes.
 */
export function useLiveMember(me: { id: string } | null | undefined): void {
  const memberId = me === undefined ? undefined : (me?.id ?? null);
  useEffect(() => {
    if (memberId !== undefined) live().signedIn(memberId);
  }, [memberId]);
}
