import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { MEMBER_EVENTS_CHANNEL, type MemberEvent, type MemberEventEnvelope } from './events.js';

/** One open socket of a signed-in member, as the hub sees it. */
export interface LiveConnection {
  readonly memberId: string;
  send(data: string): void;
}

/**
 * Turns an event into what this member's sockets receive (e.g. `chat.message` → the message as
 * they may see it), or null to drop it. Runs on the instance that holds the socket, so content is
 * read from the database there and never travels through pg_notify.
 */
export type EventEnricher = (memberId: string, event: MemberEvent) => Promise<MemberEvent | null>;

/** What a handler of an inbound socket frame knows about the socket it came from. */
export interface FrameContext {
  memberId: string;
  language: 'id' | 'en';
  /** Sends an event to this socket only (acks, errors). */
  reply(event: MemberEvent): void;
}
export type FrameHandler = (context: FrameContext, frame: Record<string, unknown>) => Promise<void>;

export interface RealtimeHubOptions {
  database: DatabaseHandle;
  logger: Logger;
  /** First reconnect delay after the LISTEN connection drops; doubles up to 10 s. */
  reconnectMs?: number;
}

/**
 * The realtime hub (ADR 0015): one LISTEN per process on `kenalan_member_events`; each
 * notification (published by any module through `publishMemberEvent`, on any instance, only if its
 * transaction commits) is forwarded to the sockets this process holds for that member. PostgreSQL:
 * a dedicated `pg.Client` from the database URL, reconnected with backoff if it drops (sockets then
 * get `live.resync`, since events during the gap are lost). PGlite: LISTEN through the shared
 * session and `onNotification`.
 */
export function createRealtimeHub({ database, logger, reconnectMs = 500 }: RealtimeHubOptions) {
  const sockets = new Map<string, Set<LiveConnection>>();
  const enrichers = new Map<string, EventEnricher>();
  const frameHandlers = new Map<string, FrameHandler>();
  /** Per-member delivery chain, so enriched events keep their order. */
  const chains = new Map<string, Promise<void>>();
  let client: pg.Client | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  let started = false;
  let retryDelay = reconnectMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let delivered = 0;

  function sendTo(memberId: string, event: MemberEvent): void {
    const set = sockets.get(memberId);
    if (!set) return;
    const data = JSON.stringify(event);
    for (const s of set) {
      try {
        s.send(data);
        delivered += 1;
      } catch (err) {
        logger.debug({ err }, 'live socket send failed');
      }
    }
  }

  function forward(envelope: MemberEventEnvelope): void {
    const { memberId, event } = envelope;
    if (!sockets.has(memberId)) return;
    const enrich = enrichers.get(event.type);
    const pending = chains.get(memberId);
    if (!enrich && !pending) {
      sendTo(memberId, event);
      return;
    }
    const next = (pending ?? Promise.resolve())
      .then(async () => {
        const out = enrich ? await enrich(memberId, event) : event;
        if (out) sendTo(memberId, out);
      })
      .catch((err: unknown) => logger.warn({ err, type: event.type }, 'live event could not be delivered'));
    chains.set(memberId, next);
    void next.then(() => {
      if (chains.get(memberId) === next) chains.delete(memberId);
    });
  }

  function onPayload(payload: string): void {
    let envelope: MemberEventEnvelope;
    try {
      envelope = JSON.parse(payload) as MemberEventEnvelope;
    } catch {
      logger.warn('malformed member event ignored');
      return;
    }
    if (typeof envelope?.memberId !== 'string' || typeof envelope.event?.type !== 'string') return;
    forward(envelope);
  }

  function broadcastResync(): void {
    for (const memberId of sockets.keys()) sendTo(memberId, { type: 'live.resync' });
  }

  async function connectPostgres(): Promise<void> {
    const c = new pg.Client({ connectionString: database.url });
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      if (client === c) client = undefined;
      if (stopped) return;
      logger.warn({ reason }, 'realtime LISTEN connection lost; reconnecting');
      scheduleReconnect();
    };
    c.on('notification', (msg) => {
      if (msg.channel === MEMBER_EVENTS_CHANNEL && msg.payload) onPayload(msg.payload);
    });
    c.on('error', (err) => onLost(err.message));
    c.on('end', () => onLost('end'));
    await c.connect();
    await c.query(`LISTEN ${MEMBER_EVENTS_CHANNEL}`);
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
  }

  function scheduleReconnect(): void {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connectPostgres()
        .then(() => {
          retryDelay = reconnectMs;
          logger.info('realtime LISTEN connection restored');
          broadcastResync();
        })
        .catch((err: unknown) => {
          logger.warn({ err }, 'realtime LISTEN reconnect failed');
          retryDelay = Math.min(retryDelay * 2, 10_000);
          scheduleReconnect();
        });
    }, retryDelay);
    retryTimer.unref();
  }

  return {
    async start(): Promise<void> {
      if (started) return;
      started = true;
      if (database.kind === 'pglite') {
        if (!database.pglite) throw new Error('PGlite handle without its engine');
        unsubscribe = database.pglite.onNotification((channel, payload) => {
          if (channel === MEMBER_EVENTS_CHANNEL) onPayload(payload);
        });
        await sql.raw(`LISTEN ${MEMBER_EVENTS_CHANNEL}`).execute(database.db);
        return;
      }
      if (!database.url) throw new Error('PostgreSQL handle without a URL: the realtime hub needs one for LISTEN');
      await connectPostgres();
    },

    async stop(): Promise<void> {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      unsubscribe?.();
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
      await Promise.allSettled([...chains.values()]);
    },

    add(connection: LiveConnection): void {
      let set = sockets.get(connection.memberId);
      if (!set) sockets.set(connection.memberId, (set = new Set()));
      set.add(connection);
    },

    remove(connection: LiveConnection): void {
      const set = sockets.get(connection.memberId);
      if (!set) return;
      set.delete(connection);
      if (set.size === 0) sockets.delete(connection.memberId);
    },

    /** How `type` events are shaped for the receiving member (one enricher per type). */
    enrich(type: string, enricher: EventEnricher): void {
      enrichers.set(type, enricher);
    },

    /** Who handles inbound frames of `type` (e.g. `chat.send`); one handler per type. */
    onFrame(type: string, handler: FrameHandler): void {
      frameHandlers.set(type, handler);
    },

    frameHandler(type: string): FrameHandler | undefined {
      return frameHandlers.get(type);
    },

    /** Whether this process holds an open socket of the member (presence is per instance). */
    isOnlineHere(memberId: string): boolean {
      return sockets.has(memberId);
    },

    /** Test hook: drop the LISTEN connection as a network failure would. */
    simulateListenDrop(): void {
      client?.emit('error', new Error('simulated drop'));
      void client?.end().catch(() => undefined);
    },

    stats() {
      let open = 0;
      for (const set of sockets.values()) open += set.size;
      return { members: sockets.size, sockets: open, delivered, listening: database.kind === 'pglite' ? started && !stopped : client !== undefined };
    },
  };
}
export type RealtimeHub = ReturnType<typeof createRealtimeHub>;
