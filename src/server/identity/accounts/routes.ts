import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { AccountsService, SignUpForm } from './service.js';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_FIELDS = 20;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

const signUpResponse = Type.Object({
  id: Type.String(),
  status: Type.String(),
  verification: Type.Object({ emailSent: Type.Boolean(), smsSent: Type.Boolean() }),
});
const memberParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }) });

export const accountsRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountsService }> = async (app, { accounts }) => {
  // Multipart only here: one file (the profile photo), ≤ 10 MiB, ≤ 20 fields.
  await app.register(fastifyMultipart, {
    limits: { files: 1, fileSize: MAX_PHOTO_BYTES, fields: MAX_FIELDS, fieldSize: 64 * 1024, parts: MAX_FIELDS + 1 },
    throwFileSizeLimit: true,
  });

  app.post(
    '/api/accounts',
    {
      bodyLimit: MAX_PHOTO_BYTES + 1024 * 1024,
      schema: {
        summary: 'Sign up (multipart/form-data with one profile photo)',
        description:
          'Fields: username, nickname, gender, email, phone, nik, dateOfBirth, password, language, acceptPolicy=true, and one file `photo`; ' +
          'under 18 (Jakarta date) also guardianEmail and guardianPhone, the parent or guardian who is asked to consent. ' +
          'Every field problem is reported at once. Email, phone or NIK already registered → 409 signup_refused (which one is never said). ' +
          'Send an Idempotency-Key header: a retry with the same key returns the same account.',
        tags: ['accounts'],
        consumes: ['multipart/form-data'],
        // No `headers` schema here: Ajv's removeAdditional would strip content-type, which the lazy
        // multipart parser still needs. The Idempotency-Key is checked by hand below instead.
        response: { 201: signUpResponse, 200: signUpResponse, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 5, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'sign-up must be multipart/form-data');
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw new AppError('validation_failed', 400, 'bad idempotency key', { fields: [{ field: 'idempotency-key', code: 'invalid' }] });
      }
      const form: SignUpForm = { fields: {} };
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.fieldname === 'photo' && !form.photo) form.photo = { bytes };
        } else if (typeof part.value === 'string' && !(part.fieldname in form.fields)) {
          form.fields[part.fieldname] = part.value;
        }
      }
      const { result, created } = await accounts.signUp(form, {
        language: request.language,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        idempotencyKey: key,
      });
      return reply.code(created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/api/accounts/:id/status',
    {
      schema: {
        summary: 'Sign-up progress: account status, email and phone verified, guardian decision (for the verify page after a reload)',
        tags: ['accounts'],
        params: memberParams,
        response: {
          200: Type.Object({
            status: Type.String(),
            emailVerified: Type.Boolean(),
            phoneVerified: Type.Boolean(),
            guardian: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('consented'), Type.Literal('refused'), Type.Literal('withdrawn')]),
          }),
          '4xx': problemSchema,
        },
      },
      config: { rateLimit: { max: 120, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return accounts.status(request.params.id);
    },
  );

  app.post(
    '/api/accounts/:id/verify-phone',
    {
      schema: {
        summary: 'Verify the mobile number with the 6-digit SMS code',
        tags: ['accounts'],
        params: memberParams,
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 12 }) }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      await accounts.verifyPhone(request.params.id, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/accounts/:id/resend-sms',
    {
      schema: {
        summary: 'Send a new SMS code (at most once per 60 seconds)',
        tags: ['accounts'],
        params: memberParams,
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      await accounts.resendSms(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/accounts/verify-email',
    {
      schema: {
        summary: 'Verify the email address with the token from the emailed link (single use)',
        tags: ['accounts'],
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 204: Type.Null(), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      await accounts.verifyEmail(request.body.token);
      return reply.code(204).send(null);
    },
  );
};
