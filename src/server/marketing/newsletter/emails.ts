import type { Language } from '../../../common/i18n/index.js';
import { t } from '../../platform/i18n/i18n.js';
import { renderEmail, type EmailBlock } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';
import { parseBody } from './content.js';

/**
 * A newsletter email. Tracking (a 1×1 pixel and links through /t/c/) only when the member consented
 * to email tracking; otherwise the links go straight to their destination and there is no pixel.
 * Every newsletter carries RFC 8058 one-click unsubscribe headers and a link that needs no sign-in.
 */
export function newsletterEmail(input: {
  to: string;
  nickname: string;
  language: Language;
  subject: string;
  body: string;
  token: string;
  tracked: boolean;
  publicUrl: string;
}): OutgoingMail {
  const base = input.publicUrl.replace(/\/$/, '');
  const token = encodeURIComponent(input.token);
  const unsubscribePage = `${base}/unsubscribe/${token}`;
  const oneClick = `${base}/api/newsletter/unsubscribe/${token}`;
  const blocks: EmailBlock[] = [{ kind: 'paragraph', text: t(input.language, 'email.greeting', { name: input.nickname }) }];
  for (const part of parseBody(input.body)) {
    if (part.kind === 'paragraph') blocks.push({ kind: 'paragraph', text: part.text });
    else blocks.push(input.tracked ? { kind: 'link', href: `${base}/t/c/${token}/${part.index}`, text: part.href } : { kind: 'link', href: part.href });
  }
  blocks.push(
    { kind: 'paragraph', text: t(input.language, 'newsletter.email.why') },
    { kind: 'paragraph', text: t(input.language, 'newsletter.email.unsubscribe') },
    { kind: 'link', href: unsubscribePage },
  );
  if (input.tracked) blocks.push({ kind: 'image', src: `${base}/t/o/${token}.gif`, width: 1, height: 1, alt: '' });
  const { html, text } = renderEmail(input.language, blocks);
  return {
    to: input.to,
    subject: input.subject,
    text,
    html,
    language: input.language,
    headers: { 'List-Unsubscribe': `<${oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', Precedence: 'bulk' },
  };
}
