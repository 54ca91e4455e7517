import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** What the policy notice needs (GET /api/policy/notice). */
export interface PolicyNotice {
  current: { version: string; effectiveAt: string };
  material: { version: string; previous: string | null; effectiveAt: string; publishedAt: string; reducesRights: boolean; changes: string[] } | null;
  member: { reconsentRequired: boolean; governing: string; declined: boolean } | null;
}

export interface VersionChange {
  version: string;
  effectiveAt: string;
  publishedAt: string;
  previous: string | null;
  material: boolean;
  reducesRights: boolean;
  kinds: string[];
  affectedPurposes: string[];
  changes: string[];
}

/** The member's standing (GET /api/me/policy). */
export interface MemberPolicy {
  current: { version: string; effectiveAt: string };
  governing: { version: string; effectiveAt: string };
  accepted: { version: string; at: string; language: string } | null;
  reconsentRequired: boolean;
  declined: boolean;
  pending: { reducesRights: boolean; purposes: { purpose: string; granted: boolean }[]; versions: VersionChange[] } | null;
}

async function getJson<T>(url: string, options: RequestOptions, check: (value: unknown) => value is T): Promise<Outcome<T>> {
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    const json: unknown = await response.json();
    return check(json) ? { kind: 'ok', value: json } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}

const isNotice = (v: unknown): v is PolicyNotice => isRecord(v) && isRecord(v.current) && 'material' in v && 'member' in v;
const isMemberPolicy = (v: unknown): v is MemberPolicy => isRecord(v) && isRecord(v.current) && isRecord(v.governing) && typeof v.reconsentRequired === 'boolean';

export const fetchPolicyNotice = (options: RequestOptions) => getJson(`/api/policy/notice?lang=${options.language}`, options, isNotice);
export const fetchMemberPolicy = (options: RequestOptions) => getJson(`/api/me/policy?lang=${options.language}`, options, isMemberPolicy);

/** Accept the current version (answering every affected purpose) or decline one that reduces rights. */
export async function decidePolicy(
  body: { version: string; decision: 'accept' | 'decline'; purposes?: Record<string, boolean> },
  options: RequestOptions,
): Promise<Outcome<MemberPolicy>> {
  try {
    const result = await withCsrf(`/api/me/policy/reconsent?lang=${options.language}`, { method: 'POST', json: { ...body, language: options.language } }, options);
    if (!(result instanceof Response)) return result;
    const json: unknown = await result.json();
    return isMemberPolicy(json) ? { kind: 'ok', value: json } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}

/** Server-rendered policy pages: full page loads (plain <a href>), never router links. */
export const policyVersionHref = (version: string, language: string) => `/privacy/v/${encodeURIComponent(version)}?lang=${language}`;
export const policyDiffHref = (from: string, to: string, language: string) => `/privacy/diff/${encodeURIComponent(from)}/${encodeURIComponent(to)}?lang=${language}`;
export const policyVersionsHref = (language: string) => `/privacy/versions?lang=${language}`;
