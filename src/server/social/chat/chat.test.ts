import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { block } from '../graph/relations.js';
import { chatMember, connectMembers, listenForSockets, openLive, type ChatMember, type LiveClient } from './test-helpers.js';

let t: TestApp;
let url: string;
let a: ChatMember;
let b: ChatMember;
let stranger: ChatMember;
const sockets: LiveClient[] = [];
const key = () => crypto.randomBytes(12).toString('base64url');

beforeAll(async () => {
  t = await createTestApp();
  url = await listenForSockets(t.app);
  a = await chatMember(t, 401);
  b = await chatMember(t, 402);
  stranger = await chatMember(t, 403);
  await connectMembers(t, a, b);
}, 120_000);
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await t.close();
});

async function live(member: ChatMember) {
  const socket = await openLive(url, member);
  sockets.push(socket);
  await socket.next((f) => f.type === 'live.ready');
  return socket;
}

async function post(member: ChatMember, url: string, payload?: unknown, language = 'en') {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method: 'POST', url, headers: { ...csrf, cookie: `${csrf.cookie}; ${member.session}`, 'accept-language': language }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function del(member: ChatMember, url: string) {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method: 'DELETE', url, headers: { ...csrf, cookie: `${csrf.cookie}; ${member.session}`, 'accept-language': 'en' } });
}

const get = (member: ChatMember, url: string, language = 'en') => t.app.inject({ method: 'GET', url, headers: { cookie: member.session, 'accept-language': language } });

async function photoForm(clientKey: string, caption?: string) {
  // A JPEG carrying EXIF (camera make, GPS-ish comment): the stored copy must have none of it.
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 160, b: 90 } } })
    .withExif({ IFD0: { Make: 'SecretCam', Model: 'Z1', ImageDescription: 'Jl. Melati 5, Bandung' } })
    .jpeg()
    .toBuffer();
  expect((await sharp(jpeg).metadata()).exif).toBeDefined();
  const form = new FormData();
  form.append('clientKey', clientKey);
  if (caption) form.append('body', caption);
  form.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'holiday.jpg');
  return form;
}

