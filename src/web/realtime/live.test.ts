import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveClient, type LiveEvent, type LiveState } from './live.js';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static readonly OPEN = 1;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.drop(1000);
  }
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
  push(event: LiveEvent) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
}

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the shared live client', () => {
  it('connects on the first subscriber, routes events by type, reconnects with backoff and asks for a resync', () => {
    const client = createLiveClient(() => 'wss://kenalan.test/api/live', FakeSocket as unknown as typeof WebSocket);
    client.signedIn('member-a');
    const states: LiveState[] = [];
    client.onState((s) => states.push(s));
    const messages: LiveEvent[] = [];
    const resyncs: LiveEvent[] = [];
    client.subscribe('chat.message', (e) => messages.push(e));
    client.subscribe('live.resync', (e) => resyncs.push(e));
    expect(FakeSocket.instances).toHaveLength(1);
    FakeSocket.instances[0]!.accept();
    expect(client.send({ type: 'chat.read', with: 'x' })).toBe(true);
    FakeSocket.instances[0]!.push({ type: 'chat.message', message: { id: '1' } });
    FakeSocket.instances[0]!.push({ type: 'notification' });
    expect(messages).toEqual([{ type: 'chat.message', message: { id: '1' } }]);

    FakeSocket.instances[0]!.drop();
    expect(client.state()).toBe('reconnecting');
    expect(client.send({ type: 'chat.read', with: 'x' })).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1]!.drop();
    vi.advanceTimersByTime(400);
    expect(FakeSocket.instances).toHaveLength(2); // waits longer the second time
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.instances[2]!.accept();
    expect(resyncs).toHaveLength(1);
    expect(states).toEqual(['idle', 'connecting', 'open', 'reconnecting', 'open']);
  });

  it('does not reconnect after the server ended the session, and closes when the last subscriber leaves', () => {
    const client = createLiveClient(() => 'wss://kenalan.test/api/live', FakeSocket as unknown as typeof WebSocket);
    client.signedIn('member-a');
    const off = client.subscribe('notification', () => undefined);
    FakeSocket.instances[0]!.accept();
    FakeSocket.instances[0]!.drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    client.retryNow();
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1]!.accept();
    off();
    expect(FakeSocket.instances[1]!.readyState).toBe(3);
    expect(client.state()).toBe('idle');
  });

  it('opens only while a member is signed in, closes on sign-out for good, and opens a new socket for the next member', () => {
    const client = createLiveClient(() => 'wss://kenalan.test/api/live', FakeSocket as unknown as typeof WebSocket);
    const resyncs: LiveEvent[] = [];
    client.subscribe('live.resync', (e) => resyncs.push(e));
    client.subscribe('notification', () => undefined);
    // Nobody signed in (or not known yet): no socket, whatever subscribes or asks to retry.
    client.retryNow();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(0);
    expect(client.state()).toBe('idle');

    client.signedIn('member-a');
    expect(FakeSocket.instances).toHaveLength(1);
    FakeSocket.instances[0]!.accept();
    client.signedIn('member-a'); // told again on the next page: nothing changes
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.state()).toBe('open');

    // Sign-out: closed, idle, and no reconnect however long we wait or retry.
    client.signedIn(null);
    expect(FakeSocket.instances[0]!.readyState).toBe(3);
    expect(client.state()).toBe('idle');
    expect(client.send({ type: 'chat.read', with: 'x' })).toBe(false);
    client.retryNow();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);

    // Another member signs in on the same page: a socket of their own, and subscribers refetch.
    client.signedIn('member-b');
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1]!.accept();
    expect(resyncs).toHaveLength(1);

    // Switching members directly also replaces the socket.
    client.signedIn('member-c');
    expect(FakeSocket.instances[1]!.readyState).toBe(3);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('cancels a pending reconnect on sign-out', () => {
    const client = createLiveClient(() => 'wss://kenalan.test/api/live', FakeSocket as unknown as typeof WebSocket);
    client.signedIn('member-a');
    client.subscribe('notification', () => undefined);
    FakeSocket.instances[0]!.accept();
    FakeSocket.instances[0]!.drop(1006);
    expect(client.state()).toBe('reconnecting');
    client.signedIn(null);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.state()).toBe('idle');
  });

  it('ignores the late close of a socket it already replaced (browsers report a close afterwards)', () => {
    const client = createLiveClient(() => 'wss://kenalan.test/api/live', FakeSocket as unknown as typeof WebSocket);
    client.signedIn('member-a');
    const off = client.subscribe('notification', () => undefined);
    const first = FakeSocket.instances[0]!;
    first.accept();
    first.close = () => undefined; // the browser closes it asynchronously, after the next page subscribed
    off();
    const messages: LiveEvent[] = [];
    client.subscribe('notification', (e) => messages.push(e));
    const second = FakeSocket.instances[1]!;
    second.accept();
    first.drop(1000);
    first.push({ type: 'notification', id: 'stale' });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(2); // no duplicate socket from the stale close
    expect(client.state()).toBe('open');
    expect(client.send({ type: 'chat.read', with: 'x' })).toBe(true);
    second.push({ type: 'notification', id: 'fresh' });
    expect(messages).toEqual([{ type: 'notification', id: 'fresh' }]);
  });
});
