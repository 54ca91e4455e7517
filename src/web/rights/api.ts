import type { Language } from '../../common/i18n/index.js';
import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome } from '../http.js';

/** GET a JSON resource of the signed-in member; problems come back already localized. */
export async function getJson<T>(url: string, language: Language, headers: Record<string, string> = {}): Promise<Outcome<T>> {
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json, application/problem+json', 'accept-language': language, ...headers },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    const json: unknown = await response.json();
    return isRecord(json) ? { kind: 'ok', value: json as T } : { kind: 'network' };
  } catch {
    return { kind: 'network' };
  }
}

/** An unsafe request with CSRF and a JSON body. */
export async function sendJson<T>(url: string, method: 'POST' | 'PUT' | 'PATCH', body: unknown, language: Language): Promise<Outcome<T>> {
  try {
    const result = await withCsrf(url, { method, json: body }, { language });
    if (!(result instanceof Response)) return result;
    const json: unknown = await result.json();
    return isRecord(json) ? { kind: 'ok', value: json as T } : { kind: 'network' };
  } catch {
    return { kind: 'network' };
  }
}

export interface AccountDetails {
  nickname: string;
  language: 'id' | 'en';
  gender: 'female' | 'male' | 'nonbinary' | 'unspecified';
  emailMasked: string;
  phoneMasked: string;
}

export interface RestrictionsView {
  restrictions: { category: string; since: string }[];
  categories: string[];
}
