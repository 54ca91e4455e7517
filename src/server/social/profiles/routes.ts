import fs from 'node:fs';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { distanceBandSchema, INTEREST_CODES, memberProfileView, ownProfile, discoveryPage, profileUpdateRequest, visibilitySchema, type Visibility } from '../../../common/social/profile.js';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { DEFAULT_PHOTO_LIMITS } from '../../platform/media/image.js';
import type { Discovery } from './discovery.js';
import type { ProfileService } from './service.js';

const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const usernameParam = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.]+$' });
const locationSchema = Type.Object({ source: Type.Union([Type.Literal('precise'), Type.Literal('city'), Type.Null()]), restricted: Type.Boolean() });

/**
 * Profiles and discovery over HTTP. Every response goes through a schema chosen by who is looking:
 * `ownProfile` for the member themself, `memberProfileView` for anyone else (no gender, NIK,
 * settings or coordinates exist in it), so a field the viewer may not see cannot be serialized.
 */
export const profileRoutes: FastifyPluginAsyncTypebox<{ profiles: ProfileService; discovery: Discovery; sessions: SessionService }> = async (app, { profiles, discovery, sessions }) => {
  const memberOf = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;
  await app.register(fastifyMultipart, {
    limits: { files: 1, fileSize: DEFAULT_PHOTO_LIMITS.maxBytes, fields: 4, fieldSize: 1024, parts: 5 },
    throwFileSizeLimit: true,
  });

  app.get(
    '/api/me/profile',
    { schema: { summary: 'My profile: every field with its visibility, my photos, settings', tags: ['profiles'], response: { 200: ownProfile, '4xx': problemSchema } } },
    async (request, reply) => {
      const memberId = await memberOf(request);
      await profiles.touch(memberId);
      reply.header('cache-control', 'no-store');
      return profiles.ownProfile(memberId);
    },
  );

  app.put(
    '/api/me/profile',
    {
      schema: { summary: 'Save my profile (all fields with their visibility)', tags: ['profiles'], body: profileUpdateRequest, response: { 200: ownProfile, '4xx': problemSchema } },
      config: { rateLimit: { max: 60, timeWindow: '10 minutes' } },
    },
    async (request) => profiles.update(await memberOf(request), request.body),
  );

  app.get(
    '/api/me/profile/preview',
    {
      schema: {
        summary: 'My profile as a stranger or as a connection sees it',
        tags: ['profiles'],
        querystring: Type.Object({ as: Type.Union([Type.Literal('stranger'), Type.Literal('connection')]) }),
        response: { 200: memberProfileView, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return profiles.preview(await memberOf(request), request.query.as);
    },
  );

  app.put(
    '/api/me/profile/ranking',
    {
      schema: {
        summary: 'Object to personalized ranking (UU PDP Art. 10): plain ordering by recent activity in discovery',
        tags: ['profiles'],
        body: Type.Object({ plain: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ plainRanking: Type.Boolean() }), '4xx': problemSchema },
      },
    },
    async (request) => profiles.setPlainRanking(await memberOf(request), request.body.plain),
  );

  app.put(
    '/api/me/profile/location',
    {
      schema: {
        summary: "Share this device's precise location (with the browser's permission): stored encrypted, only its H3 cell is used",
        tags: ['profiles'],
        body: Type.Object({ latitude: Type.Number({ minimum: -90, maximum: 90 }), longitude: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
        response: { 200: locationSchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 hour' } },
    },
    async (request) => profiles.setPreciseLocation(await memberOf(request), request.body.latitude, request.body.longitude),
  );

  app.delete(
    '/api/me/profile/location',
    { schema: { summary: 'Forget my precise location (my city stands in)', tags: ['profiles'], response: { 200: locationSchema, '4xx': problemSchema } } },
    async (request) => profiles.clearPreciseLocation(await memberOf(request)),
  );

  app.post(
    '/api/me/profile/photos',
    {
      bodyLimit: DEFAULT_PHOTO_LIMITS.maxBytes + 64 * 1024,
      schema: {
        summary: 'Add a profile photo (multipart: file `photo`, field `visibility`); re-encoded without metadata; at most 6',
        tags: ['profiles'],
        consumes: ['multipart/form-data'],
        response: { 201: ownProfile, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'photo upload must be multipart/form-data');
      const memberId = await memberOf(request);
      let bytes: Buffer | undefined;
      let visibility: Visibility = 'connections';
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.fieldname === 'photo' && !bytes) bytes = data;
        } else if (part.fieldname === 'visibility' && typeof part.value === 'string') {
          if (!['everyone', 'connections', 'only_me'].includes(part.value)) throw new AppError('validation_failed', 400, 'bad visibility', { fields: [{ field: 'visibility', code: 'choice' }] });
          visibility = part.value as Visibility;
        }
      }
      if (!bytes || bytes.length === 0) throw new AppError('validation_failed', 400, 'no photo', { fields: [{ field: 'photo', code: 'required' }] });
      return reply.code(201).send(await profiles.addPhoto(memberId, bytes, visibility));
    },
  );

  app.delete(
    '/api/me/profile/photos/:id',
    { schema: { summary: 'Remove one of my photos (files deleted)', tags: ['profiles'], params: Type.Object({ id: uuid }), response: { 200: ownProfile, '4xx': problemSchema } } },
    async (request) => profiles.removePhoto(await memberOf(request), request.params.id),
  );

  app.put(
    '/api/me/profile/photos/:id',
    {
      schema: {
        summary: 'Change who may see one of my photos',
        tags: ['profiles'],
        params: Type.Object({ id: uuid }),
        body: Type.Object({ visibility: visibilitySchema }, { additionalProperties: false }),
        response: { 200: ownProfile, '4xx': problemSchema },
      },
    },
    async (request) => profiles.setPhotoVisibility(await memberOf(request), request.params.id, request.body.visibility),
  );

  app.put(
    '/api/me/profile/photos',
    {
      schema: {
        summary: 'Reorder my photos (every photo id once; the first is shown on cards)',
        tags: ['profiles'],
        body: Type.Object({ ids: Type.Array(uuid, { maxItems: 6 }) }, { additionalProperties: false }),
        response: { 200: ownProfile, '4xx': problemSchema },
      },
    },
    async (request) => profiles.reorderPhotos(await memberOf(request), request.body.ids),
  );

  app.get(
    '/api/members/:username',
    {
      schema: {
        summary: "A member's profile as I may see it (stranger, connection or myself); 404 when blocked either way, in the other age group or inactive",
        tags: ['profiles'],
        params: Type.Object({ username: usernameParam }),
        response: { 200: memberProfileView, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return profiles.viewMember(await memberOf(request), request.params.username);
    },
  );

  app.get(
    '/api/members/:username/photos/:id',
    {
      schema: {
        summary: "One of a member's photos, if its visibility allows me (never a static file)",
        tags: ['profiles'],
        params: Type.Object({ username: usernameParam, id: uuid }),
        querystring: Type.Object({ size: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('320'), Type.Literal('96')])) }),
        response: { '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const file = await profiles.photoFile(await memberOf(request), request.params.username, request.params.id, request.query.size ?? '320');
      let stream: fs.ReadStream;
      try {
        await fs.promises.access(file);
        stream = fs.createReadStream(file);
      } catch {
        throw new AppError('not_found', 404, 'photo file missing');
      }
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(stream as never); // a stream is not serialized
    },
  );

  app.get(
    '/api/discover',
    {
      schema: {
        summary: 'Discovery: members I might want to meet (filters; personalized or plain ordering; 20 per page)',
        tags: ['profiles'],
        querystring: Type.Object(
          {
            minAge: Type.Optional(Type.String({ pattern: '^(1[3-9]|[2-9][0-9]|1[01][0-9]|120)$' })),
            maxAge: Type.Optional(Type.String({ pattern: '^(1[3-9]|[2-9][0-9]|1[01][0-9]|120)$' })),
            gender: Type.Optional(Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('nonbinary')])),
            interests: Type.Optional(Type.String({ maxLength: 400, pattern: `^(${INTEREST_CODES.join('|')})(,(${INTEREST_CODES.join('|')}))*$` })),
            within: Type.Optional(distanceBandSchema),
            language: Type.Optional(Type.String({ maxLength: 8, pattern: '^[a-z]{2,3}$' })),
            // Query strings are not coerced (Ajv coerceTypes: false): numbers arrive as digits.
            offset: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,2}|1000)$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: discoveryPage, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const q = request.query;
      reply.header('cache-control', 'no-store');
      return discovery.page(
        await memberOf(request),
        {
          ...(q.minAge !== undefined ? { minAge: Number(q.minAge) } : {}),
          ...(q.maxAge !== undefined ? { maxAge: Number(q.maxAge) } : {}),
          ...(q.gender ? { gender: q.gender } : {}),
          ...(q.interests ? { interests: q.interests.split(',') } : {}),
          ...(q.within ? { within: q.within } : {}),
          ...(q.language ? { language: q.language } : {}),
        },
        Number(q.offset ?? 0),
      );
    },
  );

  app.get(
    '/api/profiles/catalogue',
    {
      schema: {
        summary: 'The interest catalogue, languages and cities for the profile form',
        tags: ['profiles'],
        response: { 200: Type.Object({ cities: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), province: Type.String() })) }) },
      },
    },
    async () => ({ cities: profiles.cities() }),
  );
};
