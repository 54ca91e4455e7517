import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Language } from '../../../common/i18n/index.js';
import { sendProblem } from '../../platform/http/problem.js';
import { translator } from '../../platform/i18n/i18n.js';
import { renderPolicyPage } from './render.js';
import type { PolicyService, PublishedVersion } from './service.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { policyChangeRoutes } from './change-routes.js';
import type { PolicyChangeService } from './reconsent.js';

const STYLESHEET = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'policy.css'), 'utf8');
const STYLESHEET_HREF = '/privacy.css';

const langQuery = Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])) });
const versionParam = Type.Object({ version: Type.String({ pattern: '^[0-9A-Za-z.-]{1,20}$' }) });

/**
 * The Privacy Policy: server-rendered HTML at /privacy (readable without JavaScript, linkable by
 * section, printable) and the same documents as JSON under /api/policy.
 */
export const policyRoutes: FastifyPluginAsync<{ policy: PolicyService; supportEmail: string; changes: PolicyChangeService; sessions: SessionService }> = async (
  app,
  { policy, supportEmail, changes, sessions },
) => {
  // A published version never changes, so its page is rendered once per language and version list.
  const rendered = new Map<string, string>();

  async function page(request: FastifyRequest, reply: FastifyReply, version: string | undefined) {
    const language = request.language;
    const versions = await policy.versions();
    const chosen = version ? versions.find((v) => v.version === version) : await policy.current();
    if (!chosen) return sendProblem(reply, request, 'not_found', 404);
    const cacheKey = `${chosen.version}|${language}|${versions.map((v) => v.version).join(',')}`;
    const html = rendered.get(cacheKey) ?? (await render(language, chosen, versions));
    if (!html) return sendProblem(reply, request, 'not_found', 404);
    rendered.set(cacheKey, html);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-language', language)
      .header('vary', 'accept-language')
      .header('cache-control', 'public, max-age=300')
      .send(html);
  }

  async function render(language: Language, chosen: PublishedVersion, versions: PublishedVersion[]): Promise<string | undefined> {
    const other: Language = language === 'id' ? 'en' : 'id';
    const [doc, otherDoc] = await Promise.all([policy.document(chosen.version, language), policy.document(chosen.version, other)]);
    if (!doc || !otherDoc) return undefined;
    return renderPolicyPage({
      language,
      version: chosen.version,
      effectiveAt: chosen.effectiveAt,
      sha256: doc.sha256,
      doc: doc.parsed,
      other: otherDoc.parsed,
      report: chosen.report,
      supportEmail,
      versions: versions.map((v) => ({ version: v.version, effectiveAt: v.effectiveAt })),
      t: translator(language) as (key: string, params?: Record<string, unknown>) => string,
      stylesheetHref: STYLESHEET_HREF,
    });
  }

  app.get('/privacy', { schema: { hide: true, querystring: langQuery } }, (request, reply) => page(request, reply, undefined));
  app.get<{ Params: { version: string } }>('/privacy/:version', { schema: { hide: true, querystring: langQuery, params: versionParam } }, (request, reply) =>
    page(request, reply, request.params.version),
  );
  app.get<{ Params: { version: string } }>('/privacy/v/:version', { schema: { hide: true, querystring: langQuery, params: versionParam } }, (request, reply) =>
    page(request, reply, request.params.version),
  );
  await app.register(policyChangeRoutes, { policy, changes, sessions, stylesheetHref: STYLESHEET_HREF });
  app.get(STYLESHEET_HREF, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );

  app.get(
    '/api/policy',
    {
      schema: {
        summary: 'Published Privacy Policy versions and the one in force',
        tags: ['privacy'],
        response: {
          200: Type.Object({
            current: Type.String(),
            versions: Type.Array(
              Type.Object({
                version: Type.String(),
                effectiveAt: Type.String({ format: 'date-time' }),
                publishedAt: Type.String({ format: 'date-time' }),
                parity: Type.Unknown(),
              }),
            ),
          }),
        },
      },
    },
    async (request, reply) => {
      const [versions, current] = await Promise.all([policy.versions(), policy.current()]);
      if (!current) return sendProblem(reply, request, 'not_found', 404);
      return {
        current: current.version,
        versions: versions.map((v) => ({
          version: v.version,
          effectiveAt: v.effectiveAt.toISOString(),
          publishedAt: v.publishedAt.toISOString(),
          parity: v.report,
        })),
      };
    },
  );

  app.get<{ Params: { version: string; language: Language } }>(
    '/api/policy/:version/:language',
    {
      schema: {
        summary: 'One published Privacy Policy document, parsed into sections',
        tags: ['privacy'],
        params: Type.Object({ version: versionParam.properties.version, language: Type.Union([Type.Literal('id'), Type.Literal('en')]) }),
        response: {
          200: Type.Object({
            version: Type.String(),
            language: Type.String(),
            effectiveAt: Type.String({ format: 'date-time' }),
            sha256: Type.String(),
            supportEmail: Type.String(),
            document: Type.Unknown(),
          }),
        },
      },
    },
    async (request, reply) => {
      const doc = await policy.document(request.params.version, request.params.language);
      if (!doc) return sendProblem(reply, request, 'not_found', 404);
      return {
        version: doc.version,
        language: doc.language,
        effectiveAt: doc.effectiveAt.toISOString(),
        sha256: doc.sha256,
        supportEmail,
        document: doc.parsed,
      };
    },
  );
};
