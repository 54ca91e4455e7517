import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { auditStaffRead, requireStaff } from '../../ops/staff/guard.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { t } from '../../platform/i18n/i18n.js';
import { sniffImageType } from '../../platform/media/image.js';
import { verifiedMembers } from './badge.js';
import { FACE_LIMITS } from './engine.js';
import { MAX_FRAMES, REVIEW_REJECT_REASONS, type FaceService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const date = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const statusSchema = Type.Object({
  consent: Type.Boolean(),
  verified: Type.Boolean(),
  verifiedAt: date,
  method: Type.Union([Type.Literal('automatic'), Type.Literal('review'), Type.Null()]),
  hasTemplate: Type.Boolean(),
  inReview: Type.Boolean(),
  attemptsLeft: Type.Integer(),
  /**
   * The latest finished check under the consent in force (null: none yet): verified, in review, or
   * refused with the reason code (the same codes as a check's answer) and `reasonMessage` in the
   * member's language; who decided (the automatic check or a face reviewer) and when.
   */
  lastCheck: Type.Union([
    Type.Object({
      status: Type.Union([Type.Literal('verified'), Type.Literal('review'), Type.Literal('refused')]),
      reason: Type.Union([Type.String(), Type.Null()]),
      reasonMessage: Type.Union([Type.String(), Type.Null()]),
      decidedBy: Type.Union([Type.Literal('automatic'), Type.Literal('reviewer')]),
      at: date,
    }),
    Type.Null(),
  ]),
});

const checkResult = Type.Object({
  status: Type.Union([Type.Literal('verified'), Type.Literal('review'), Type.Literal('refused')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** In the member's language. */
  message: Type.String(),
});

/** A decrypted review image, never cached or stored by the browser beyond the page. */
function sendImage(reply: FastifyReply, bytes: Buffer) {
  const type = sniffImageType(bytes);
  return reply
    .type(type === 'png' ? 'image/png' : type === 'webp' ? 'image/webp' : 'image/jpeg')
    .header('cache-control', 'no-store, private')
    .header('content-disposition', 'inline')
    .send(bytes as never); // a Buffer is sent as is (no serializer), the 4xx schema still applies
}

/**
 * Face verification (P1.5): the member's consent, challenge and check; the badge lookup other
 * members' pages use; and the face reviewers' queue (staff role `face_reviewer`, every read audited).
 */
export const faceRoutes: FastifyPluginAsyncTypebox<{ face: FaceService; sessions: SessionService; db: Kysely<Database> }> = async (app, { face, sessions, db }) => {
  const memberOf = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;
  const reviewer = requireStaff({ sessions, db }, 'face_reviewer');

  // Multipart only here: the check's 2–3 frames (each ≤ 10 MiB) and the challenge id.
  await app.register(fastifyMultipart, {
    limits: { files: MAX_FRAMES, fileSize: FACE_LIMITS.maxBytes, fields: 2, fieldSize: 256, parts: MAX_FRAMES + 2 },
    throwFileSizeLimit: true,
  });

  const status = async (memberId: string, language: FastifyRequest['language']) => {
    const s = await face.status(memberId);
    const last = s.lastCheck;
    return {
      ...s,
      verifiedAt: s.verifiedAt?.toISOString() ?? null,
      lastCheck: last && { ...last, reasonMessage: last.reason ? t(language, `face.reasons.${last.reason}`) : null, at: last.at?.toISOString() ?? null },
    };
  };

  app.get(
    '/api/me/face',
    { schema: { summary: 'My face verification: consent, badge, template stored, case in review, attempts left today, and my last check\'s outcome (with the refusal reason)', tags: ['face'], response: { 200: statusSchema, '4xx': problemSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return status(await memberOf(request), request.language);
    },
  );

  app.put(
    '/api/me/face/consent',
    {
      schema: {
        summary: 'Give (from the face consent screen) or withdraw my biometric consent. Withdrawal deletes my face template, badge and open review at once.',
        tags: ['face'],
        body: Type.Object({ granted: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: statusSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request) => {
      const memberId = await memberOf(request);
      await face.setConsent(memberId, request.body.granted, { language: request.language, ip: request.ip, userAgent: request.headers['user-agent'] });
      return status(memberId, request.language);
    },
  );

  app.post(
    '/api/me/face/challenge',
    {
      schema: {
        summary: 'Start a face check: a random movement to make in the frames (turn head left/right, or smile), valid 2 minutes. At most 5 a day.',
        tags: ['face'],
        response: {
          201: Type.Object({ id: Type.String(), challenge: Type.String(), expiresAt: Type.String({ format: 'date-time' }), attemptsLeft: Type.Integer(), instruction: Type.String() }),
          '4xx': problemSchema,
        },
      },
      config: { rateLimit: { max: 20, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const c = await face.startChallenge(await memberOf(request));
      return reply.code(201).send({ id: c.id, challenge: c.challenge, expiresAt: c.expiresAt.toISOString(), attemptsLeft: c.attemptsLeft, instruction: t(request.language, `face.challenge.${c.challenge}`) });
    },
  );

  app.post(
    '/api/me/face/checks',
    {
      bodyLimit: MAX_FRAMES * FACE_LIMITS.maxBytes + 64 * 1024,
      schema: {
        summary: 'Submit the frames of a face check (multipart: field `checkId`, 2–3 files `frames`, first one looking straight, then the movement asked)',
        description: 'Answers verified, review (a staff reviewer decides) or refused with the reason (no_face, several_faces, face_too_small, too_dark, too_bright, spoof_suspected, frames_differ, challenge_not_followed, no_profile_face, no_match, bad_image). The frames are never stored, except encrypted while a review case is open.',
        tags: ['face'],
        consumes: ['multipart/form-data'],
        response: { 200: checkResult, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '1 hour' } },
    },
    async (request) => {
      const memberId = await memberOf(request);
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'face check must be multipart/form-data');
      let checkId: string | undefined;
      const frames: Uint8Array[] = [];
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.fieldname === 'frames') frames.push(bytes);
        } else if (part.fieldname === 'checkId' && typeof part.value === 'string') checkId = part.value;
      }
      if (!checkId || !/^[0-9a-fA-F-]{36}$/.test(checkId)) throw new AppError('challenge_invalid', 400, 'no check id', { messageKey: 'face.errors.challengeInvalid' });
      // A file that is not an image at all is a request error (nothing analysed, nothing stored).
      for (const frame of frames) {
        if (!sniffImageType(frame)) throw new AppError('unsupported_media_type', 415, 'frame is not an image', { messageKey: 'face.errors.notImage' });
      }
      const outcome = await face.check(memberId, checkId, frames);
      const reason = outcome.status === 'refused' ? outcome.reason : null;
      return { status: outcome.status, reason, message: t(request.language, reason ? `face.reasons.${reason}` : `face.outcome.${outcome.status}`) };
    },
  );

  app.get(
    '/api/face/badges',
    {
      schema: {
        summary: 'Which of these members (ids, comma-separated, at most 100) have the "verified" face badge',
        tags: ['face'],
        querystring: Type.Object({ ids: Type.String({ maxLength: 3800 }) }),
        response: { 200: Type.Object({ verified: Type.Array(Type.String()) }), '4xx': problemSchema },
      },
    },
    async (request) => {
      await memberOf(request);
      const ids = request.query.ids.split(',').filter((id) => /^[0-9a-fA-F-]{36}$/.test(id)).slice(0, 100);
      return { verified: [...(await verifiedMembers(db, ids))] };
    },
  );

  // Staff review queue (face_reviewer). Listing shows no personal data; opening a case or a frame is audited.
  app.get(
    '/api/staff/face-reviews',
    {
      schema: {
        summary: 'Open face review cases, oldest first, with how long each has waited (staff: face_reviewer)',
        tags: ['staff'],
        response: {
          200: Type.Object({ cases: Type.Array(Type.Object({ id: Type.String(), frames: Type.Integer(), createdAt: Type.String({ format: 'date-time' }), waitedSeconds: Type.Integer({ minimum: 0 }) })) }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      await reviewer(request);
      reply.header('cache-control', 'no-store');
      return { cases: (await face.openReviews()).map((c) => ({ id: c.id, frames: c.frames, createdAt: c.created_at.toISOString(), waitedSeconds: c.waitedSeconds })) };
    },
  );

  app.get(
    '/api/staff/face-reviews/:id',
    {
      schema: {
        summary: 'One open face review case: challenge, scores, how many frames and profile photos there are, and the reasons a rejection can give (audited read)',
        tags: ['staff'],
        params: Type.Object({ id: uuid }),
        response: {
          200: Type.Object({
            id: Type.String(),
            memberId: Type.String(),
            challenge: Type.String(),
            frames: Type.Integer(),
            profilePhotos: Type.Integer(),
            createdAt: Type.String({ format: 'date-time' }),
            rejectReasons: Type.Array(Type.String()),
            /** The similarity at or above which a check is verified automatically, and below which it is refused. */
            thresholds: Type.Object({ match: Type.Number(), review: Type.Number() }),
            scores: Type.Object({ similarity: Type.Number(), real: Type.Number(), live: Type.Number(), yaw: Type.Array(Type.Number()), happy: Type.Array(Type.Number()) }),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const staff = await reviewer(request);
      const c = await face.review(request.params.id);
      await auditStaffRead(db, { staffId: staff.staffId, role: staff.role, memberId: c.memberId, purpose: 'biometric_verification', what: 'face_review_scores' });
      reply.header('cache-control', 'no-store');
      return { id: c.id, memberId: c.memberId, challenge: c.challenge, frames: c.frames, profilePhotos: c.profilePhotos, createdAt: c.createdAt.toISOString(), rejectReasons: [...REVIEW_REJECT_REASONS], thresholds: { match: face.thresholds.match, review: face.thresholds.review }, scores: c.scores };
    },
  );

  app.get(
    '/api/staff/face-reviews/:id/frames/:n',
    {
      schema: {
        summary: 'One selfie frame of an open case (only while it is open; audited read)',
        tags: ['staff'],
        params: Type.Object({ id: uuid, n: Type.String({ pattern: '^[0-9]$' }) }),
        response: { '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const staff = await reviewer(request);
      const frame = await face.reviewFrame(request.params.id, Number(request.params.n));
      await auditStaffRead(db, { staffId: staff.staffId, role: staff.role, memberId: frame.memberId, purpose: 'biometric_verification', what: 'face_review_frame' });
      return sendImage(reply, frame.bytes);
    },
  );

  app.get(
    '/api/staff/face-reviews/:id/profile-photos/:n',
    {
      schema: {
        summary: 'One of the profile photos the case was compared with, for the reviewer to compare (only while the case is open; audited read)',
        tags: ['staff'],
        params: Type.Object({ id: uuid, n: Type.String({ pattern: '^[0-5]$' }) }),
        response: { '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const staff = await reviewer(request);
      const photo = await face.reviewProfilePhoto(request.params.id, Number(request.params.n));
      await auditStaffRead(db, { staffId: staff.staffId, role: staff.role, memberId: photo.memberId, purpose: 'biometric_verification', what: 'face_review_profile_photo' });
      return sendImage(reply, photo.bytes);
    },
  );

  app.post(
    '/api/staff/face-reviews/:id/decision',
    {
      schema: {
        summary: 'Approve (badge) or reject an open face review case; the frames and the case key are deleted either way',
        description: 'A rejection needs `reason` (one of the case\'s `rejectReasons`; the member\'s attempt is refused with it); an approval takes none.',
        tags: ['staff'],
        params: Type.Object({ id: uuid }),
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
            reason: Type.Optional(Type.Union(REVIEW_REJECT_REASONS.map((r) => Type.Literal(r)))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ status: Type.String() }), '4xx': problemSchema },
      },
    },
    async (request) => {
      const staff = await reviewer(request);
      const { decision, reason } = request.body;
      if (decision === 'rejected' && !reason) {
        throw new AppError('validation_failed', 400, 'a rejection needs a reason', { fields: [{ field: 'reason', code: 'required', messageKey: 'face.review.errors.reasonRequired' }] });
      }
      if (decision === 'approved' && reason) {
        throw new AppError('validation_failed', 400, 'an approval takes no reason', { fields: [{ field: 'reason', code: 'invalid', messageKey: 'face.review.errors.reasonWithApproval' }] });
      }
      await face.decide(request.params.id, staff.staffId, decision, reason ?? null);
      return { status: decision };
    },
  );
};
