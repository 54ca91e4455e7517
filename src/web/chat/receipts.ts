import type { ChatMessage } from './api.js';

/**
 * Delivery and read receipts that reached the page over the socket. They are kept, not only
 * applied to the messages on screen: a receipt can arrive before the page knows the message it is
 * about (the partner reads a photo before the photo's POST answers the sender), or a history reload
 * can bring an older copy; either would otherwise show "sent" for a message already read.
 */
export interface SeenReceipts {
  delivered: Map<string, string>;
  read: Map<string, string>;
  /** The partner read everything up to this time (server clock), at `at`. */
  readUpTo: { upTo: string; at: string } | null;
}

export interface ReceiptEvent {
  status: 'delivered' | 'read';
  messageIds: string[];
  upTo: string | null;
  at: string;
}

export function emptyReceipts(): SeenReceipts {
  return { delivered: new Map(), read: new Map(), readUpTo: null };
}

export function recordReceipt(seen: SeenReceipts, event: ReceiptEvent): void {
  const byId = event.status === 'read' ? seen.read : seen.delivered;
  for (const id of event.messageIds) if (!byId.has(id)) byId.set(id, event.at);
  if (event.status === 'read' && event.upTo && (!seen.readUpTo || event.upTo > seen.readUpTo.upTo)) seen.readUpTo = { upTo: event.upTo, at: event.at };
}

/** The message with every receipt seen so far (only the member's own messages carry receipts). */
export function withReceipts(message: ChatMessage, seen: SeenReceipts): ChatMessage {
  if (message.from !== 'me') return message;
  const readAt =
    message.readAt ?? seen.read.get(message.id) ?? (seen.readUpTo && message.createdAt <= seen.readUpTo.upTo ? seen.readUpTo.at : null);
  const deliveredAt = message.deliveredAt ?? seen.delivered.get(message.id) ?? readAt;
  return readAt === message.readAt && deliveredAt === message.deliveredAt ? message : { ...message, readAt, deliveredAt };
}