describe('chat over REST', () => {
  it('sends between connected members, encrypted at rest, with history paged by cursor', async () => {
    for (let i = 0; i < 7; i++) {
      const sent = await post(a, `/api/chats/${b.id}/messages`, { clientKey: key(), body: `Halo ${i}` });
      expect(sent.statusCode, sent.body).toBe(201);
    }
    const rows = await t.database.db.selectFrom('chat_messages').select(['body', 'sender_id']).where('sender_id', '=', a.id).execute();
    expect(rows).toHaveLength(7);
    for (const r of rows) {
      expect(r.body).toMatch(/^enc:v1:/);
      expect(r.body).not.toContain('Halo');
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(b, `/api/chats/${a.id}/messages?limit=3${cursor ? `&before=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      const json = page.json() as { messages: { body: string; from: string; clientKey: string | null }[]; nextCursor: string | null; member: { username: string } };
      expect(json.member.username).toBe(a.username);
      for (const m of json.messages) {
        expect(m.from).toBe('them');
        expect(m.clientKey).toBeNull();
        seen.push(m.body);
      }
      cursor = json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Halo 6', 'Halo 5', 'Halo 4', 'Halo 3', 'Halo 2', 'Halo 1', 'Halo 0']);

    // B opened the history: A's messages are delivered (not read yet).
    const delivered = await t.database.db.selectFrom('chat_messages').select(['delivered_at', 'read_at']).where('sender_id', '=', a.id).execute();
    expect(delivered.every((r) => r.delivered_at !== null && r.read_at === null)).toBe(true);

    const list = await get(b, '/api/chats');
    const entry = (list.json() as { conversations: { member: { id: string } | null; unread: number; last: { preview: string; from: string } | null }[] }).conversations.find((c) => c.member?.id === a.id);
    expect(entry?.unread).toBe(7);
    expect(entry?.last).toMatchObject({ preview: 'Halo 6', from: 'them' });

    const read = await post(b, `/api/chats/${a.id}/read`);
    expect(read.json()).toEqual({ read: 7 });
    const after = await get(b, '/api/chats');
    expect((after.json() as { conversations: { member: { id: string } | null; unread: number }[] }).conversations.find((c) => c.member?.id === a.id)?.unread).toBe(0);
  });

  it('answers 404 to a stranger, on every chat route, and never stores their message', async () => {
    const send = await post(stranger, `/api/chats/${a.id}/messages`, { clientKey: key(), body: 'Hai' });
    expect(send.statusCode).toBe(404);
    expect((await get(stranger, `/api/chats/${a.id}/messages`)).statusCode).toBe(404);
    expect((await post(stranger, `/api/chats/${a.id}/read`)).statusCode).toBe(404);
    const ofA = await t.database.db.selectFrom('chat_messages').select('id').where('sender_id', '=', a.id).executeTakeFirstOrThrow();
    expect((await get(stranger, `/api/chats/${a.id}/messages/${ofA.id}/photo`)).statusCode).toBe(404);
    expect((await t.database.db.selectFrom('chat_messages').select('id').where('sender_id', '=', stranger.id).execute()).length).toBe(0);
    expect((await get(stranger, '/api/chats')).json()).toEqual({ conversations: [] });
    // Not signed in at all.
    expect((await t.app.inject({ method: 'GET', url: '/api/chats' })).statusCode).toBe(401);
  });

  it('re-encodes a photo without metadata, stores it under the sender’s chat folder and serves it to the pair only', async () => {
    const form = await photoForm(key(), 'Pantai');
    const csrf = await csrfHeaders(t.app);
    const sent = await t.app.inject({ method: 'POST', url: `/api/chats/${b.id}/photos`, headers: { ...csrf, cookie: `${csrf.cookie}; ${a.session}` }, payload: form });
    expect(sent.statusCode, sent.body).toBe(201);
    const { message } = sent.json() as { message: { id: string; body: string; photo: { url: string; width: number } } };
    expect(message.body).toBe('Pantai');
    const row = await t.database.db.selectFrom('chat_messages').select('photo_path').where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row.photo_path).toBe(`media/members/${a.id}/chat/${message.id}.jpg`);
    const stored = fs.readFileSync(path.join(t.dataDir, row.photo_path!));
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(stored.includes(Buffer.from('SecretCam'))).toBe(false);
    expect(stored.includes(Buffer.from('Melati'))).toBe(false);

    expect(message.photo.url).toBe(`/api/chats/${b.id}/messages/${message.id}/photo`);
    const forB = await get(b, `/api/chats/${a.id}/messages/${message.id}/photo`);
    expect(forB.statusCode).toBe(200);
    expect(forB.headers['content-type']).toBe('image/jpeg');
    expect(forB.rawPayload.equals(stored)).toBe(true);
    expect((await get(stranger, `/api/chats/${a.id}/messages/${message.id}/photo`)).statusCode).toBe(404);

    // Over the limits: refused before anything is stored.
    const before = fs.readdirSync(path.join(t.dataDir, 'media/members', a.id, 'chat')).length;
    const junk = new FormData();
    junk.append('clientKey', key());
    junk.append('photo', new Blob([new Uint8Array(Buffer.from('not an image at all'))], { type: 'image/jpeg' }), 'x.jpg');
    const csrf2 = await csrfHeaders(t.app);
    const refused = await t.app.inject({ method: 'POST', url: `/api/chats/${b.id}/photos`, headers: { ...csrf2, cookie: `${csrf2.cookie}; ${a.session}`, 'accept-language': 'id' }, payload: junk });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { errors: { field: string; message: string }[] }).errors[0]).toMatchObject({ field: 'photo' });
    expect(fs.readdirSync(path.join(t.dataDir, 'media/members', a.id, 'chat')).length).toBe(before);
  });

  it('deletes for me and for both: the tombstone stays, the body and photo are wiped', async () => {
    const form = await photoForm(key());
    const csrf = await csrfHeaders(t.app);
    const sent = await t.app.inject({ method: 'POST', url: `/api/chats/${b.id}/photos`, headers: { ...csrf, cookie: `${csrf.cookie}; ${a.session}` }, payload: form });
    const { message } = sent.json() as { message: { id: string } };
    const file = path.join(t.dataDir, 'media/members', a.id, 'chat', `${message.id}.jpg`);
    expect(fs.existsSync(file)).toBe(true);

    // B may not delete A's message for both; B may hide it for themself.
    expect((await del(b, `/api/chats/${a.id}/messages/${message.id}?scope=both`)).statusCode).toBe(400);
    const text = await post(a, `/api/chats/${b.id}/messages`, { clientKey: key(), body: 'Hapus saya' });
    const textId = (text.json() as { message: { id: string } }).message.id;
    expect((await del(b, `/api/chats/${a.id}/messages/${textId}?scope=me`)).statusCode).toBe(204);
    const bView = (await get(b, `/api/chats/${a.id}/messages`)).json() as { messages: { id: string }[] };
    expect(bView.messages.map((m) => m.id)).not.toContain(textId);
    const aView = (await get(a, `/api/chats/${b.id}/messages`)).json() as { messages: { id: string }[] };
    expect(aView.messages.map((m) => m.id)).toContain(textId);

    expect((await del(a, `/api/chats/${b.id}/messages/${message.id}?scope=both`)).statusCode).toBe(204);
    const row = await t.database.db.selectFrom('chat_messages').select(['body', 'photo_path', 'deleted_for_both']).where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ body: null, photo_path: null, deleted_for_both: true });
    await expect.poll(() => fs.existsSync(file)).toBe(false);
    const tomb = ((await get(b, `/api/chats/${a.id}/messages`)).json() as { messages: { id: string; deleted: boolean; body: string | null; photo: unknown }[] }).messages.find((m) => m.id === message.id);
    expect(tomb).toMatchObject({ deleted: true, body: null, photo: null });
    expect((await get(b, `/api/chats/${a.id}/messages/${message.id}/photo`)).statusCode).toBe(404);
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'chat.message_deleted_for_both').execute();
    expect(audit.map((r) => r.subject_id)).toContain(message.id);
  });

  it('keeps the history for the one who remains when the partner is erased, as a former member', async () => {
    const h = await chatMember(t, 408);
    const i = await chatMember(t, 409);
    await connectMembers(t, h, i);
    expect((await post(h, `/api/chats/${i.id}/messages`, { clientKey: key(), body: 'dari h' })).statusCode).toBe(201);
    expect((await post(i, `/api/chats/${h.id}/messages`, { clientKey: key(), body: 'dari i' })).statusCode).toBe(201);
    // What erasure does (privacy/erasure): the declared anonymize actions on h's messages, then the members row goes.
    await t.database.db.updateTable('chat_messages').set({ body: '', photo_path: '' }).where('sender_id', '=', h.id).execute();
    await t.database.db.deleteFrom('members').where('id', '=', h.id).execute();

    const rows = await t.database.db.selectFrom('chat_messages').select(['sender_id']).where('conversation_id', '=', t.services.chat.conversationIdFor(h.id, i.id)).execute();
    expect(rows.map((r) => r.sender_id).sort()).toEqual([null, i.id].sort());
    const list = (await get(i, '/api/chats')).json() as { conversations: { conversationId: string; member: unknown }[] };
    const former = list.conversations.find((c) => c.member === null);
    expect(former).toBeDefined();
    const history = await get(i, `/api/chats/former/${former!.conversationId}/messages`);
    expect(history.statusCode).toBe(200);
    const messages = (history.json() as { messages: { from: string; senderId: string | null; body: string | null; deleted: boolean }[] }).messages;
    expect(messages).toEqual([
      expect.objectContaining({ from: 'me', body: 'dari i', deleted: false }),
      expect.objectContaining({ from: 'them', senderId: null, body: null, deleted: true }),
    ]);
    // Nobody else reads it, and nothing can be sent to an erased member.
    expect((await get(a, `/api/chats/former/${former!.conversationId}/messages`)).statusCode).toBe(404);
    expect((await post(i, `/api/chats/${h.id}/messages`, { clientKey: key(), body: 'halo?' })).statusCode).toBe(404);
  });

  it('counts unread chats for the Chats tab in one small answer, over exactly the conversations the list shows', async () => {
    const me = await chatMember(t, 412);
    const [k, l, m, n] = [await chatMember(t, 413), await chatMember(t, 414), await chatMember(t, 415), await chatMember(t, 416)];
    for (const other of [k, l, m, n]) await connectMembers(t, me, other);
    const send = async (from: ChatMember, body: string) => {
      const r = await post(from, `/api/chats/${me.id}/messages`, { clientKey: key(), body });
      expect(r.statusCode, r.body).toBe(201);
      return (r.json() as { message: { id: string } }).message.id;
    };
    const unread = async () => {
      const r = await get(me, '/api/chats/unread');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      return r.json() as { conversations: number; messages: number };
    };
    // The same numbers as summing the list the page shows.
    const fromList = async () => {
      const list = (await get(me, '/api/chats')).json() as { conversations: { unread: number }[] };
      const open = list.conversations.filter((c) => c.unread > 0);
      return { conversations: open.length, messages: open.reduce((sum, c) => sum + c.unread, 0) };
    };

    expect(await unread()).toEqual({ conversations: 0, messages: 0 });
    for (const body of ['k1', 'k2', 'k3']) await send(k, body);
    for (const body of ['l1', 'l2']) await send(l, body);
    const hidden = await send(m, 'm1');
    await send(m, 'm2');
    await send(n, 'n1');
    // My own messages are never unread for me.
    expect((await post(me, `/api/chats/${k.id}/messages`, { clientKey: key(), body: 'balasan' })).statusCode).toBe(201);
    expect(await unread()).toEqual({ conversations: 4, messages: 8 });
    expect(await unread()).toEqual(await fromList());

    // Reading one conversation, and hiding a message for myself, take them out of the count.
    expect((await post(me, `/api/chats/${k.id}/read`)).statusCode).toBe(200);
    expect((await del(me, `/api/chats/${m.id}/messages/${hidden}?scope=me`)).statusCode).toBe(204);
    expect(await unread()).toEqual({ conversations: 3, messages: 4 });

    // A block (either way) ends the chat: its messages leave the count as they leave the list.
    await t.database.db.transaction().execute((trx) => block(trx, l.id, me.id));
    expect(await unread()).toEqual({ conversations: 2, messages: 2 });
    // A partner in the other age group (P5.2) and a deactivated partner drop out too.
    await t.database.db.updateTable('members').set({ adult_from: '2999-01-01' }).where('id', '=', m.id).execute();
    expect(await unread()).toEqual({ conversations: 1, messages: 1 });
    await t.database.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', n.id).execute();
    expect(await unread()).toEqual({ conversations: 0, messages: 0 });
    expect(await unread()).toEqual(await fromList());
    // k's own count is k's: my one reply waits there. A visitor gets 401.
    expect((await get(k, '/api/chats/unread')).json()).toEqual({ conversations: 1, messages: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/api/chats/unread' })).statusCode).toBe(401);
  });

  it('rate limits a flood of sends with a clear, localized error', async () => {
    const d = await chatMember(t, 404);
    const e = await chatMember(t, 405);
    await connectMembers(t, d, e);
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 70 && !limited; i++) {
      const r = await post(d, `/api/chats/${e.id}/messages`, { clientKey: key(), body: `spam ${i}` }, 'id');
      if (r.statusCode === 429) limited = r;
      else expect(r.statusCode).toBe(201);
    }
    expect(limited).toBeDefined();
    expect(limited!.json()).toMatchObject({ code: 'rate_limited' });
    expect((limited!.json() as { detail: string }).detail).toMatch(/terlalu cepat/);
    expect(limited!.headers['retry-after']).toBeDefined();
    const count = await t.database.db.selectFrom('chat_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('sender_id', '=', d.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(60);
  });
});

