import { readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** The updates API (src/server/social/posts/routes.ts), typed as the server's response schemas. */

export type Audience = 'public' | 'connections' | 'only_me';
export const AUDIENCES: readonly Audience[] = ['connections', 'public', 'only_me'];
export const MAX_TEXT = 2000;
export const MAX_COMMENT = 500;
export const MAX_PHOTOS = 4;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif'];

export interface Author {
  id: string;
  username: string;
  nickname: string;
}

export interface Post {
  id: string;
  author: Author;
  audience: Audience;
  text: string;
  photos: { id: string; url: string; width: number; height: number }[];
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  mine: boolean;
  createdAt: string;
  postedFromCountry?: string | null;
}

export interface Comment {
  id: string;
  author: Author | null;
  text: string;
  createdAt: string;
  canDelete: boolean;
}

export async function getJson<T>(url: string, options: RequestOptions): Promise<Outcome<T>> {
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

export async function unsafe<T>(url: string, init: Parameters<typeof withCsrf>[1], options: RequestOptions): Promise<Outcome<T>> {
  try {
    const response = await withCsrf(url, init, options);
    if (!(response instanceof Response)) return response;
    if (response.status === 204) return { kind: 'ok', value: undefined as T };
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return { kind: 'network' };
  }
}

export function fetchFeed(cursor: string | null, options: RequestOptions) {
  const query = new URLSearchParams({ limit: '20' });
  if (cursor) query.set('cursor', cursor);
  return getJson<{ posts: Post[]; next: string | null }>(`/api/feed?${query.toString()}`, options);
}

export function createPost(input: { text: string; audience: Audience; photos: File[]; acknowledged: boolean; key: string }, options: RequestOptions) {
  const form = new FormData();
  form.append('text', input.text);
  form.append('audience', input.audience);
  if (input.acknowledged) form.append('acknowledgedPhotoReminder', 'true');
  for (const photo of input.photos) form.append('photos', photo, photo.name || 'photo.jpg');
  return unsafe<Post>('/api/posts', { body: form, headers: { 'idempotency-key': input.key } }, options);
}

export const deletePost = (id: string, options: RequestOptions) => unsafe<undefined>(`/api/posts/${encodeURIComponent(id)}`, { method: 'DELETE' }, options);
export const toggleLike = (id: string, options: RequestOptions) => unsafe<{ liked: boolean; likeCount: number }>(`/api/posts/${encodeURIComponent(id)}/like`, {}, options);
export const fetchComments = (id: string, options: RequestOptions) => getJson<{ comments: Comment[]; next: string | null }>(`/api/posts/${encodeURIComponent(id)}/comments`, options);
export const addComment = (id: string, text: string, options: RequestOptions) => unsafe<Comment>(`/api/posts/${encodeURIComponent(id)}/comments`, { json: { text } }, options);
export const deleteComment = (postId: string, commentId: string, options: RequestOptions) =>
  unsafe<undefined>(`/api/posts/${encodeURIComponent(postId)}/comments/${encodeURIComponent(commentId)}`, { method: 'DELETE' }, options);

/** A random idempotency key for one update; kept while the form retries. */
export function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
