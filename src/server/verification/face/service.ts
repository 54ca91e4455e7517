import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { MAX_FRAMES, MIN_FRAMES } from '../../../common/face.js';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import { open, seal } from '../../platform/crypto/aead.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { processProfilePhoto } from '../../platform/media/image.js';
import type { ConsentLedger } from '../../privacy/consent/ledger.js';
import { cosineSimilarity, type FaceEngine, type FaceImageError, type FaceObservation } from './engine.js';
import { makeProfileFaces } from './profile-faces.js';
import { FACE_CHALLENGES, type FaceChallenge } from './tables.js';

export const FACE_PURPOSE = 'biometric_verification' as const;
export const FACE_MODEL = 'human-3.3.6-faceres';

/**
 * Decision thresholds, chosen in docs/face-evaluation.md (scripts/face-eval.ts) on the 22 faces
 * found in the @vladmandic/face-api demo photos: same face re-detected / re-cropped / re-lit /
 * re-scaled / recompressed / mirrored p05 0.871 (median 0.960), different faces max 0.618 (p95 0.558),
 * cosine of the 1024-float embeddings.
 */
export type FaceThresholds = Record<
  | 'match' | 'review' | 'sameFrames' | 'minFaceSize' | 'minRelativeSize' | 'minBrightness' | 'maxBrightness'
  | 'minReal' | 'minLive' | 'liveReview' | 'minYawChange' | 'minHappyRise' | 'minHappy',
  number
>;

export const FACE_THRESHOLDS: Readonly<FaceThresholds> = {
  /** At or above: verified automatically (0 of 231 different-face pairs reach it; 1 % same-face pairs fall below). */
  match: 0.72,
  /** At or above (and below `match`): a face reviewer decides. Below: refused, no match (above the highest different-face pair). */
  review: 0.62,
  /** Frames of one check must be the same person (mirrored / turned heads scored ≥ 0.875 in the evaluation). */
  sameFrames: 0.7,
  /** Shorter side of the face box, in pixels of the ≤ 800 px model input, and relative to the frame. */
  minFaceSize: 64,
  minRelativeSize: 0.12,
  /** Mean luma in the face box (0..1). */
  minBrightness: 0.12,
  maxBrightness: 0.95,
  /**
   * Passive anti-spoofing (`real`) and liveness (`live`), means over the frames. Genuine crops:
   * real ≥ 0.43, live ≥ 0.58; photos of a photo: live down to 0.20 but overlapping (median 0.70).
   * Below the floors: refused as a spoof; live below `liveReview`: a reviewer decides.
   */
  minReal: 0.3,
  minLive: 0.25,
  liveReview: 0.5,
  /** Head turn: yaw change (radians) between the first frame and a later one, in the asked direction. */
  minYawChange: 0.2,
  /** Smile: the "happy" score must rise by this much and reach `minHappy`. */
  minHappyRise: 0.3,
  minHappy: 0.5,
};

export const CHALLENGE_TTL_MS = 2 * 60 * 1000;
export const ATTEMPTS_PER_DAY = 5;
export { MAX_FRAMES, MIN_FRAMES } from '../../../common/face.js';

export type RefusalReason =
  | 'bad_image'
  | 'no_face'
  | 'several_faces'
  | 'face_too_small'
  | 'too_dark'
  | 'too_bright'
  | 'spoof_suspected'
  | 'frames_differ'
  | 'challenge_not_followed'
  | 'no_profile_face'
  | 'no_match';

/** What a reviewer can reject a case for: refusal reasons a person can judge from the frames (the member sees that reason). */
export const REVIEW_REJECT_REASONS = ['no_match', 'spoof_suspected', 'challenge_not_followed', 'frames_differ'] as const satisfies readonly RefusalReason[];
export type ReviewRejectReason = (typeof REVIEW_REJECT_REASONS)[number];

