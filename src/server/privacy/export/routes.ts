import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { ExportService } from './service.js';

const password = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
const uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const date = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const exportRoutes: FastifyPluginAsyncTypebox<{ exports: ExportService; sessions: SessionService }> = async (app, { exports, sessions }) => {
  const memberOf = async (request: FastifyRequest) => (await signedInMember(sessions, request)).memberId;

  app.post(
    '/api/me/exports',
    {
      schema: {
        summary: 'Ask for a copy of all my data (ZIP: JSON per category, photos, processing record, readable summary). Needs my password again.',
        tags: ['privacy'],
        body: password,
        response: { 202: Type.Object({ id: Type.String(), status: Type.String() }), '4xx': problemSchema },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const { id } = await exports.request(await memberOf(request), request.body.password, request.language);
      return reply.code(202).send({ id, status: 'queued' });
    },
  );

  app.get(
    '/api/me/exports',
    {
      schema: {
        summary: 'My data exports and their state',
        tags: ['privacy'],
        response: {
          200: Type.Object({
            exports: Type.Array(Type.Object({ id: Type.String(), status: Type.String(), createdAt: Type.String(), readyAt: date, expiresAt: date, bytes: Type.Union([Type.Integer(), Type.Null()]) })),
          }),
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const rows = await exports.list(await memberOf(request));
      reply.header('cache-control', 'no-store');
      return {
        exports: rows.map((r) => ({
          id: r.id,
          status: r.status === 'expired' || (r.expires_at && r.expires_at <= new Date()) ? 'expired' : r.status,
          createdAt: r.created_at.toISOString(),
          readyAt: r.ready_at?.toISOString() ?? null,
          expiresAt: r.expires_at?.toISOString() ?? null,
          bytes: r.bytes,
        })),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { password: string } }>(
    '/api/me/exports/:id/download',
    {
      schema: {
        summary: 'Download one of my exports (ZIP), with my password again',
        tags: ['privacy'],
        params: Type.Object({ id: uuid }),
        body: password,
        response: { '4xx': problemSchema },
      },
      config: { rateLimit: { max: 20, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const { stream, filename } = await exports.download(await memberOf(request), request.params.id, request.body.password);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
};
