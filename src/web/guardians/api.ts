import { getJson } from '../accounts/api.js';
import { isLanguage, type Language } from '../../common/i18n/index.js';
import { isRecord, withCsrf, type Outcome, type RequestOptions } from '../http.js';

export interface GuardianInvitation {
  nickname: string;
  username: string;
  language: Language;
  policyVersion: string;
  expiresAt: string;
}

export interface GuardianWithdrawal {
  nickname: string;
  username: string;
  language: Language;
}

const path = (token: string) => `/api/guardians/${encodeURIComponent(token)}`;
const withdrawPath = (token: string) => `/api/guardians/withdraw/${encodeURIComponent(token)}`;
const bad: Outcome<never> = { kind: 'problem', status: 500, fields: {} };

export async function fetchInvitation(token: string, options: RequestOptions): Promise<Outcome<GuardianInvitation>> {
  const outcome = await getJson(path(token), options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && typeof v.nickname === 'string' && typeof v.username === 'string' && isLanguage(v.language) && typeof v.policyVersion === 'string' && typeof v.expiresAt === 'string') {
    return { kind: 'ok', value: { nickname: v.nickname, username: v.username, language: v.language, policyVersion: v.policyVersion, expiresAt: v.expiresAt } };
  }
  return bad;
}

export async function fetchWithdrawal(token: string, options: RequestOptions): Promise<Outcome<GuardianWithdrawal>> {
  const outcome = await getJson(withdrawPath(token), options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && typeof v.nickname === 'string' && typeof v.username === 'string' && isLanguage(v.language)) {
    return { kind: 'ok', value: { nickname: v.nickname, username: v.username, language: v.language } };
  }
  return bad;
}

/** The POSTs carry `confirm: true` (the ticked box or the confirmed refusal); the page language goes as Accept-Language. */
async function decide(url: string, options: RequestOptions): Promise<Outcome<null>> {
  try {
    const result = await withCsrf(url, { json: { confirm: true } }, options);
    return result instanceof Response ? { kind: 'ok', value: null } : result;
  } catch {
    return { kind: 'network' };
  }
}

export const giveConsent = (token: string, options: RequestOptions) => decide(`${path(token)}/consent`, options);
export const refuseConsent = (token: string, options: RequestOptions) => decide(`${path(token)}/refuse`, options);
export const withdrawConsent = (token: string, options: RequestOptions) => decide(withdrawPath(token), options);
