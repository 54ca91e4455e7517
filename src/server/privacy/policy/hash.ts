import { createHash } from 'node:crypto';

/**
 * SHA-256 of a published policy document, as 64 lowercase hex digits.
 *
 * The hash is over the UTF-8 bytes of the language file exactly as published (e.g.
 * policy/v1/en.txt): no BOM stripping, no line-ending or whitespace normalisation, no placeholder
 * substitution. Pass the file's bytes (a Buffer from readFile without an encoding) or the string it
 * decodes to; a string is encoded as UTF-8, which round-trips any valid UTF-8 file byte for byte.
 */
export function sha256Hex(text: string | Uint8Array): string {
  const hash = createHash('sha256');
  if (typeof text === 'string') hash.update(text, 'utf8');
  else hash.update(text);
  return hash.digest('hex');
}
