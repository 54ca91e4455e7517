import sharp from 'sharp';
import { csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { SESSION_COOKIE } from '../sessions/routes.js';
import { DEVICE_COOKIE } from './service.js';

/** Test helpers for login-security (not a test file): members through the real sign-up API, sign-in over HTTP. */

export const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
export const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';
export const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const AT = '\u0040';

let photo: Buffer | undefined;

/** Signs a member up through the API, marks email and phone verified and activates them (verification is tested in accounts.test.ts). */
export async function signUpMember(t: TestApp, n: number, options: { language?: 'id' | 'en'; email?: string } = {}) {
  photo ??= await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const data = new FormData();
  const fields = {
    username: `dewi_${n}`,
    nickname: 'Dewi',
    gender: 'female',
    email: options.email ?? `dewi.${n}${AT}contoh.id`,
    phone: `0813${String(30_000_000 + n)}`,
    nik: `317405520390${String(3000 + n)}`,
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: options.language ?? 'id',
    acceptPolicy: 'true',
  };
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/accounts',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': `192.0.2.${(n % 250) + 1}` },
    payload: data,
  });
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  const { id } = response.json() as { id: string };
  const now = new Date();
  await t.database.db.updateTable('members').set({ status: 'active', email_verified_at: now, phone_verified_at: now }).where('id', '=', id).execute();
  return { id, ...fields };
}

/** POST /api/sessions from `ip`, optionally with a device cookie. */
export async function signIn(
  t: TestApp,
  identifier: string,
  password: string,
  options: { ip: string; userAgent?: string; deviceToken?: string | undefined; language?: 'id' | 'en' },
) {
  const csrf = await csrfHeaders(t.app);
  const cookie = [csrf.cookie, options.deviceToken ? `${DEVICE_COOKIE}=${options.deviceToken}` : ''].filter(Boolean).join('; ');
  return t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: {
      ...csrf,
      cookie,
      'x-forwarded-for': options.ip,
      'user-agent': options.userAgent ?? ANDROID_CHROME,
      'accept-language': options.language ?? 'en',
    },
    payload: { identifier, password },
  });
}

type Cookie = { name: string; value: string; maxAge?: number; httpOnly?: boolean; secure?: boolean; sameSite?: string; path?: string };
export const cookieOf = (response: { cookies: Cookie[] }, name: string): Cookie | undefined => response.cookies.find((c) => c.name === name);
export const sessionCookieOf = (response: { cookies: Cookie[] }) => cookieOf(response, SESSION_COOKIE);
export const deviceCookieOf = (response: { cookies: Cookie[] }) => cookieOf(response, DEVICE_COOKIE);
