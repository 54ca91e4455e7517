import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Language } from '../../../common/i18n/index.js';
import { t } from '../i18n/i18n.js';
import { AppError, type ErrorCode, type FieldProblem } from './app-error.js';

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/** Ajv's errors → field problems with message keys the member can read. */
export function fieldProblems(issues: readonly AjvIssue[]): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = issue.keyword === 'required' ? [base, String(issue.params.missingProperty)].filter(Boolean).join('.') : base || '(body)';
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push(toFieldProblem(field, issue));
  }
  return problems;
}

function toFieldProblem(field: string, issue: AjvIssue): FieldProblem {
  switch (issue.keyword) {
    case 'required':
      return { field, code: 'required' };
    case 'minLength':
      return Number(issue.params.limit) <= 1 ? { field, code: 'required' } : { field, code: 'tooShort', params: { min: Number(issue.params.limit) } };
    case 'maxLength':
      return { field, code: 'tooLong', params: { max: Number(issue.params.limit) } };
    case 'format':
      return { field, code: issue.params.format === 'email' ? 'email' : 'invalid' };
    case 'enum':
    case 'const':
    case 'anyOf':
      return { field, code: 'choice' };
    default:
      return { field, code: 'invalid' };
  }
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'bad_request', status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'bad_request', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', status: 400 },
  FST_REQ_FILE_TOO_LARGE: { code: 'payload_too_large', status: 413 },
  FST_FILES_LIMIT: { code: 'payload_too_large', status: 413 },
  FST_FIELDS_LIMIT: { code: 'payload_too_large', status: 413 },
  FST_PARTS_LIMIT: { code: 'payload_too_large', status: 413 },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'unsupported_media_type', status: 415 },
  FST_CSRF_INVALID_TOKEN: { code: 'csrf_invalid', status: 403 },
  FST_CSRF_MISSING_SECRET: { code: 'csrf_invalid', status: 403 },
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  status: number,
  /** `messageKey`: a module's own text for this error (e.g. `connections.errors.dailyLimit`) instead of `errors.<code>`. */
  extra: { fields?: FieldProblem[]; params?: Record<string, string | number>; messageKey?: string } = {},
): FastifyReply {
  const language: Language = request.language;
  const body = {
    type: `https://kenalan.app/problems/${code.replace(/_/g, '-')}`,
    title: t('en', extra.messageKey ?? `errors.${code}`, extra.params),
    status,
    code,
    detail: t(language, extra.messageKey ?? `errors.${code}`, extra.params),
    instance: request.url.split('?')[0],
    ...(extra.fields
      ? { errors: extra.fields.map((f) => ({ field: f.field, code: f.code, message: t(language, f.messageKey ?? `validation.${f.code}`, f.params) })) }
      : {}),
  };
  return reply.code(status).header('content-language', language).type('application/problem+json; charset=utf-8').send(body);
}

/** One place maps every error to problem+json; 5xx never carries internals to the client. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'application error');
      // A 429 that says how long to wait says it in the standard header too (login_locked, resend_too_soon, …).
      if (error.status === 429 && typeof error.extra.params?.seconds === 'number') reply.header('retry-after', String(error.extra.params.seconds));
      return sendProblem(reply, request, error.code, error.status, error.extra);
    }
    if (error.validation) {
      return sendProblem(reply, request, 'validation_failed', 400, { fields: fieldProblems(error.validation as AjvIssue[]) });
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendProblem(reply, request, known.code, known.status);
    if (error.statusCode === 429) {
      const seconds = Math.max(1, Math.ceil(Number(reply.getHeader('retry-after') ?? 60)));
      return sendProblem(reply, request, 'rate_limited', 429, { params: { seconds } });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, error.statusCode === 405 ? 'method_not_allowed' : 'bad_request', error.statusCode);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, 'internal', 500);
  });
}
