import { renderToStaticMarkup } from 'react-dom/server';
import type { Language } from '../../../common/i18n/index.js';

/** What an email is made of; each block renders to both the HTML and the plain-text part. */
export type EmailBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'emphasis'; text: string }
  | { kind: 'quote'; text: string }
  | { kind: 'link'; href: string; /** Shown instead of the address (e.g. the destination of a tracked link). */ text?: string }
  /** HTML only, e.g. a newsletter's 1×1 open pixel (sent only with tracking consent). */
  | { kind: 'image'; src: string; width: number; height: number; alt: string };

/** One layout for every email: the same blocks as HTML (escaped by React) and as plain text. */
export function renderEmail(language: Language, blocks: EmailBlock[]): { html: string; text: string } {
  const html =
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang={language}>
        <body>
          {blocks.map((block, i) => {
            switch (block.kind) {
              case 'paragraph':
                return <p key={i}>{block.text}</p>;
              case 'emphasis':
                return (
                  <p key={i}>
                    <strong>{block.text}</strong>
                  </p>
                );
              case 'quote':
                return (
                  <blockquote key={i} style={{ whiteSpace: 'pre-wrap' }}>
                    {block.text}
                  </blockquote>
                );
              case 'link':
                return (
                  <p key={i}>
                    <a href={block.href}>{block.text ?? block.href}</a>
                  </p>
                );
              case 'image':
                return <img key={i} src={block.src} width={block.width} height={block.height} alt={block.alt} />;
            }
          })}
        </body>
      </html>,
    );
  const text = blocks
    .map((block) => {
      switch (block.kind) {
        case 'quote':
          return block.text
            .split(/\r?\n/)
            .map((line) => `> ${line}`)
            .join('\n');
        case 'link':
          return block.href;
        case 'image':
          return '';
        default:
          return block.text;
      }
    })
    .filter((part) => part !== '')
    .join('\n\n');
  return { html, text };
}
