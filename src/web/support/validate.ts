import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import type { Language } from '../../common/i18n/index.js';
// Importing the shared schema also registers the "email" format with TypeBox.
import { supportTicketRequest } from '../../common/schemas/support.js';

export const SUPPORT_FIELDS = ['name', 'email', 'topic', 'message'] as const;
export type SupportField = (typeof SUPPORT_FIELDS)[number];
export type SupportValues = Record<SupportField, string>;

export const EMPTY_SUPPORT_VALUES: SupportValues = { name: '', email: '', topic: '', message: '' };

export function isSupportField(value: unknown): value is SupportField {
  return typeof value === 'string' && (SUPPORT_FIELDS as readonly string[]).includes(value);
}

/** Codes match the validation.* i18n keys (and the server's field problem codes). */
export type ValidationCode = 'required' | 'tooShort' | 'tooLong' | 'email' | 'choice' | 'invalid';
export interface ValidationIssue {
  code: ValidationCode;
  params?: { min?: number; max?: number };
}
export type SupportIssues = Partial<Record<SupportField, ValidationIssue>>;

/** The JSON body sent to POST /api/support/tickets. Surrounding whitespace is not part of an answer. */
export interface SupportRequestBody extends SupportValues {
  language: Language;
}

export function toRequestBody(values: SupportValues, language: Language): SupportRequestBody {
  return {
    name: values.name.trim(),
    email: values.email.trim(),
    topic: values.topic,
    message: values.message.trim(),
    language,
  };
}

/** Checks a body with the same TypeBox schema the server uses; one issue per field, the first found. */
export function validateSupportRequest(body: unknown): SupportIssues {
  const issues: SupportIssues = {};
  for (const error of Value.Errors(supportTicketRequest, body)) {
    const field = error.path.split('/')[1];
    if (!isSupportField(field) || issues[field]) continue;
    issues[field] = issueFor(error);
  }
  return issues;
}

function issueFor(error: ValueError): ValidationIssue {
  const schema = error.schema as { minLength?: unknown; maxLength?: unknown; format?: unknown };
  const isEmpty = typeof error.value === 'string' && error.value.trim() === '';
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return { code: 'required' };
    case ValueErrorType.StringMinLength: {
      const min = Number(schema.minLength);
      return isEmpty || min <= 1 ? { code: 'required' } : { code: 'tooShort', params: { min } };
    }
    case ValueErrorType.StringMaxLength:
      return { code: 'tooLong', params: { max: Number(schema.maxLength) } };
    case ValueErrorType.StringPattern:
      return isEmpty ? { code: 'required' } : { code: 'invalid' };
    case ValueErrorType.StringFormat:
      return { code: schema.format === 'email' ? 'email' : 'invalid' };
    case ValueErrorType.Union:
    case ValueErrorType.Literal:
      return { code: 'choice' };
    default:
      return { code: 'invalid' };
  }
}
