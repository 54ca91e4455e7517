import type { DiscoveryPage, MemberProfileView, OwnProfile, ProfileUpdate, Visibility } from '../../common/social/profile.js';
import { readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** The profiles API as the pages use it (every call answers an Outcome: ok, a localized problem, or a network failure). */

async function getJson<T>(url: string, options: RequestOptions): Promise<Outcome<T>> {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json', 'accept-language': options.language }, credentials: 'same-origin', cache: 'no-store', signal: timeoutSignal() });
    if (!response.ok) return readProblem(response);
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return { kind: 'network' };
  }
}

async function send<T>(url: string, init: Parameters<typeof withCsrf>[1], options: RequestOptions): Promise<Outcome<T>> {
  try {
    const response = await withCsrf(url, init, options);
    if ('kind' in response) return response;
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return { kind: 'network' };
  }
}

export const fetchOwnProfile = (o: RequestOptions) => getJson<OwnProfile>('/api/me/profile', o);
export const saveProfile = (update: ProfileUpdate, o: RequestOptions) => send<OwnProfile>('/api/me/profile', { method: 'PUT', json: update }, o);
export const fetchPreview = (as: 'stranger' | 'connection', o: RequestOptions) => getJson<MemberProfileView>(`/api/me/profile/preview?as=${as}`, o);
export const fetchMember = (username: string, o: RequestOptions) => getJson<MemberProfileView>(`/api/members/${encodeURIComponent(username)}`, o);
export const fetchCities = (o: RequestOptions) => getJson<{ cities: { code: string; name: string; province: string }[] }>('/api/profiles/catalogue', o);
export const setPlainRanking = (plain: boolean, o: RequestOptions) => send<{ plainRanking: boolean }>('/api/me/profile/ranking', { method: 'PUT', json: { plain } }, o);
export const shareLocation = (latitude: number, longitude: number, o: RequestOptions) =>
  send<{ source: 'precise' | 'city' | null; restricted: boolean }>('/api/me/profile/location', { method: 'PUT', json: { latitude, longitude } }, o);
export const forgetLocation = (o: RequestOptions) => send<{ source: 'precise' | 'city' | null; restricted: boolean }>('/api/me/profile/location', { method: 'DELETE' }, o);
export const removePhoto = (id: string, o: RequestOptions) => send<OwnProfile>(`/api/me/profile/photos/${id}`, { method: 'DELETE' }, o);
export const reorderPhotos = (ids: string[], o: RequestOptions) => send<OwnProfile>('/api/me/profile/photos', { method: 'PUT', json: { ids } }, o);
export const setPhotoVisibility = (id: string, visibility: Visibility, o: RequestOptions) => send<OwnProfile>(`/api/me/profile/photos/${id}`, { method: 'PUT', json: { visibility } }, o);
export function uploadPhoto(file: File, visibility: Visibility, o: RequestOptions) {
  const body = new FormData();
  body.append('visibility', visibility);
  body.append('photo', file);
  return send<OwnProfile>('/api/me/profile/photos', { method: 'POST', body }, o);
}

export interface DiscoverQuery {
  minAge?: string;
  maxAge?: string;
  gender?: string;
  interests?: string;
  within?: string;
  language?: string;
}
export function fetchDiscover(query: DiscoverQuery, offset: number, o: RequestOptions) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  if (offset > 0) params.set('offset', String(offset));
  const qs = params.toString();
  return getJson<DiscoveryPage>(`/api/discover${qs ? `?${qs}` : ''}`, o);
}

/** Photos are served through the authorized route only (never as static files). */
export const photoUrl = (username: string, photoId: string, size: 'full' | '320' | '96' = '320') =>
  `/api/members/${encodeURIComponent(username)}/photos/${photoId}?size=${size}`;
