import crypto from 'node:crypto';
import net from 'node:net';
import type { Kysely } from 'kysely';
import { isLanguage, type Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { deviceLabel } from '../sessions/service.js';
import { isRestricted } from '../../privacy/rights/restrictions.js';
import { distanceKm, plainIp, type GeoLocator, type Place } from './geo.js';
import type { LoginAttempt } from './guard.js';
import { expandIPv6, type KenalanLoginGuard } from './login-guard.js';

/**
 * Device identifier (policy 1.3, P1.6) and the risk score on every sign-in (policy 1.4, P1.9);
 * ADR 0009. The device is a random cookie; the database keeps only its HMAC per member. Networks
 * are kept as HMACs of the /24 (IPv4) or /48 (IPv6) prefix. The approximate place of a session is
 * geoip-lite's city and country, encrypted on the session row.
 */

export const DEVICE_COOKIE = '__Host-kenalan-device';
/** ~400 days, the most browsers allow a cookie to live. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600;
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const newDeviceToken = () => crypto.randomBytes(32).toString('base64url');
export const isDeviceToken = (value: unknown): value is string => typeof value === 'string' && DEVICE_TOKEN.test(value);

/** A network is "known" when the member signed in from it within this many days. */
export const KNOWN_NETWORK_DAYS = 90;
/** Faster than an airliner between two sign-ins: impossible travel. */
export const IMPOSSIBLE_SPEED_KMH = 900;

/** The IPv4 /24 or IPv6 /48 an address belongs to, e.g. `203.0.113.0/24`. */
export function networkPrefix(ip: string): string | null {
  const address = plainIp(ip);
  if (net.isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (net.isIPv6(address)) return `${expandIPv6(address).slice(0, 3).join(':')}::/48`;
  return null;
}

export type RiskReason = 'first_sign_in' | 'new_device' | 'new_network' | 'impossible_travel' | 'recent_failures' | 'recent_lock';
export type RiskLevel = 'low' | 'medium' | 'high';

/** Points per factor; the score is their sum, capped at 100. */
export const RISK_WEIGHTS: Record<RiskReason, number> = {
  first_sign_in: 0,
  new_device: 30,
  new_network: 25,
  impossible_travel: 50,
  recent_failures: 15,
  recent_lock: 20,
};
/** `high` from this score (asks for a step-up), `medium` from the other. */
export const RISK_LEVELS = { high: 60, medium: 30 } as const;

export interface RiskAssessment {
  assessmentId: string;
  score: number;
  level: RiskLevel;
  reasons: RiskReason[];
  /** High risk: the sign-in must pass an email/SMS code (or the member's second factor) first. */
  stepUp: boolean;
  knownDevice: boolean;
}

export interface SignInDevice {
  ip: string;
  userAgent: string | undefined;
  /** The `__Host-kenalan-device` cookie value (a fresh one on a browser without it). */
  deviceToken?: string | undefined;
}

export function levelOf(score: number): RiskLevel {
  return score >= RISK_LEVELS.high ? 'high' : score >= RISK_LEVELS.medium ? 'medium' : 'low';
}

export function makeLoginSecurity({
  db,
  keyring,
  guard,
  geo,
  jobs,
  clock = () => new Date(),
}: {
  db: Kysely<Database>;
  keyring: Keyring;
  guard: KenalanLoginGuard;
  geo: GeoLocator;
  jobs: JobQueue;
  clock?: () => Date;
}) {
  // The latest assessment per member (this instance, 10 minutes), so the session a sign-in ends in
  // — directly or after a step-up challenge — is linked to it in the audit log.
  const latestAssessment = new Map<string, { id: string; at: number }>();
  const remember = (memberId: string, id: string) => {
    latestAssessment.delete(memberId);
    if (latestAssessment.size >= 10_000) latestAssessment.delete(latestAssessment.keys().next().value!);
    latestAssessment.set(memberId, { id, at: Date.now() });
  };
  const recall = (memberId: string) => {
    const entry = latestAssessment.get(memberId);
    latestAssessment.delete(memberId);
    return entry && Date.now() - entry.at < 10 * 60 * 1000 ? entry.id : undefined;
  };

  const deviceHash = (token: string) => keyring.blindIndex(token, 'member_devices.device_hash');
  const prefixHash = (prefix: string) => keyring.blindIndex(prefix, 'member_networks.prefix_hash');

  async function findDevice(memberId: string, token: string | undefined) {
    if (!isDeviceToken(token)) return undefined;
    return db.selectFrom('member_devices').select(['id']).where('member_id', '=', memberId).where('device_hash', '=', deviceHash(token)).executeTakeFirst();
  }

  /** Where a previous session was, from its (encrypted) IP, looked up again. */
  async function placeOfIp(encryptedIp: string | null): Promise<Place | null> {
    if (!encryptedIp) return null;
    try {
      return await geo.locate(keyring.decrypt(encryptedIp, 'sessions.ip'));
    } catch {
      return null;
    }
  }

  function placeOfSession(encrypted: string | null): { city: string; country: string } | null {
    if (!encrypted) return null;
    return JSON.parse(keyring.decrypt(encrypted, 'sessions.place')) as { city: string; country: string };
  }

  function encryptPlace(place: Place | null): string | null {
    return place ? keyring.encrypt(JSON.stringify({ city: place.city, country: place.country }), 'sessions.place') : null;
  }

  return {
    geo,

    /**
     * The guard's view of a sign-in attempt: the member id when the identifier matched (else a keyed
     * hash of the identifier), and whether the request carries this member's known device cookie.
     */
    async attemptFor(memberId: string | undefined, identifier: string, context: SignInDevice): Promise<LoginAttempt> {
      if (!memberId) return { ip: context.ip, accountKey: guard.identifierKey(identifier) };
      return { ip: context.ip, accountKey: memberId, knownDevice: (await findDevice(memberId, context.deviceToken)) !== undefined };
    },

    /** The cookie names a device this member has signed in from before. */
    async isKnownDevice(memberId: string, deviceToken: string | undefined): Promise<boolean> {
      return (await findDevice(memberId, deviceToken)) !== undefined;
    },

    /**
     * The risk of this sign-in, after the password (and account status) were right, before any
     * session: new device, new network, impossible travel since the previous sign-in, recent
     * failures on the account. Audited (score, level, reason codes — no IP, no place).
     */
    async assess(memberId: string, context: SignInDevice): Promise<RiskAssessment> {
      const now = clock();
      const assessmentId = crypto.randomUUID();
      const reasons: RiskReason[] = [];
      const known = await findDevice(memberId, context.deviceToken);
      const previous = await db
        .selectFrom('sessions')
        .select(['ip', 'created_at'])
        .where('member_id', '=', memberId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const anyDevice = await db.selectFrom('member_devices').select('id').where('member_id', '=', memberId).limit(1).executeTakeFirst();
      if (!previous && !anyDevice) {
        reasons.push('first_sign_in');
      } else {
        if (!known) reasons.push('new_device');
        const prefix = networkPrefix(context.ip);
        const since = new Date(now.getTime() - KNOWN_NETWORK_DAYS * 24 * 3600 * 1000);
        const network = prefix
          ? await db
              .selectFrom('member_networks')
              .select('id')
              .where('member_id', '=', memberId)
              .where('prefix_hash', '=', prefixHash(prefix))
              .where('last_seen_at', '>=', since)
              .executeTakeFirst()
          : undefined;
        if (!network) reasons.push('new_network');
      }
      if (previous) {
        const [before, here] = [await placeOfIp(previous.ip), await geo.locate(context.ip)];
        if (before && here) {
          // geoip is approximate: only the distance beyond both accuracy radii counts.
          const km = distanceKm(before, here) - before.radiusKm - here.radiusKm;
          const hours = Math.max(1 / 60, (now.getTime() - previous.created_at.getTime()) / 3_600_000);
          if (km > 0 && km / hours > IMPOSSIBLE_SPEED_KMH) reasons.push('impossible_travel');
        }
      }
      const history = await guard.failureHistory(memberId);
      if (history.account >= 3) reasons.push('recent_failures');
      if (history.locks > 0) reasons.push('recent_lock');

      const score = Math.min(100, reasons.reduce((sum, reason) => sum + RISK_WEIGHTS[reason], 0));
      const level = levelOf(score);
      const assessment: RiskAssessment = { assessmentId, score, level, reasons, stepUp: level === 'high', knownDevice: known !== undefined };
      await db.transaction().execute((trx) =>
        appendAudit(
          trx,
          { type: 'system' },
          { action: 'login.risk_assessed', subjectType: 'member', subjectId: memberId, details: { assessmentId, score, level, reasons, stepUp: assessment.stepUp } },
          { purpose: 'security', at: now },
        ),
      );
      remember(memberId, assessmentId);
      return assessment;
    },

    /**
     * After a session was created (any way: password, passed challenge, passkey): remember the
     * device and the network, put the device and the approximate place on the session, and — for
     * a device this member never used, when they have signed in before — email them.
     */
    async recordSignIn(input: { memberId: string; sessionId: string; assessmentId?: string } & SignInDevice): Promise<{ deviceId: string | null; newDevice: boolean }> {
      const now = clock();
      const assessmentId = input.assessmentId ?? recall(input.memberId);
      // A member who restricted processing of their location (privacy/rights) gets no place stored.
      const place = (await isRestricted(db, input.memberId, 'location')) ? null : await geo.locate(input.ip);
      const prefix = networkPrefix(input.ip);
      return db.transaction().execute(async (trx) => {
        const earlier = await trx
          .selectFrom('sessions')
          .select('id')
          .where('member_id', '=', input.memberId)
          .where('id', '!=', input.sessionId)
          .limit(1)
          .executeTakeFirst();
        let deviceId: string | null = null;
        let newDevice = false;
        let newDeviceEmail = false;
        if (isDeviceToken(input.deviceToken)) {
          const hash = deviceHash(input.deviceToken);
          const label = deviceLabel(input.userAgent);
          const existing = await trx.selectFrom('member_devices').select('id').where('member_id', '=', input.memberId).where('device_hash', '=', hash).executeTakeFirst();
          if (existing) {
            deviceId = existing.id;
            await trx.updateTable('member_devices').set({ last_seen_at: now, device_label: label }).where('id', '=', existing.id).execute();
          } else {
            const anyDevice = await trx.selectFrom('member_devices').select('id').where('member_id', '=', input.memberId).limit(1).executeTakeFirst();
            deviceId = crypto.randomUUID();
            newDevice = true;
            newDeviceEmail = Boolean(earlier || anyDevice);
            await trx
              .insertInto('member_devices')
              .values({ id: deviceId, member_id: input.memberId, device_hash: hash, device_label: label, first_seen_at: now, last_seen_at: now })
              .onConflict((oc) => oc.columns(['member_id', 'device_hash']).doUpdateSet({ last_seen_at: now }))
              .execute();
            // Two sign-ins from one new browser at the same moment: the row the other one inserted.
            const row = await trx.selectFrom('member_devices').select('id').where('member_id', '=', input.memberId).where('device_hash', '=', hash).executeTakeFirstOrThrow();
            if (row.id !== deviceId) [deviceId, newDevice, newDeviceEmail] = [row.id, false, false];
          }
        }
        if (prefix) {
          await trx
            .insertInto('member_networks')
            .values({ id: crypto.randomUUID(), member_id: input.memberId, prefix_hash: prefixHash(prefix), first_seen_at: now, last_seen_at: now })
            .onConflict((oc) => oc.columns(['member_id', 'prefix_hash']).doUpdateSet({ last_seen_at: now }))
            .execute();
        }
        await trx.updateTable('sessions').set({ device_id: deviceId, place: encryptPlace(place) }).where('id', '=', input.sessionId).execute();
        // Always, so every session is linked to its assessment (device id null: no device cookie).
        await appendAudit(
          trx,
          { type: 'member', id: input.memberId },
          {
            action: 'login.device_recorded',
            subjectType: 'member',
            subjectId: input.memberId,
            details: { sessionId: input.sessionId, deviceId, newDevice, newDeviceEmail, ...(assessmentId ? { assessmentId } : {}) },
          },
          { purpose: 'security', at: now },
        );
        if (newDeviceEmail) await jobs.send(trx, 'login-security.new-device-email', { sessionId: input.sessionId });
        return { deviceId, newDevice };
      });
    },

    /** The approximate place stored on a session (for the sessions page), or null. */
    placeOfSession,

    /** What the new-device email needs, decrypted for the worker; undefined if it no longer applies. */
    async newDeviceNotice(sessionId: string) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('members', 'members.id', 'sessions.member_id')
        .select(['sessions.device_label', 'sessions.place', 'sessions.created_at', 'members.email', 'members.nickname', 'members.language', 'members.status'])
        .where('sessions.id', '=', sessionId)
        .executeTakeFirst();
      if (!row || row.status === 'deleted') return undefined;
      const language: Language = isLanguage(row.language) ? row.language : 'id';
      return {
        to: keyring.decrypt(row.email, 'members.email'),
        nickname: keyring.decrypt(row.nickname, 'members.nickname'),
        language,
        device: row.device_label,
        place: placeOfSession(row.place),
        at: row.created_at,
      };
    },
  };
}
export type LoginSecurity = ReturnType<typeof makeLoginSecurity>;
