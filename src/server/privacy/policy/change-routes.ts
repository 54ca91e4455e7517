import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MEMBER_CONSENT_PURPOSES } from '../../../common/consents.js';
import type { Language } from '../../../common/i18n/index.js';
import { SESSION_COOKIE, signedInMember } from '../../identity/sessions/routes.js';
import type { SessionService } from '../../identity/sessions/service.js';
import { AppError } from '../../platform/http/app-error.js';
import { problemSchema } from '../../platform/http/schemas.js';
import { translator } from '../../platform/i18n/i18n.js';
import { diffPolicyTexts } from './diff.js';
import { renderDiffPage, renderVersionsPage } from './pages.js';
import type { MemberPolicyState, PolicyChangeService, VersionChange } from './reconsent.js';
import type { PolicyService } from './service.js';

const versionPattern = '^[0-9A-Za-z.-]{1,20}$';
const langQuery = Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])) });
const date = Type.String({ format: 'date-time' });

const versionChangeSchema = Type.Object({
  version: Type.String(),
  effectiveAt: date,
  publishedAt: date,
  previous: Type.Union([Type.String(), Type.Null()]),
  material: Type.Boolean(),
  reducesRights: Type.Boolean(),
  /** Section 7's kinds of material change (I–VI) that apply. */
  kinds: Type.Array(Type.String()),
  affectedPurposes: Type.Array(Type.String()),
  /** What changed, in the request's language. */
  changes: Type.Array(Type.String()),
});

const versionRef = Type.Object({ version: Type.String(), effectiveAt: date });

const memberPolicySchema = Type.Object({
  current: versionRef,
  /** The version whose terms apply to me (P7.1). */
  governing: versionRef,
  accepted: Type.Union([Type.Object({ version: Type.String(), at: date, language: Type.String() }), Type.Null()]),
  reconsentRequired: Type.Boolean(),
  /** I declined the current version (it reduces rights): the governing version's terms apply to me. */
  declined: Type.Boolean(),
  pending: Type.Union([
    Type.Object({
      reducesRights: Type.Boolean(),
      purposes: Type.Array(Type.Object({ purpose: Type.String(), granted: Type.Boolean() })),
      versions: Type.Array(versionChangeSchema),
    }),
    Type.Null(),
  ]),
});

const noticeSchema = Type.Object({
  current: versionRef,
  /** The latest material version in force, for the notice shown to everyone. */
  material: Type.Union([
    Type.Object({
      version: Type.String(),
      previous: Type.Union([Type.String(), Type.Null()]),
      effectiveAt: date,
      publishedAt: date,
      reducesRights: Type.Boolean(),
      changes: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  /** Only for a signed-in member. */
  member: Type.Union([Type.Object({ reconsentRequired: Type.Boolean(), governing: Type.String(), declined: Type.Boolean() }), Type.Null()]),
});

const purposesBody = Type.Object(Object.fromEntries(MEMBER_CONSENT_PURPOSES.map((p) => [p, Type.Optional(Type.Boolean())])), { additionalProperties: false });

const diffSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  language: Type.String(),
  rows: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal('same'), Type.Literal('changed')]),
      old: Type.Array(Type.Object({ text: Type.String(), change: Type.Optional(Type.Union([Type.Literal('added'), Type.Literal('removed')])) })),
      new: Type.Array(Type.Object({ text: Type.String(), change: Type.Optional(Type.Union([Type.Literal('added'), Type.Literal('removed')])) })),
    }),
  ),
});

function versionJson(v: VersionChange, language: Language) {
  return {
    version: v.version,
    effectiveAt: v.effectiveAt.toISOString(),
    publishedAt: v.publishedAt.toISOString(),
    previous: v.previous,
    material: v.material,
    reducesRights: v.reducesRights,
    kinds: v.kinds,
    affectedPurposes: v.affectedPurposes,
    changes: v.summary[language] ?? [],
  };
}

/**
 * Policy history and re-consent (P7.1, P7.2): the versions with what each changed, a diff of any
 * two (JSON and a server-rendered page), the notice state, and the member's own standing and
 * decision. Registered inside policyRoutes.
 */
