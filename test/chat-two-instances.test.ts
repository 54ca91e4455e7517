import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { composeServices, type Services } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import type { DatabaseHandle } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { chatMember, connectMembers, listenForSockets, openLive, type ChatMember, type LiveClient } from '../src/server/social/chat/test-helpers.js';
import type { TestApp } from './support/app.js';
import { createTestDatabase } from './support/database.js';

/**
 * Two Kenalan instances on one database (issue 4 item 4): member A's socket on instance 1, B's on
 * instance 2. A message sent through instance 1 reaches B's socket through LISTEN/NOTIFY, and the
 * receipts come back. On PGlite both instances share the one in-process engine.
 */
let database: DatabaseHandle;
let dataDir: string;
const instances: { t: TestApp; services: Services; url: string }[] = [];
const sockets: LiveClient[] = [];
let a: ChatMember;
let b: ChatMember;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-two-'));
  const masterKey = toMasterKey(crypto.randomBytes(32));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, JOB_POLL_SECONDS: '0.5', LOG_LEVEL: 'silent', TRUST_PROXY: 'true' });
  for (const workers of [true, false]) {
    const services = await composeServices(config, database, createLogger('silent'), { masterKey, workers });
    const app = await buildApp({ ...services, isReady: () => true });
    await app.ready();
    const t: TestApp = { app, services, database, config, dataDir, close: async () => undefined };
    instances.push({ t, services, url: await listenForSockets(app) });
  }
  a = await chatMember(instances[0]!.t, 501);
  b = await chatMember(instances[1]!.t, 502);
  await connectMembers(instances[0]!.t, a, b);
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  for (const i of instances) {
    await i.t.app.close();
    await i.services.stop();
  }
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function live(instance: number, member: ChatMember) {
  const socket = await openLive(instances[instance]!.url, member);
  sockets.push(socket);
  await socket.next((f) => f.type === 'live.ready');
  return socket;
}

describe('two instances on one database', () => {
  it('a message sent on instance 1 reaches a socket on instance 2, and the receipts come back', async () => {
    const sa = await live(0, a);
    const sb = await live(1, b);
    expect(instances[0]!.services.realtime.isOnlineHere(b.id)).toBe(false);
    expect(instances[1]!.services.realtime.isOnlineHere(b.id)).toBe(true);

    const clientKey = crypto.randomBytes(12).toString('base64url');
    sa.send({ type: 'chat.send', to: b.id, clientKey, body: 'Dari instans satu' });
    const ack = await sa.next((f) => f.type === 'chat.ack' && f.clientKey === clientKey);
    const id = (ack.message as { id: string }).id;

    const incoming = await sb.next((f) => f.type === 'chat.message' && (f.message as { id: string }).id === id);
    expect(incoming.message).toMatchObject({ body: 'Dari instans satu', from: 'them', senderId: a.id });

    sb.send({ type: 'chat.delivered', messageIds: [id] });
    expect((await sa.next((f) => f.type === 'chat.receipt' && f.status === 'delivered')).messageIds).toContain(id);
    sb.send({ type: 'chat.read', with: a.id });
    expect((await sa.next((f) => f.type === 'chat.receipt' && f.status === 'read')).messageIds).toContain(id);

    // And back the other way: B on instance 2 answers A on instance 1.
    const reply = crypto.randomBytes(12).toString('base64url');
    sb.send({ type: 'chat.send', to: a.id, clientKey: reply, body: 'Balasan dari instans dua' });
    const back = await sa.next((f) => f.type === 'chat.message' && (f.message as { body: string }).body === 'Balasan dari instans dua');
    expect(back.message).toMatchObject({ from: 'them', senderId: b.id });
    const rows = await database.db.selectFrom('chat_messages').select(['id', 'delivered_at', 'read_at']).where('id', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.read_at).not.toBeNull();
  });

  it('reconnects its LISTEN connection after a drop and delivers again (PostgreSQL)', async ({ skip }) => {
    if (database.kind !== 'postgres') skip();
    const hub = instances[1]!.services.realtime;
    const sb = await live(1, b);
    const sa = await live(0, a);
    hub.simulateListenDrop();
    // The clients are told to fetch what they may have missed once the hub listens again.
    await sb.next((f) => f.type === 'live.resync', 15_000);
    expect(hub.stats().listening).toBe(true);
    const clientKey = crypto.randomBytes(12).toString('base64url');
    sa.send({ type: 'chat.send', to: b.id, clientKey, body: 'Setelah putus' });
    const incoming = await sb.next((f) => f.type === 'chat.message' && (f.message as { body: string }).body === 'Setelah putus');
    expect(incoming.message).toMatchObject({ senderId: a.id });
  });
});
