import type { Language } from '../../../common/i18n/index.js';

export const SUBJECT_MAX = 150;
export const BODY_MAX = 20_000;

export interface NewsletterText {
  subject: string;
  body: string;
}

/** A newsletter's body: paragraphs separated by blank lines; a line that is only an https address is a link. */
export type NewsletterPart = { kind: 'paragraph'; text: string } | { kind: 'link'; href: string; index: number };

export function parseBody(body: string): NewsletterPart[] {
  const parts: NewsletterPart[] = [];
  let links = 0;
  for (const block of body.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const text = block.trim();
    if (!text) continue;
    if (/^https:\/\/\S+$/.test(text)) parts.push({ kind: 'link', href: text, index: links++ });
    else parts.push({ kind: 'paragraph', text });
  }
  return parts;
}

export function links(body: string): string[] {
  return parseBody(body).flatMap((p) => (p.kind === 'link' ? [p.href] : []));
}

/**
 * Reads a newsletter file: the first line is `Subject: …`, then a blank line, then the body.
 * Returns the problems found instead, so the operator sees every one at once.
 */
export function parseNewsletterFile(text: string, language: Language): NewsletterText | { problems: string[] } {
  const problems: string[] = [];
  const [first = '', ...rest] = text.replace(/\r\n/g, '\n').split('\n');
  const subject = /^Subject:\s*(.+)$/i.exec(first)?.[1]?.trim() ?? '';
  const body = rest.join('\n').trim();
  if (!subject) problems.push(`${language}: the first line must be "Subject: …"`);
  if (subject.length > SUBJECT_MAX) problems.push(`${language}: the subject is longer than ${SUBJECT_MAX} characters`);
  if (!body) problems.push(`${language}: the body is empty`);
  if (body.length > BODY_MAX) problems.push(`${language}: the body is longer than ${BODY_MAX} characters`);
  for (const part of parseBody(body)) {
    if (part.kind === 'paragraph' && /\bhttps?:\/\//.test(part.text) && /^\S+$/.test(part.text)) {
      problems.push(`${language}: "${part.text}" looks like a link but is not https`);
    }
  }
  return problems.length ? { problems } : { subject, body };
}