describe('chat over the live socket', () => {
  it('refuses a foreign Origin and a missing session on the upgrade', async () => {
    await expect(openLive(url, a, 'https://evil.example')).rejects.toThrow(/403/);
    await expect(openLive(url, { ...a, session: '' })).rejects.toThrow(/401/);
  });

  it('delivers live with receipts both ways', async () => {
    const sa = await live(a);
    const sb = await live(b);
    const clientKey = key();
    sa.send({ type: 'chat.send', to: b.id, clientKey, body: 'Apa kabar?' });
    const ack = await sa.next((f) => f.type === 'chat.ack' && f.clientKey === clientKey);
    const sent = ack.message as { id: string; body: string; from: string };
    expect(sent).toMatchObject({ body: 'Apa kabar?', from: 'me' });

    const incoming = await sb.next((f) => f.type === 'chat.message' && (f.message as { id: string }).id === sent.id);
    expect(incoming.message).toMatchObject({ body: 'Apa kabar?', from: 'them', senderId: a.id, clientKey: null });

    sb.send({ type: 'chat.delivered', messageIds: [sent.id] });
    const delivered = await sa.next((f) => f.type === 'chat.receipt' && f.status === 'delivered');
    expect(delivered.messageIds).toContain(sent.id);
    expect(delivered.with).toBe(b.id);

    sb.send({ type: 'chat.read', with: a.id });
    const read = await sa.next((f) => f.type === 'chat.receipt' && f.status === 'read');
    expect(read.messageIds).toContain(sent.id);
    const row = await t.database.db.selectFrom('chat_messages').select(['delivered_at', 'read_at']).where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(row.delivered_at).not.toBeNull();
    expect(row.read_at).not.toBeNull();
  });

  it('a resend after the socket dropped before the ack returns the same message, never a duplicate', async () => {
    const clientKey = key();
    // Send, then drop the socket at once, before any ack can arrive.
    const first = await live(a);
    first.send({ type: 'chat.send', to: b.id, clientKey, body: 'Sekali saja' });
    first.socket.terminate();
    await expect.poll(async () => (await t.database.db.selectFrom('chat_messages').select('id').where('client_key', '=', clientKey).execute()).length, { timeout: 10_000 }).toBe(1);

    const second = await live(a);
    second.send({ type: 'chat.send', to: b.id, clientKey, body: 'Sekali saja' });
    const ack = await second.next((f) => f.type === 'chat.ack' && f.clientKey === clientKey);
    const rows = await t.database.db.selectFrom('chat_messages').select('id').where('client_key', '=', clientKey).execute();
    expect(rows).toHaveLength(1);
    expect((ack.message as { id: string }).id).toBe(rows[0]!.id);
    // The REST path with the same key answers the same message too.
    const rest = await post(a, `/api/chats/${b.id}/messages`, { clientKey, body: 'Sekali saja' });
    expect(rest.statusCode).toBe(200);
    expect((rest.json() as { message: { id: string } }).message.id).toBe(rows[0]!.id);
  });

  it('a send to a stranger over the socket is a localized 404 frame', async () => {
    const sa = await live(a);
    const clientKey = key();
    sa.send({ type: 'chat.send', to: stranger.id, clientKey, body: 'hai' });
    const error = await sa.next((f) => f.type === 'chat.error' && f.clientKey === clientKey);
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('ends the chat when one blocks the other: sends, reads and live delivery stop', async () => {
    const f = await chatMember(t, 406);
    const g = await chatMember(t, 407);
    await connectMembers(t, f, g);
    const first = await post(f, `/api/chats/${g.id}/messages`, { clientKey: key(), body: 'sebelum' });
    expect(first.statusCode).toBe(201);
    const sg = await live(g);
    await t.database.db.transaction().execute((trx) => block(trx, g.id, f.id));
    expect((await post(f, `/api/chats/${g.id}/messages`, { clientKey: key(), body: 'sesudah' })).statusCode).toBe(404);
    expect((await get(f, `/api/chats/${g.id}/messages`)).statusCode).toBe(404);
    expect((await get(g, `/api/chats/${f.id}/messages`)).statusCode).toBe(404);
    const firstId = (first.json() as { message: { id: string } }).message.id;
    expect((await del(f, `/api/chats/${g.id}/messages/${firstId}?scope=both`)).statusCode).toBe(404);
    expect(((await get(f, '/api/chats')).json() as { conversations: unknown[] }).conversations).toEqual([]);
    // Nothing reached g's socket after the block (a ping round-trip proves the socket is drained).
    sg.send({ type: 'ping' });
    await sg.next((fr) => fr.type === 'pong');
    expect(sg.frames.filter((fr) => fr.type === 'chat.message')).toEqual([]);
  });

  it('rejects garbage frames and closes a socket that keeps flooding', async () => {
    const s = await live(a);
    s.socket.send('not json');
    expect((await s.next((f) => f.type === 'error')).code).toBe('bad_request');
    const closed = new Promise<number>((resolve) => s.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && s.socket.readyState === WebSocket.OPEN; i++) s.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await closed).toBe(1008);
  });
});

describe('chat notifications', () => {
  it('gives an offline recipient one "new message" notification until it is read, and an online one none', async () => {
    const db = t.database.db;
    const sender = await chatMember(t, 410);
    const recipient = await chatMember(t, 411);
    await connectMembers(t, sender, recipient);
    const notices = () =>
      db.selectFrom('notifications').select(['id', 'object_id']).where('member_id', '=', recipient.id).where('kind', '=', 'message').where('actor_id', '=', sender.id).execute();
    const send = async (body: string) => expect((await post(sender, `/api/chats/${recipient.id}/messages`, { clientKey: key(), body })).statusCode).toBe(201);

    await send('kamu sedang online');
    expect(await notices()).toHaveLength(0);

    // Gone quiet for a day: the next messages make exactly one notice, which the recipient sees in the list.
    await db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 24 * 3600_000) }).where('member_id', '=', recipient.id).execute();
    await send('satu');
    await send('dua');
    const made = await notices();
    expect(made).toHaveLength(1);
    const list = (await get(recipient, '/api/notifications')).json() as { notifications: { kind: string; actor: { username: string } | null }[] };
    expect(list.notifications).toEqual([expect.objectContaining({ kind: 'message', actor: expect.objectContaining({ username: sender.username }) })]);
  });
});
