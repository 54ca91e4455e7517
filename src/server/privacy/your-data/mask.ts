/**
 * Masks a value for the "your data" page: enough to recognize it, not enough to read it over a
 * shoulder. Emails keep their first character and domain; everything else its last 4 characters.
 */
export function maskValue(value: string): string {
  const at = value.indexOf('\u0040');
  if (at > 0) return `${value[0]}•••${value.slice(at)}`;
  const chars = [...value];
  const keep = chars.length > 6 ? 4 : Math.min(2, chars.length - 1);
  return chars.map((c, i) => (i >= chars.length - keep || /[\s\-./:]/.test(c) ? c : '•')).join('');
}
