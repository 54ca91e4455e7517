import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problemSchema } from '../../platform/http/schemas.js';
import type { NewsletterService } from './service.js';

/** The smallest transparent GIF: answered for every pixel request, recorded or not. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const token = Type.String({ minLength: 1, maxLength: 120 });

/** Unsubscribe (RFC 8058 one-click and the page's button), the open pixel, and tracked links. */
export const newsletterRoutes: FastifyPluginAsyncTypebox<{ newsletters: NewsletterService }> = async (app, { newsletters }) => {
  app.post(
    '/api/newsletter/unsubscribe/:token',
    {
      schema: {
        summary: 'Unsubscribe from marketing email (RFC 8058 one-click; no sign-in). Withdraws the marketing-email consent.',
        tags: ['privacy'],
        params: Type.Object({ token }),
        response: { 200: Type.Object({ unsubscribed: Type.Boolean() }), '4xx': problemSchema },
      },
      // Mail providers POST here from outside any browser session (RFC 8058): no CSRF token exists.
      // The unguessable single-use token in the address is what authorizes it.
      config: { csrf: false, rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request) => {
      await newsletters.unsubscribe(request.params.token, { ip: request.ip, userAgent: request.headers['user-agent'] });
      return { unsubscribed: true };
    },
  );

  app.get(
    '/t/o/:file',
    { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 130 }) }) }, logLevel: 'warn' },
    async (request, reply) => {
      const match = /^(.+)\.gif$/.exec(request.params.file);
      if (match) await newsletters.opened(match[1]!);
      return reply.type('image/gif').header('cache-control', 'no-store').send(PIXEL);
    },
  );

  app.get(
    '/t/c/:token/:index',
    { schema: { hide: true, params: Type.Object({ token, index: Type.String({ pattern: '^[0-9]{1,3}$' }) }) }, logLevel: 'warn' },
    async (request, reply) => {
      const target = await newsletters.clicked(request.params.token, Number(request.params.index));
      if (!target) return reply.redirect('/', 302);
      return reply.header('cache-control', 'no-store').redirect(target, 302);
    },
  );
};
