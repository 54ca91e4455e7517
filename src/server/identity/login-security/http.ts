import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS, isDeviceToken, newDeviceToken } from './service.js';

/**
 * The device cookie (P1.6): a random token, httpOnly, Secure, SameSite=Lax, ~400 days. The browser
 * keeps it; the database keeps only its HMAC per member (member_devices).
 */
export function deviceTokenOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[DEVICE_COOKIE];
  return isDeviceToken(value) ? value : undefined;
}

/** The request's device token, or a fresh one (`fresh`: set it with `setDeviceCookie` once sign-in succeeds). */
export function deviceForSignIn(request: FastifyRequest): { token: string; fresh: boolean } {
  const token = deviceTokenOf(request);
  return token ? { token, fresh: false } : { token: newDeviceToken(), fresh: true };
}

export function setDeviceCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  });
}