/** The latest finished check, as `GET /api/me/face` reports it (a refused member sees why). */
export interface LastCheck {
  status: 'verified' | 'review' | 'refused';
  reason: RefusalReason | null;
  /** Who decided: the automatic check, or a face reviewer (a borderline case). */
  decidedBy: 'automatic' | 'reviewer';
  at: Date | null;
}

export type CheckOutcome = { status: 'verified' } | { status: 'review' } | { status: 'refused'; reason: RefusalReason };

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  consent: ConsentLedger;
  engine: FaceEngine;
  dataDir: string;
  logger: Logger;
  clock?: () => Date;
  /** Draws the challenge (default: uniform random). Tests may fix it; nothing else changes. */
  pickChallenge?: () => FaceChallenge;
  /** Overrides of FACE_THRESHOLDS (tests of the review band; the evaluation's candidates). */
  thresholds?: Partial<FaceThresholds>;
  /** Only with NODE_ENV=test: allows `setChallengePickerForTests`. */
  testHooks?: boolean;
}

/** What the engine decided about one frame before any cross-frame rule. */
type FrameVerdict = { ok: true; face: FaceObservation } | { ok: false; reason: RefusalReason };

export function judgeFrame(analysis: { ok: true; faces: FaceObservation[] } | { ok: false; error: FaceImageError }, T: Readonly<FaceThresholds> = FACE_THRESHOLDS): FrameVerdict {
  if (!analysis.ok) return { ok: false, reason: 'bad_image' };
  const faces = analysis.faces;
  if (faces.length === 0) return { ok: false, reason: 'no_face' };
  if (faces.length > 1) return { ok: false, reason: 'several_faces' };
  const face = faces[0]!;
  if (face.size < T.minFaceSize || face.relativeSize < T.minRelativeSize) return { ok: false, reason: 'face_too_small' };
  if (face.brightness < T.minBrightness) return { ok: false, reason: 'too_dark' };
  if (face.brightness > T.maxBrightness) return { ok: false, reason: 'too_bright' };
  if (face.embedding.length === 0) return { ok: false, reason: 'no_face' };
  return { ok: true, face };
}

/** Whether the frames show the asked movement: a head turn in the asked direction, or a smile appearing. */
export function challengeFollowed(challenge: FaceChallenge, faces: FaceObservation[], T: Readonly<FaceThresholds> = FACE_THRESHOLDS): boolean {
  const [first, ...later] = faces;
  if (!first || later.length === 0) return false;
  if (challenge === 'smile') {
    const before = first.emotion.happy ?? 0;
    return later.some((f) => (f.emotion.happy ?? 0) >= T.minHappy && (f.emotion.happy ?? 0) - before >= T.minHappyRise);
  }
  // Yaw as the model reports it in the (unmirrored) frame: turning to one's own left lowers it.
  const sign = challenge === 'turn_left' ? -1 : 1;
  return later.some((f) => sign * (f.yaw - first.yaw) >= T.minYawChange);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function averageEmbedding(faces: FaceObservation[]): Float32Array {
  const n = faces[0]!.embedding.length;
  const out = new Float32Array(n);
  for (const f of faces) {
    let norm = 0;
    for (const v of f.embedding) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) out[i]! += f.embedding[i]! / norm / faces.length;
  }
  return out;
}

/**
 * Face verification (P1.5, issue 6, ADR 0013). Only under the member's `biometric_verification`
 * consent, given on its own screen. A check: a random challenge (2 minutes), then 2–3 frames that
 * must each hold exactly one sufficient face, pass the passive anti-spoofing/liveness floor, be the
 * same person, show the asked movement, and match a face in the member's profile photos. Frames
 * live in memory only — except a borderline case's, kept encrypted under the case's own key until
 * a reviewer closes it. A verified member's template is sealed with its own data key. Withdrawal
 * deletes templates, badge and open cases in the withdrawal's transaction.
 */
