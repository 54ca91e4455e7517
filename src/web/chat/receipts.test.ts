import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './api.js';
import { emptyReceipts, recordReceipt, withReceipts } from './receipts.js';

const mine = (id: string, createdAt: string): ChatMessage => ({
  id,
  conversationId: 'c',
  clientKey: null,
  from: 'me',
  senderId: 'me',
  body: 'hi',
  photo: null,
  createdAt,
  deliveredAt: null,
  readAt: null,
  deleted: false,
});

describe('receipts seen before their message is on the page', () => {
  it('marks a message read when the "read up to" receipt came before the message itself', () => {
    const seen = emptyReceipts();
    recordReceipt(seen, { status: 'read', messageIds: [], upTo: '2026-11-27T10:00:05.000Z', at: '2026-11-27T10:00:06.000Z' });
    const photo = withReceipts(mine('p', '2026-11-27T10:00:05.000Z'), seen);
    expect(photo.readAt).toBe('2026-11-27T10:00:06.000Z');
    expect(photo.deliveredAt).toBe('2026-11-27T10:00:06.000Z');
    // A later message is not read yet.
    expect(withReceipts(mine('q', '2026-11-27T10:00:07.000Z'), seen).readAt).toBeNull();
  });

  it('keeps delivery and read receipts by id, never downgrades, and leaves the partner’s messages alone', () => {
    const seen = emptyReceipts();
    recordReceipt(seen, { status: 'delivered', messageIds: ['a'], upTo: null, at: 'T1' });
    recordReceipt(seen, { status: 'read', messageIds: ['b'], upTo: null, at: 'T2' });
    expect(withReceipts(mine('a', 'T0'), seen)).toMatchObject({ deliveredAt: 'T1', readAt: null });
    expect(withReceipts(mine('b', 'T0'), seen)).toMatchObject({ deliveredAt: 'T2', readAt: 'T2' });
    const already = { ...mine('a', 'T0'), deliveredAt: 'T0', readAt: 'T0' };
    expect(withReceipts(already, seen)).toBe(already);
    const theirs = { ...mine('b', 'T0'), from: 'them' as const };
    expect(withReceipts(theirs, seen)).toBe(theirs);
    // An older "up to" does not move the mark back.
    recordReceipt(seen, { status: 'read', messageIds: [], upTo: 'T9', at: 'T10' });
    recordReceipt(seen, { status: 'read', messageIds: [], upTo: 'T5', at: 'T11' });
    expect(seen.readUpTo).toEqual({ upTo: 'T9', at: 'T10' });
  });
});
