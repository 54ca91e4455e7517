/**
 * The shared live connection to `/api/live` (one WebSocket per page, shared by every component):
 * connect, reconnect with backoff, subscribe by event type, send frames. Events are whatever the
 * server publishes with `publishMemberEvent` (`chat.message`, `chat.receipt`, `request.received`,
 * `notification`, …). After a reconnect (and on the server's `live.resync`) subscribers of
 * `live.resync` should refetch what they show, since events during the gap are not replayed.
 *
 * The socket opens only while a member is signed in (`signedIn(memberId)`, told by the layout, which
 * asks the server who is signed in): the server refuses anyone else, so trying would only make noise.
 * Signing out closes it; another member signing in on the same page gets a socket of their own.
 *
 * Usage from any page:
 *   const off = live.subscribe('notification', (event) => …);  // connects on first subscriber (once signed in)
 *   live.onState((state) => …);                                  // 'connecting' | 'open' | 'reconnecting'
 *   live.send({ type: 'chat.read', with: memberId });            // false while not open
 *   off();                                                       // disconnects after the last one leaves
 */
export type LiveEvent = { type: string; [key: string]: unknown };
export type LiveState = 'idle' | 'connecting' | 'open' | 'reconnecting';
type Listener = (event: LiveEvent) => void;

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
/** Close code the server uses when the session has ended: no point reconnecting. */
const SESSION_ENDED = 4401;

export interface LiveClient {
  subscribe(type: string, listener: Listener): () => void;
  onState(listener: (state: LiveState) => void): () => void;
  state(): LiveState;
  send(frame: LiveEvent): boolean;
  /** Reconnect now (e.g. the browser came back online). */
  retryNow(): void;
  /** Who is signed in (`null`: nobody). The socket is open only for a signed-in member. */
  signedIn(memberId: string | null): void;
}

export function createLiveClient(url: () => string = defaultUrl, WebSocketImpl: typeof WebSocket = WebSocket): LiveClient {
  const listeners = new Map<string, Set<Listener>>();
  const stateListeners = new Set<(state: LiveState) => void>();
  let socket: WebSocket | undefined;
  let current: LiveState = 'idle';
  let delay = MIN_DELAY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let everOpened = false;
  let wanted = 0;
  /** The signed-in member the socket is for; null until the layout knows someone is signed in. */
  let member: string | null = null;

  function setState(next: LiveState): void {
    if (next === current) return;
    current = next;
    for (const l of stateListeners) l(next);
  }

  function emit(event: LiveEvent): void {
    for (const l of listeners.get(event.type) ?? []) l(event);
    for (const l of listeners.get('*') ?? []) l(event);
  }

  function open(): void {
    if (socket || wanted === 0 || member === null) return;
    setState(everOpened ? 'reconnecting' : 'connecting');
    const ws = new WebSocketImpl(url());
    socket = ws;
    // A socket we already let go of (closed, replaced) must not touch the current one: browsers
    // report its close later, possibly after a new socket was opened.
    ws.onopen = () => {
      if (socket !== ws) return;
      delay = MIN_DELAY_MS;
      setState('open');
      if (everOpened) emit({ type: 'live.resync' });
      everOpened = true;
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      let event: unknown;
      try {
        event = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (typeof event === 'object' && event !== null && typeof (event as LiveEvent).type === 'string') emit(event as LiveEvent);
    };
    ws.onclose = (close) => {
      if (socket !== ws) return;
      socket = undefined;
      if (wanted === 0 || member === null) {
        setState('idle');
        return;
      }
      setState('reconnecting');
      if (close.code === SESSION_ENDED) return;
      // Backoff with jitter, so a restarted server is not hit by every client at once.
      const wait = delay / 2 + Math.random() * delay;
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      timer = setTimeout(open, wait);
    };
    ws.onerror = () => ws.close();
  }

  function close(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const ws = socket;
    socket = undefined;
    ws?.close();
    setState('idle');
  }

  if (typeof window !== 'undefined') {
    window.addEventListener('online', () => {
      if (wanted > 0 && member !== null && !socket) {
        if (timer) clearTimeout(timer);
        delay = MIN_DELAY_MS;
        open();
      }
    });
  }

  return {
    subscribe(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener);
      wanted += 1;
      open();
      return () => {
        set.delete(listener);
        wanted -= 1;
        if (wanted === 0) close();
      };
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(current);
      return () => stateListeners.delete(listener);
    },
    state: () => current,
    send(frame) {
      if (!socket || socket.readyState !== WebSocketImpl.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    retryNow() {
      if (socket || wanted === 0 || member === null) return;
      if (timer) clearTimeout(timer);
      delay = MIN_DELAY_MS;
      open();
    },
    signedIn(memberId) {
      if (memberId === member) return;
      member = memberId;
      // The open socket (or a pending reconnect) belongs to the previous session: end it.
      close();
      delay = MIN_DELAY_MS;
      open();
    },
  };
}

function defaultUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/api/live`;
}

let shared: LiveClient | undefined;
/** The page's one live connection. */
export function live(): LiveClient {
  shared ??= createLiveClient();
  return shared;
}
