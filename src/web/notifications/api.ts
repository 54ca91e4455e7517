import type { RequestOptions } from '../http.js';
import { getJson, unsafe } from '../posts/api.js';

/** The notifications API (src/server/social/posts/routes.ts). */

export const KINDS = ['request_received', 'request_accepted', 'message', 'post_liked', 'post_commented', 'moderation_warning', 'report_handled'] as const;
export type Kind = (typeof KINDS)[number];

export interface Notification {
  id: string;
  kind: Kind;
  actor: { username: string; nickname: string } | null;
  objectId: string | null;
  createdAt: string;
  read: boolean;
}

export function fetchNotifications(cursor: string | null, options: RequestOptions) {
  const query = new URLSearchParams({ limit: '30' });
  if (cursor) query.set('cursor', cursor);
  return getJson<{ notifications: Notification[]; next: string | null }>(`/api/notifications?${query.toString()}`, options);
}
export const fetchUnread = (options: RequestOptions) => getJson<{ unread: number }>('/api/notifications/unread-count', options);
/** Fired on `window` after this tab marks notifications read, so the header badge updates at once. */
export const READ_EVENT = 'kenalan:notifications-read';
const announceRead = <T>(outcome: T): T => {
  window.dispatchEvent(new Event(READ_EVENT));
  return outcome;
};
export const markRead = (id: string, options: RequestOptions) => unsafe<undefined>(`/api/notifications/${encodeURIComponent(id)}/read`, {}, options).then(announceRead);
export const markAllRead = (options: RequestOptions) => unsafe<{ marked: number }>('/api/notifications/read-all', {}, options).then(announceRead);
export const fetchPreferences = (options: RequestOptions) => getJson<{ email: Record<Kind, boolean> }>('/api/me/notification-preferences', options);
export const savePreferences = (email: Record<Kind, boolean>, options: RequestOptions) =>
  unsafe<{ email: Record<Kind, boolean> }>('/api/me/notification-preferences', { method: 'PUT', json: { email } }, options);

/** Where a notification leads. */
export function targetOf(n: Notification): string {
  if (n.kind === 'post_liked' || n.kind === 'post_commented') return n.objectId ? `/feed#post-${n.objectId}` : '/feed';
  if (n.kind === 'message') return '/chats';
  // A warning can be disputed through support; a handled report leads nowhere else.
  if (n.kind === 'moderation_warning') return '/support';
  if (n.kind === 'report_handled') return '/notifications';
  return '/requests';
}
