import { readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** The chat API (src/server/social/chat/routes.ts), typed as the server's response schemas. */

export interface ChatPartner {
  id: string;
  username: string;
  nickname: string;
}

export interface ChatMessage {
  id: string;
  conversationId: string;
  clientKey: string | null;
  from: 'me' | 'them';
  senderId: string | null;
  body: string | null;
  photo: { url: string; width: number; height: number } | null;
  createdAt: string;
  deliveredAt: string | null;
  readAt: string | null;
  deleted: boolean;
}

export interface ConversationSummary {
  conversationId: string | null;
  member: ChatPartner | null;
  last: { id: string; from: 'me' | 'them'; preview: string | null; photo: boolean; deleted: boolean; createdAt: string } | null;
  unread: number;
}

export interface HistoryPage {
  member: ChatPartner;
  messages: ChatMessage[];
  nextCursor: string | null;
}

async function getJson<T>(url: string, options: RequestOptions): Promise<Outcome<T>> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, req?: RequestInit) => fetch(input, req));
  try {
    const response = await doFetch(url, {
      method: 'GET',
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return { kind: 'network' };
  }
}

async function unsafe<T>(url: string, init: Parameters<typeof withCsrf>[1], options: RequestOptions): Promise<Outcome<T>> {
  try {
    const response = await withCsrf(url, init, options);
    if (!(response instanceof Response)) return response;
    if (response.status === 204) return { kind: 'ok', value: undefined as T };
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return { kind: 'network' };
  }
}

export const fetchConversations = (options: RequestOptions) =>
  getJson<{ conversations: ConversationSummary[] }>('/api/chats', options);

/** The counts behind the Chats tab, without the list: conversations with unread messages, and those messages. */
export const fetchUnreadChats = (options: RequestOptions) =>
  getJson<{ conversations: number; messages: number }>('/api/chats/unread', options);

export function fetchHistory(memberId: string, before: string | null, options: RequestOptions) {
  const query = new URLSearchParams({ limit: '30' });
  if (before) query.set('before', before);
  return getJson<HistoryPage>(`/api/chats/${encodeURIComponent(memberId)}/messages?${query.toString()}`, options);
}

export function fetchFormerHistory(conversationId: string, before: string | null, options: RequestOptions) {
  const query = new URLSearchParams({ limit: '30' });
  if (before) query.set('before', before);
  return getJson<{ messages: ChatMessage[]; nextCursor: string | null }>(`/api/chats/former/${encodeURIComponent(conversationId)}/messages?${query.toString()}`, options);
}

export const sendText = (memberId: string, clientKey: string, body: string, options: RequestOptions) =>
  unsafe<{ message: ChatMessage }>(`/api/chats/${encodeURIComponent(memberId)}/messages`, { json: { clientKey, body } }, options);

export function sendPhoto(memberId: string, clientKey: string, photo: File, caption: string, options: RequestOptions) {
  const form = new FormData();
  form.append('clientKey', clientKey);
  if (caption.trim()) form.append('body', caption);
  form.append('photo', photo, photo.name || 'photo.jpg');
  return unsafe<{ message: ChatMessage }>(`/api/chats/${encodeURIComponent(memberId)}/photos`, { body: form }, options);
}

export const markRead = (memberId: string, options: RequestOptions) =>
  unsafe<{ read: number }>(`/api/chats/${encodeURIComponent(memberId)}/read`, {}, options);

export const deleteMessage = (memberId: string, messageId: string, scope: 'me' | 'both', options: RequestOptions) =>
  unsafe<undefined>(`/api/chats/${encodeURIComponent(memberId)}/messages/${encodeURIComponent(messageId)}?scope=${scope}`, { method: 'DELETE' }, options);

/** A random idempotency key for one message; kept with the pending message so a resend reuses it. */
export function newClientKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