export const policyChangeRoutes: FastifyPluginAsyncTypebox<{
  policy: PolicyService;
  changes: PolicyChangeService;
  sessions: SessionService;
  stylesheetHref: string;
}> = async (app, { policy, changes, sessions, stylesheetHref }) => {
  const t = (language: Language) => translator(language) as (key: string, params?: Record<string, unknown>) => string;

  async function memberJson(memberId: string, state: MemberPolicyState, language: Language) {
    const consents = state.pending ? await changes.consents(memberId) : undefined;
    return {
      current: { version: state.current.version, effectiveAt: state.current.effectiveAt.toISOString() },
      governing: { version: state.governing.version, effectiveAt: state.governing.effectiveAt.toISOString() },
      accepted: state.accepted ? { version: state.accepted.version, at: state.accepted.at.toISOString(), language: state.accepted.language } : null,
      reconsentRequired: state.reconsentRequired,
      declined: state.declined,
      pending: state.pending
        ? {
            reducesRights: state.pending.reducesRights,
            purposes: state.pending.affectedPurposes.map((purpose) => ({ purpose, granted: consents![purpose].granted })),
            versions: state.pending.versions.map((v) => versionJson(v, language)),
          }
        : null,
    };
  }

  async function diffRows(from: string, to: string, language: Language) {
    const [a, b] = await Promise.all([policy.sourceText(from, language), policy.sourceText(to, language)]);
    if (a === undefined || b === undefined) return undefined;
    return diffPolicyTexts(a, b);
  }

  const html = (reply: FastifyReply, language: Language, body: string) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-language', language)
      .header('vary', 'accept-language')
      .header('cache-control', 'public, max-age=300')
      .send(body);

  app.get('/privacy/versions', { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const versions = await changes.versions();
    const current = await policy.current();
    return html(reply, request.language, renderVersionsPage({ language: request.language, t: t(request.language), stylesheetHref, versions, current: current?.version ?? '' }));
  });

  // The compare form on the versions page (GET, no script) lands here.
  app.get<{ Querystring: { from?: string; to?: string; lang?: Language } }>(
    '/privacy/diff',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          from: Type.String({ pattern: versionPattern }),
          to: Type.String({ pattern: versionPattern }),
          lang: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])),
        }),
      },
    },
    async (request, reply) =>
      reply.redirect(`/privacy/diff/${encodeURIComponent(request.query.from!)}/${encodeURIComponent(request.query.to!)}?lang=${request.language}`, 303),
  );

  app.get<{ Params: { from: string; to: string } }>(
    '/privacy/diff/:from/:to',
    {
      schema: {
        hide: true,
        querystring: langQuery,
        params: Type.Object({ from: Type.String({ pattern: versionPattern }), to: Type.String({ pattern: versionPattern }) }),
      },
    },
    async (request, reply) => {
      const versions = await changes.versions();
      const from = versions.find((v) => v.version === request.params.from);
      const to = versions.find((v) => v.version === request.params.to);
      const rows = from && to ? await diffRows(from.version, to.version, request.language) : undefined;
      if (!from || !to || !rows) throw new AppError('not_found', 404, 'no such policy version');
      return html(reply, request.language, renderDiffPage({ language: request.language, t: t(request.language), stylesheetHref, from, to, rows }));
    },
  );

  app.get(
    '/api/policy/changes',
    {
      schema: {
        summary: 'Every published Privacy Policy version, oldest first, with what it changed (in the request language)',
        tags: ['privacy'],
        querystring: langQuery,
        response: { 200: Type.Object({ current: Type.String(), versions: Type.Array(versionChangeSchema) }) },
      },
    },
    async (request) => {
      const versions = await changes.versions();
      const current = await policy.current();
      return { current: current?.version ?? '', versions: versions.map((v) => versionJson(v, request.language)) };
    },
  );

  app.get<{ Params: { from: string; to: string } }>(
    '/api/policy/diff/:from/:to',
    {
      schema: {
        summary: 'Side-by-side diff of two published versions in the request language (paragraphs, then words)',
        tags: ['privacy'],
        querystring: langQuery,
        params: Type.Object({ from: Type.String({ pattern: versionPattern }), to: Type.String({ pattern: versionPattern }) }),
        response: { 200: diffSchema, '4xx': problemSchema },
      },
    },
    async (request) => {
      const rows = await diffRows(request.params.from, request.params.to, request.language);
      if (!rows) throw new AppError('not_found', 404, 'no such policy version');
      return { from: request.params.from, to: request.params.to, language: request.language, rows };
    },
  );

  app.get(
    '/api/policy/notice',
    {
      schema: {
        summary: 'What the policy notice shows: the latest material change, and for a signed-in member whether they must re-consent',
        tags: ['privacy'],
        querystring: langQuery,
        response: { 200: noticeSchema },
      },
    },
    async (request: FastifyRequest) => {
      const versions = await changes.versions();
      const current = await policy.current();
      const now = Date.now();
      const material = [...versions].reverse().find((v) => v.material && v.effectiveAt.getTime() <= now);
      const session = await sessions.authenticate(request.cookies[SESSION_COOKIE]);
      const state = session ? await changes.memberState(session.memberId) : undefined;
      return {
        current: { version: current!.version, effectiveAt: current!.effectiveAt.toISOString() },
        material: material
          ? {
              version: material.version,
              previous: material.previous,
              effectiveAt: material.effectiveAt.toISOString(),
              publishedAt: material.publishedAt.toISOString(),
              reducesRights: material.reducesRights,
              changes: material.summary[request.language],
            }
          : null,
        member: state ? { reconsentRequired: state.reconsentRequired, governing: state.governing.version, declined: state.declined } : null,
      };
    },
  );

  app.get(
    '/api/me/policy',
    {
      schema: {
        summary: 'My standing with the Privacy Policy: the version I accepted, the one whose terms apply to me, and what I still have to decide',
        tags: ['privacy'],
        querystring: langQuery,
        response: { 200: memberPolicySchema, '4xx': problemSchema },
      },
    },
    async (request) => {
      const { memberId } = await signedInMember(sessions, request);
      return memberJson(memberId, await changes.memberState(memberId), request.language);
    },
  );

  app.post<{ Body: { version: string; decision: 'accept' | 'decline'; language?: Language; purposes?: Record<string, boolean> } }>(
    '/api/me/policy/reconsent',
    {
      schema: {
        summary:
          'Accept the current Privacy Policy (recorded with the exact document hash; each affected purpose granted or refused), or decline a version that reduces rights and keep the previous terms',
        tags: ['privacy'],
        body: Type.Object(
          {
            version: Type.String({ pattern: versionPattern }),
            decision: Type.Union([Type.Literal('accept'), Type.Literal('decline')]),
            /** The language the document was shown in (default: the request language). */
            language: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])),
            purposes: Type.Optional(purposesBody),
          },
          { additionalProperties: false },
        ),
        response: { 200: memberPolicySchema, '4xx': problemSchema },
      },
      config: { rateLimit: { max: 30, timeWindow: '10 minutes' } },
    },
    async (request) => {
      const { memberId } = await signedInMember(sessions, request);
      const state = await changes.decide(memberId, {
        version: request.body.version,
        decision: request.body.decision,
        purposes: request.body.purposes,
        language: request.body.language ?? request.language,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      return memberJson(memberId, state, request.language);
    },
  );
};
