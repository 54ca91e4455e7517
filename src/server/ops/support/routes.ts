import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { supportTicketRequest, supportTicketResponse } from '../../../common/schemas/support.js';
import { problemSchema } from '../../platform/http/schemas.js';
import type { SupportService } from './service.js';

export const supportRoutes: FastifyPluginAsyncTypebox<{ support: SupportService }> = async (app, { support }) => {
  app.post(
    '/api/support/tickets',
    {
      schema: {
        summary: 'File a support ticket (the public contact form)',
        description:
          'Stores the request as a ticket with a number, emails a confirmation, and starts the 14-day answer clock. ' +
          'Send an Idempotency-Key header: a retry with the same key returns the same ticket.',
        tags: ['support'],
        // additionalProperties: the app's Ajv removes unknown properties, which must not strip other headers.
        headers: Type.Object(
          { 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' })) },
          { additionalProperties: true },
        ),
        body: supportTicketRequest,
        response: { 201: supportTicketResponse, 200: supportTicketResponse, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 5, timeWindow: '10 minutes' } },
    },
    async (request, reply) => {
      const { ticket, created } = await support.fileTicket(request.body, {
        language: request.language,
        idempotencyKey: request.headers['idempotency-key'],
      });
      return reply.code(created ? 201 : 200).send(ticket);
    },
  );
};
