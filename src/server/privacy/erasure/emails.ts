import type { Language } from '../../../common/i18n/index.js';
import { formatDate, t } from '../../platform/i18n/i18n.js';
import { renderEmail, type EmailBlock } from '../../platform/mail/layout.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';

const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');

/** Right after "delete my account": when erasure happens and how to cancel (sign in during the grace period). */
export function scheduledEmail(input: { to: string; nickname: string; language: Language; scheduledFor: Date; publicUrl: string }): OutgoingMail {
  const lang = input.language;
  const date = formatDate(input.scheduledFor, lang);
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'erasure.email.scheduled.body') },
    { kind: 'emphasis', text: t(lang, 'erasure.email.scheduled.when', { date }) },
    { kind: 'paragraph', text: t(lang, 'erasure.email.scheduled.cancel', { date }) },
    { kind: 'link', href: `${base(input.publicUrl)}/signin` },
    { kind: 'paragraph', text: t(lang, 'erasure.email.scheduled.notYou') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'erasure.email.scheduled.subject', { date }), text, html, language: lang };
}

/** After a restore at sign-in: the deletion is cancelled (and a hint if it was not them). */
export function restoredEmail(input: { to: string; nickname: string; language: Language }): OutgoingMail {
  const lang = input.language;
  const { html, text } = renderEmail(lang, [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'erasure.email.restored.body') },
    { kind: 'paragraph', text: t(lang, 'erasure.email.restored.notYou') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ]);
  return { to: input.to, subject: t(lang, 'erasure.email.restored.subject'), text, html, language: lang };
}

export interface ReceiptContent {
  erasedAt: Date;
  /** Field labels (in both languages) of what was deleted or anonymized, with the number of records. */
  erased: { label: { id: string; en: string }; records: number }[];
  files: number;
  kept: { label: { id: string; en: string }; legalGround: { id: string; en: string }; forDays: number }[];
}

/** The erasure receipt: what was deleted, what was kept and why, for how long. Sent to the address captured before erasure. */
export function receiptEmail(input: { to: string; language: Language; content: ReceiptContent }): OutgoingMail {
  const lang = input.language;
  const { content } = input;
  const blocks: EmailBlock[] = [
    { kind: 'paragraph', text: t(lang, 'erasure.email.receipt.greeting') },
    { kind: 'paragraph', text: t(lang, 'erasure.email.receipt.body', { date: formatDate(content.erasedAt, lang) }) },
    { kind: 'emphasis', text: t(lang, 'erasure.email.receipt.deletedHeading') },
    {
      kind: 'quote',
      text: [
        ...content.erased.map((e) => t(lang, 'erasure.email.receipt.deletedLine', { label: e.label[lang], count: e.records })),
        ...(content.files > 0 ? [t(lang, 'erasure.email.receipt.files', { count: content.files })] : []),
      ].join('\n'),
    },
    { kind: 'emphasis', text: t(lang, 'erasure.email.receipt.keptHeading') },
    content.kept.length === 0
      ? { kind: 'paragraph', text: t(lang, 'erasure.email.receipt.keptNone') }
      : {
          kind: 'quote',
          text: content.kept
            .map((k) => t(lang, k.forDays >= 365 ? 'erasure.email.receipt.keptLineYears' : 'erasure.email.receipt.keptLine', { label: k.label[lang], ground: k.legalGround[lang], years: Math.round((k.forDays / 365) * 10) / 10, days: k.forDays }))
            .join('\n'),
        },
    { kind: 'paragraph', text: t(lang, 'erasure.email.receipt.addressGone') },
    { kind: 'paragraph', text: t(lang, 'email.signature') },
  ];
  const { html, text } = renderEmail(lang, blocks);
  return { to: input.to, subject: t(lang, 'erasure.email.receipt.subject'), text, html, language: lang };
}
