import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import type { TestApp } from '../../../../test/support/app.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import { connect } from '../graph/relations.js';

/** Chat test helpers (not a test file): signed-in members, connections, live sockets that queue frames. */

export const TEST_ORIGIN = 'https://localhost:8443';

export interface ChatMember {
  id: string;
  username: string;
  /** `__Host-kenalan-session=…` */
  session: string;
}

let ipCounter = 0;

export async function chatMember(t: TestApp, n: number): Promise<ChatMember> {
  const m = await signUpMember(t, n);
  const login = await signIn(t, m.username, PASSWORD, { ip: `198.51.100.${(ipCounter++ % 250) + 1}` });
  if (login.statusCode !== 201) throw new Error(`sign-in failed: ${login.statusCode} ${login.body}`);
  return { id: m.id, username: m.username, session: `${SESSION_COOKIE}=${sessionCookieOf(login)!.value}` };
}

export async function connectMembers(t: TestApp, a: ChatMember, b: ChatMember): Promise<void> {
  await t.database.db.transaction().execute((trx) => connect(trx, a.id, b.id));
}

export type Frame = { type: string; [key: string]: unknown };

/** A WebSocket client that keeps every frame, so a test can wait for the one it expects. */
export class LiveClient {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        clearTimeout(w.timer);
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url: string, headers: Record<string, string>): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new LiveClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame arrived')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
        reject,
        timer,
      });
    });
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** Listens on loopback (plain HTTP: the socket's Origin check does not depend on TLS) and returns the ws:// URL of /api/live. */
export async function listenForSockets(app: FastifyInstance): Promise<string> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return `${address.replace('http://', 'ws://')}/api/live`;
}

export function openLive(url: string, member: ChatMember, origin = TEST_ORIGIN): Promise<LiveClient> {
  return LiveClient.open(url, { cookie: member.session, origin });
}