export function makeFaceService({ db, keyring, consent, engine, dataDir, logger, clock = () => new Date(), pickChallenge, testHooks = false, thresholds: overrides = {} }: Deps) {
  const T = { ...FACE_THRESHOLDS, ...overrides };
  let draw = pickChallenge ?? (() => FACE_CHALLENGES[crypto.randomInt(FACE_CHALLENGES.length)]!);
  const faceDir = (memberId: string) => path.join(dataDir, 'media', 'members', memberId, 'face');

  function sealTemplate(id: string, embedding: Float32Array, column: 'face_templates' | 'face_reviews', key = crypto.randomBytes(32)) {
    const bytes = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    const sealed = seal(key, bytes, `${column}.embedding|${id}`).toString('base64');
    return {
      key,
      data_key: keyring.encrypt(key.toString('base64'), `${column}.data_key`),
      embedding: keyring.encrypt(sealed, `${column}.embedding`),
    };
  }

  function openTemplate(id: string, row: { data_key: string; embedding: string }, column: 'face_templates' | 'face_reviews'): Float32Array {
    const key = Buffer.from(keyring.decrypt(row.data_key, `${column}.data_key`), 'base64');
    const sealed = Buffer.from(keyring.decrypt(row.embedding, `${column}.embedding`), 'base64');
    const bytes = open(key, sealed, `${column}.embedding|${id}`);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** Deletes every template, the badge and the keys of every open case of the member, in `trx`. */
  async function purge(trx: Transaction<Database>, memberId: string): Promise<{ templates: number; badges: number; reviews: number }> {
    // The member row lock orders this against a check that is about to store a template (see `stillConsented`).
    await lockMember(trx, memberId);
    const templates = await trx.deleteFrom('face_templates').where('member_id', '=', memberId).executeTakeFirst();
    const badges = await trx.deleteFrom('face_badges').where('member_id', '=', memberId).executeTakeFirst();
    const reviews = await trx
      .updateTable('face_reviews')
      .set({ status: 'withdrawn', data_key: null, embedding: null, decided_at: clock() })
      .where('member_id', '=', memberId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    const counts = { templates: Number(templates.numDeletedRows), badges: Number(badges.numDeletedRows), reviews: Number(reviews.numUpdatedRows) };
    await appendAudit(trx, { type: 'member', id: memberId }, { action: 'face.data_deleted', subjectType: 'member', subjectId: memberId, details: { ...counts, files: fs.existsSync(faceDir(memberId)) ? fs.readdirSync(faceDir(memberId)).length : 0 } }, { purpose: 'accountability', at: clock() });
    return counts;
  }

  async function lockMember(trx: Transaction<Database>, memberId: string): Promise<void> {
    await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirst();
  }

  /** Inside the transaction that stores biometric data: consent must still hold (a withdrawal may have committed meanwhile). */
  async function stillConsented(trx: Transaction<Database>, memberId: string): Promise<void> {
    await lockMember(trx, memberId);
    if (!(await consent.hasConsent({ type: 'member', id: memberId }, FACE_PURPOSE, trx))) {
      throw new AppError('bad_request', 403, 'biometric consent withdrawn during the check', { messageKey: 'face.errors.consentRequired' });
    }
  }

  function removeFaceFiles(memberId: string): void {
    fs.rmSync(faceDir(memberId), { recursive: true, force: true });
  }

  // The faces of the member's profile photos: analysed when a challenge starts, taken by its check.
  const profileFaces = makeProfileFaces({ engine, photoFiles: profilePhotoFiles, minFaceSize: T.minFaceSize, ttlMs: CHALLENGE_TTL_MS });

  // Withdrawal anywhere (this page or the consents page) deletes in the withdrawal's transaction. The
  // encrypted frame files of open cases go at once too: if the transaction then failed, the case would
  // lose its frames — the safe direction for biometric data.
  consent.managePurpose(FACE_PURPOSE, {
    ownScreen: true,
    onWithdrawn: async (trx, subject) => {
      if (subject.type !== 'member') return;
      profileFaces.forget(subject.id);
      await purge(trx, subject.id);
      removeFaceFiles(subject.id);
    },
  });

  async function hasConsent(memberId: string, executor: Kysely<Database> | Transaction<Database> = db): Promise<boolean> {
    return consent.hasConsent({ type: 'member', id: memberId }, FACE_PURPOSE, executor);
  }

  async function attemptsToday(memberId: string, executor: Kysely<Database> | Transaction<Database> = db): Promise<number> {
    const since = new Date(clock().getTime() - 24 * 3600 * 1000);
    const row = await executor
      .selectFrom('face_checks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('member_id', '=', memberId)
      .where('created_at', '>', since)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Files of the member's profile photos a check compares against (the first 6 that exist). */
  async function profilePhotoFiles(memberId: string): Promise<string[]> {
    const photos = await db.selectFrom('member_photos').select(['storage_path']).where('member_id', '=', memberId).orderBy('created_at').limit(6).execute();
    return photos.map((p) => path.join(dataDir, p.storage_path)).filter((file) => fs.existsSync(file));
  }

  /**
   * The member's latest finished check under the consent in force (given at `since`): its outcome, the
   * refusal reason, who decided (the automatic check or a face reviewer) and when. Checks from before
   * a withdrawal are not shown again (their templates, badge and open case were deleted with it).
   */
  async function lastCheck(memberId: string, since: Date): Promise<LastCheck | null> {
    const row = await db
      .selectFrom('face_checks')
      .leftJoin('face_reviews', (join) => join.onRef('face_reviews.check_id', '=', 'face_checks.id').on('face_reviews.status', 'in', ['approved', 'rejected']))
      .select(['face_checks.status', 'face_checks.reason', 'face_checks.completed_at', 'face_reviews.decided_at'])
      .where('face_checks.member_id', '=', memberId)
      .where('face_checks.status', '!=', 'open')
      .where('face_checks.created_at', '>=', since)
      .orderBy('face_checks.created_at', 'desc')
      .orderBy('face_checks.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row || row.status === 'open') return null;
    return {
      status: row.status,
      reason: row.status === 'refused' ? (row.reason as RefusalReason | null) : null,
      decidedBy: row.decided_at ? 'reviewer' : 'automatic',
      at: row.decided_at ?? row.completed_at,
    };
  }

  async function finish(memberId: string, checkId: string, outcome: CheckOutcome, extra?: (trx: Transaction<Database>) => Promise<void>): Promise<void> {
    // An ended check (whatever the outcome) needs its profile faces no more.
    profileFaces.discard(checkId);
    const now = clock();
    await db.transaction().execute(async (trx) => {
      // `extra` locks the member row first (then the audit head, as everywhere).
      if (extra) await extra(trx);
      await trx
        .updateTable('face_checks')
        .set({ status: outcome.status, reason: outcome.status === 'refused' ? outcome.reason : null, completed_at: now })
        .where('id', '=', checkId)
        .execute();
      await appendAudit(
        trx,
        { type: 'member', id: memberId },
        { action: 'face.check_completed', subjectType: 'member', subjectId: memberId, details: { checkId, outcome: outcome.status, reason: outcome.status === 'refused' ? outcome.reason : null } },
        { purpose: FACE_PURPOSE, at: now },
      );
    });
  }

  return {
    engine,
    thresholds: T,
    /** How many challenges' profile faces are held in memory now (diagnostics, tests). */
    profileFacesHeld: profileFaces.size,

    /**
     * TEST HOOK (refused outside NODE_ENV=test): fixes the next challenges, because the browser test's
     * frames are derived from one photo (a mirrored copy can show a head turn, nothing can show a smile).
     */
    setChallengePickerForTests(pick: () => FaceChallenge): void {
      if (!testHooks) throw new Error('test hooks are off');
      draw = pick;
    },

    async status(memberId: string) {
      const [consentState, badge, template, openReview, used] = await Promise.all([
        consent.consents({ type: 'member', id: memberId }).then((all) => all[FACE_PURPOSE]),
        db.selectFrom('face_badges').select(['verified_at', 'method']).where('member_id', '=', memberId).executeTakeFirst(),
        db.selectFrom('face_templates').select('id').where('member_id', '=', memberId).executeTakeFirst(),
        db.selectFrom('face_reviews').select('id').where('member_id', '=', memberId).where('status', '=', 'open').executeTakeFirst(),
        attemptsToday(memberId),
      ]);
      return {
        consent: consentState.granted,
        verified: badge !== undefined,
        verifiedAt: badge?.verified_at ?? null,
        method: badge?.method ?? null,
        hasTemplate: template !== undefined,
        inReview: openReview !== undefined,
        attemptsLeft: Math.max(0, ATTEMPTS_PER_DAY - used),
        lastCheck: consentState.granted && consentState.at ? await lastCheck(memberId, consentState.at) : null,
      };
    },

    /** The member's explicit answer on the face consent screen (grant) or a withdrawal there. */
    async setConsent(memberId: string, granted: boolean, context: { language: Language; ip?: string; userAgent?: string }): Promise<void> {
      const subject = { type: 'member' as const, id: memberId };
      await db.transaction().execute(async (trx) => {
        const current = (await consent.consents(subject, trx))[FACE_PURPOSE];
        if (current.at !== null && current.granted === granted) return;
        await consent.setConsent(trx, { subject, language: context.language, ip: context.ip, userAgent: context.userAgent }, FACE_PURPOSE, granted, { ownScreen: true });
      });
    },

    async startChallenge(memberId: string): Promise<{ id: string; challenge: FaceChallenge; expiresAt: Date; attemptsLeft: number }> {
      const now = clock();
      const id = crypto.randomUUID();
      const challenge = draw();
      const left = await db.transaction().execute(async (trx) => {
        // Serializes a member's attempts, so two tabs cannot both take the fifth.
        await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirst();
        if (!(await hasConsent(memberId, trx))) throw new AppError('bad_request', 403, 'no biometric consent', { messageKey: 'face.errors.consentRequired' });
        const used = await attemptsToday(memberId, trx);
        if (used >= ATTEMPTS_PER_DAY) throw new AppError('too_many_attempts', 429, 'face attempts used up', { messageKey: 'face.errors.dailyLimit', params: { count: ATTEMPTS_PER_DAY } });
        // A new challenge ends any one still open.
        await trx.updateTable('face_checks').set({ status: 'refused', reason: 'challenge_not_followed', completed_at: now }).where('member_id', '=', memberId).where('status', '=', 'open').execute();
        await trx.insertInto('face_checks').values({ id, member_id: memberId, challenge, status: 'open', reason: null, created_at: now, expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS), completed_at: null }).execute();
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'face.check_started', subjectType: 'member', subjectId: memberId, details: { checkId: id, challenge } }, { purpose: FACE_PURPOSE, at: now });
        return ATTEMPTS_PER_DAY - used - 1;
      });
      // While the member takes the frames, the engine analyses the profile photos they will be compared with.
      profileFaces.forget(memberId);
      profileFaces.prefetch(id, memberId);
      return { id, challenge, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS), attemptsLeft: left };
    },

    /**
     * Runs the check on 2–3 frames (bytes in memory). Answers the outcome; throws only for a
     * request that cannot be a check (no consent, unknown or expired challenge, wrong frame count).
     */
    async check(memberId: string, checkId: string, frames: Uint8Array[]): Promise<CheckOutcome> {
      const now = clock();
      const row = await db.selectFrom('face_checks').selectAll().where('id', '=', checkId).where('member_id', '=', memberId).executeTakeFirst();
      if (!row || row.status !== 'open') throw new AppError('challenge_invalid', 400, 'no open face challenge', { messageKey: 'face.errors.challengeInvalid' });
      if (!(await hasConsent(memberId))) throw new AppError('bad_request', 403, 'no biometric consent', { messageKey: 'face.errors.consentRequired' });
      if (row.expires_at <= now) {
        await finish(memberId, checkId, { status: 'refused', reason: 'challenge_not_followed' });
        throw new AppError('challenge_invalid', 410, 'face challenge expired', { messageKey: 'face.errors.challengeExpired' });
      }
      if (frames.length < MIN_FRAMES || frames.length > MAX_FRAMES) {
        throw new AppError('validation_failed', 400, 'wrong number of frames', { fields: [{ field: 'frames', code: 'invalid', messageKey: 'face.errors.frameCount', params: { min: MIN_FRAMES, max: MAX_FRAMES } }] });
      }

      const refuse = async (reason: RefusalReason): Promise<CheckOutcome> => {
        const outcome = { status: 'refused' as const, reason };
        await finish(memberId, checkId, outcome);
        return outcome;
      };

      // Frames one after the other on the pool (a member's check never takes two workers).
      const faces: FaceObservation[] = [];
      for (const frame of frames) {
        const verdict = judgeFrame(await engine.analyse(frame), T);
        if (!verdict.ok) return refuse(verdict.reason);
        faces.push(verdict.face);
      }
      const real = mean(faces.map((f) => f.real));
      const live = mean(faces.map((f) => f.live));
      if (real < T.minReal || live < T.minLive) return refuse('spoof_suspected');
      for (let i = 1; i < faces.length; i++) {
        if (cosineSimilarity(faces[0]!.embedding, faces[i]!.embedding) < T.sameFrames) return refuse('frames_differ');
      }
      if (!challengeFollowed(row.challenge, faces, T)) return refuse('challenge_not_followed');

      const profile = await profileFaces.take(checkId, memberId);
      if (profile.length === 0) return refuse('no_profile_face');
      const probe = averageEmbedding(faces);
      const similarity = Math.max(...profile.map((p) => cosineSimilarity(probe, p)));
      const passiveDoubt = live < T.liveReview;
      logger.info({ checkId, similarity: Math.round(similarity * 1000) / 1000, passiveDoubt }, 'face check scored');

      if (similarity >= T.match && !passiveDoubt) {
        const templateId = crypto.randomUUID();
        const sealed = sealTemplate(templateId, probe, 'face_templates');
        await finish(memberId, checkId, { status: 'verified' }, async (trx) => {
          await stillConsented(trx, memberId);
          await trx.deleteFrom('face_templates').where('member_id', '=', memberId).execute();
          await trx.insertInto('face_templates').values({ id: templateId, member_id: memberId, data_key: sealed.data_key, embedding: sealed.embedding, model: FACE_MODEL, created_at: now }).execute();
          await trx
            .insertInto('face_badges')
            .values({ member_id: memberId, check_id: checkId, method: 'automatic', verified_at: now })
            .onConflict((oc) => oc.column('member_id').doUpdateSet({ check_id: checkId, method: 'automatic', verified_at: now }))
            .execute();
        });
        return { status: 'verified' };
      }
      if (similarity >= T.review) {
        // Borderline: a reviewer decides. What the reviewer sees is a copy of each frame re-encoded from
        // its pixels (≤ 1080 px, no EXIF/GPS or other metadata, P4.6), written encrypted under the case's
        // own key; the uploaded bytes themselves are never stored.
        const copies: Buffer[] = [];
        for (const processed of await Promise.all(frames.map((frame) => processProfilePhoto(frame, { minSide: 1, thumbnails: false })))) {
          if (!processed.ok) return refuse('bad_image');
          copies.push(processed.image.bytes);
        }
        const reviewId = crypto.randomUUID();
        const sealed = sealTemplate(reviewId, probe, 'face_reviews');
        const dir = faceDir(memberId);
        const files = copies.map((_, n) => path.join(dir, `review-${reviewId}-${n}.bin`));
        try {
          await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
          await Promise.all(
            copies.map((copy, n) => fs.promises.writeFile(files[n]!, seal(sealed.key, copy, `face_reviews.frame|${reviewId}|${n}`), { mode: 0o600 })),
          );
        } catch (error) {
          await Promise.all(files.map((file) => fs.promises.rm(file, { force: true })));
          throw error;
        }
        const scores = keyring.encrypt(JSON.stringify({ similarity, real, live, yaw: faces.map((f) => f.yaw), happy: faces.map((f) => f.emotion.happy ?? 0) }), 'face_reviews.scores');
        try {
          await finish(memberId, checkId, { status: 'review' }, async (trx) => {
            await stillConsented(trx, memberId);
            await trx
              .insertInto('face_reviews')
              .values({ id: reviewId, check_id: checkId, member_id: memberId, status: 'open', data_key: sealed.data_key, embedding: sealed.embedding, scores, frames: frames.length, created_at: now, decided_at: null, decided_by: null })
              .execute();
          });
        } catch (error) {
          await Promise.all(files.map((file) => fs.promises.rm(file, { force: true })));
          throw error;
        }
        return { status: 'review' };
      }
      return refuse('no_match');
    },

    /** Open review cases, oldest first (ids and times only; the scores and frames are read one case at a time), with how long each has waited. */
    async openReviews() {
      const now = clock().getTime();
      const rows = await db.selectFrom('face_reviews').select(['id', 'check_id', 'frames', 'created_at']).where('status', '=', 'open').orderBy('created_at').limit(50).execute();
      return rows.map((r) => ({ ...r, waitedSeconds: Math.max(0, Math.floor((now - r.created_at.getTime()) / 1000)) }));
    },

    /** One open case for a reviewer: its scores (decrypted). Audited by the caller with `auditStaffRead`. */
    async review(reviewId: string) {
      const row = await db.selectFrom('face_reviews').selectAll().where('id', '=', reviewId).executeTakeFirst();
      if (!row || row.status !== 'open') throw new AppError('not_found', 404, 'no open face review');
      const scores = JSON.parse(keyring.decrypt(row.scores, 'face_reviews.scores')) as { similarity: number; real: number; live: number; yaw: number[]; happy: number[] };
      const check = await db.selectFrom('face_checks').select('challenge').where('id', '=', row.check_id).executeTakeFirstOrThrow();
      const photos = await profilePhotoFiles(row.member_id);
      return { id: row.id, memberId: row.member_id, checkId: row.check_id, challenge: check.challenge, frames: row.frames, profilePhotos: photos.length, createdAt: row.created_at, scores };
    },

    /**
     * One of the member's profile photos (the ones the check compared against), for the reviewer to
     * compare with the frames; only while the case is open. Audited by the caller with `auditStaffRead`.
     */
    async reviewProfilePhoto(reviewId: string, n: number): Promise<{ memberId: string; bytes: Buffer }> {
      const row = await db.selectFrom('face_reviews').select(['member_id', 'status']).where('id', '=', reviewId).executeTakeFirst();
      if (!row || row.status !== 'open') throw new AppError('not_found', 404, 'no open face review');
      const file = (await profilePhotoFiles(row.member_id))[n];
      if (!file) throw new AppError('not_found', 404, 'no such profile photo');
      return { memberId: row.member_id, bytes: fs.readFileSync(file) };
    },

    /** One frame of an open case, decrypted; refused once the case is closed (the key is gone). */
    async reviewFrame(reviewId: string, n: number): Promise<{ memberId: string; bytes: Buffer }> {
      const row = await db.selectFrom('face_reviews').select(['member_id', 'status', 'data_key', 'frames']).where('id', '=', reviewId).executeTakeFirst();
      if (!row || row.status !== 'open' || !row.data_key || n < 0 || n >= row.frames) throw new AppError('not_found', 404, 'no such frame in an open case');
      const key = Buffer.from(keyring.decrypt(row.data_key, 'face_reviews.data_key'), 'base64');
      const file = path.join(faceDir(row.member_id), `review-${reviewId}-${n}.bin`);
      if (!fs.existsSync(file)) throw new AppError('not_found', 404, 'frame file gone');
      return { memberId: row.member_id, bytes: open(key, fs.readFileSync(file), `face_reviews.frame|${reviewId}|${n}`) };
    },

    /**
     * A reviewer's decision: approve (template + badge) or reject with one of REVIEW_REJECT_REASONS (the
     * member's attempt is refused with that reason); either way the frames and key are deleted.
     */
    async decide(reviewId: string, staffId: string, decision: 'approved' | 'rejected', reason: ReviewRejectReason | null = null): Promise<void> {
      if ((decision === 'rejected') !== (reason !== null)) throw new Error('a rejection needs a reason, an approval takes none');
      const now = clock();
      const memberId = await db.transaction().execute(async (trx) => {
        // Member row first, then the case (the order a withdrawal's purge takes).
        const owner = await trx.selectFrom('face_reviews').select('member_id').where('id', '=', reviewId).executeTakeFirst();
        if (!owner) throw new AppError('not_found', 404, 'no open face review');
        await lockMember(trx, owner.member_id);
        const row = await trx.selectFrom('face_reviews').selectAll().where('id', '=', reviewId).forUpdate().executeTakeFirst();
        if (!row || row.status !== 'open' || !row.data_key || !row.embedding) throw new AppError('not_found', 404, 'no open face review');
        if (decision === 'approved') {
          if (!(await hasConsent(row.member_id, trx))) throw new AppError('not_found', 404, 'consent withdrawn meanwhile');
          const embedding = openTemplate(reviewId, { data_key: row.data_key, embedding: row.embedding }, 'face_reviews');
          const templateId = crypto.randomUUID();
          const sealed = sealTemplate(templateId, embedding, 'face_templates');
          await trx.deleteFrom('face_templates').where('member_id', '=', row.member_id).execute();
          await trx.insertInto('face_templates').values({ id: templateId, member_id: row.member_id, data_key: sealed.data_key, embedding: sealed.embedding, model: FACE_MODEL, created_at: now }).execute();
          await trx
            .insertInto('face_badges')
            .values({ member_id: row.member_id, check_id: row.check_id, method: 'review', verified_at: now })
            .onConflict((oc) => oc.column('member_id').doUpdateSet({ check_id: row.check_id, method: 'review', verified_at: now }))
            .execute();
        }
        await trx.updateTable('face_reviews').set({ status: decision, data_key: null, embedding: null, decided_at: now, decided_by: staffId }).where('id', '=', reviewId).execute();
        await trx.updateTable('face_checks').set({ status: decision === 'approved' ? 'verified' : 'refused', reason }).where('id', '=', row.check_id).execute();
        await appendAudit(trx, { type: 'staff', id: staffId }, { action: 'face.review_decided', subjectType: 'member', subjectId: row.member_id, details: { reviewId, checkId: row.check_id, decision, reason } }, { purpose: FACE_PURPOSE, at: now });
        return row.member_id;
      });
      const dir = faceDir(memberId);
      if (fs.existsSync(dir)) for (const name of fs.readdirSync(dir)) if (name.startsWith(`review-${reviewId}-`)) fs.rmSync(path.join(dir, name), { force: true });
    },

    /** The member's template, decrypted (for tests and a future re-check); undefined when none. */
    async template(memberId: string): Promise<Float32Array | undefined> {
      const row = await db.selectFrom('face_templates').selectAll().where('member_id', '=', memberId).executeTakeFirst();
      return row ? openTemplate(row.id, row, 'face_templates') : undefined;
    },
  };
}
export type FaceService = ReturnType<typeof makeFaceService>;
