/**
 * pino redact paths derived from the data map: every personal column name, in snake_case and
 * camelCase, at the top level and up to three levels deep, plus credentials in request headers.
 */
export function redactPaths(personalColumns: readonly string[]): string[] {
  const names = new Set<string>();
  for (const column of personalColumns) {
    names.add(column);
    names.add(column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  }
  const paths = new Set<string>([
    'req.headers.cookie',
    'req.headers.authorization',
    'req.headers["x-csrf-token"]',
    'res.headers["set-cookie"]',
  ]);
  for (const name of names) {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
    const dot = key.startsWith('[') ? '' : '.';
    paths.add(key);
    paths.add(`*${dot}${key}`);
    paths.add(`*.*${dot}${key}`);
    paths.add(`*.*.*${dot}${key}`);
  }
  return [...paths];
}
