/** "ibu.sari@contoh.id" → "i*******@contoh.id": enough for the member to recognise, not to read. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('\u0040');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  return `${local[0]}${'*'.repeat(Math.max(3, local.length - 1))}${email.slice(at)}`;
}
