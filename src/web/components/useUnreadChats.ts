import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import { fetchUnreadChats } from '../chat/api.js';
import { live } from '../realtime/live.js';
import { useLanguage } from '../useLanguage.js';

/** Events after which the number of unread chat messages may have changed. */
const CHANGES = ['chat.message', 'chat.read', 'chat.deleted', 'live.resync'] as const;

/**
 * How many chat messages wait unread, for the Chats tab: `GET /api/chats/unread` (the counts only,
 * never the conversation list), kept current over the live socket (a new message, this member
 * reading a chat on any of their devices, a deletion, a reconnect) and when the member leaves or
 * enters a chat page. A burst of events costs at most one request in flight and one after it.
 */
export function useUnreadChats(): number {
  const language = useLanguage();
  const { pathname } = useLocation();
  const [unread, setUnread] = useState(0);
  const reload = useRef<() => void>(() => undefined);

  useEffect(() => {
    let current = true;
    let inFlight = false;
    let again = false;
    const load = (): void => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      void fetchUnreadChats({ language }).then((outcome) => {
        inFlight = false;
        if (!current) return;
        if (outcome.kind === 'ok') setUnread(outcome.value.messages);
        if (again) {
          again = false;
          load();
        }
      });
    };
    reload.current = load;
    load();
    const client = live();
    const offs = CHANGES.map((type) => client.subscribe(type, load));
    return () => {
      current = false;
      reload.current = () => undefined;
      offs.forEach((off) => off());
    };
  }, [language]);

  // Reading happens on the chat pages; without a socket the page marks read over REST, with no event.
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    const chatPageInvolved = [previous.current, pathname].some((path) => path.startsWith('/chats'));
    previous.current = pathname;
    if (chatPageInvolved) reload.current();
  }, [pathname]);

  return unread;
}
