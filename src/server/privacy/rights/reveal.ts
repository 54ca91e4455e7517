import crypto from 'node:crypto';

/** A reveal token lets "your data" show masked values in full for 5 minutes, in one session. */
export const REVEAL_TTL_MS = 5 * 60 * 1000;

/**
 * Reveal tokens: `<expiry ms>.<HMAC-SHA256(secret, sessionId.expiry)>`, base64url. Bound to the
 * session (a token copied to another session does not verify), stateless, and useless after 5
 * minutes or once the session ends (GET /api/me/data needs the live session too).
 */
export function makeRevealTokens(secret: Buffer, clock: () => Date = () => new Date()) {
  const mac = (sessionId: string, expires: number) => crypto.createHmac('sha256', secret).update(`reveal:${sessionId}.${expires}`).digest('base64url');
  return {
    issue(sessionId: string): { token: string; expiresAt: Date } {
      const expires = clock().getTime() + REVEAL_TTL_MS;
      return { token: `${expires}.${mac(sessionId, expires)}`, expiresAt: new Date(expires) };
    },
    verify(sessionId: string, token: string | undefined): boolean {
      if (!token || token.length > 200) return false;
      const match = /^(\d{10,16})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return false;
      const expires = Number(match[1]);
      if (expires <= clock().getTime()) return false;
      const expected = Buffer.from(mac(sessionId, expires));
      const given = Buffer.from(match[2]!);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    },
  };
}
export type RevealTokens = ReturnType<typeof makeRevealTokens>;
