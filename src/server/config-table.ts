import { configSchema } from './config.js';

/** The README's configuration table, generated from the config schema (a test keeps them equal). */
export function configTableMarkdown(): string {
  const rows = Object.entries(configSchema.properties).map(([name, schema]) => {
    const s = schema as { default?: unknown; description?: string };
    const fallback = s.default === undefined ? '—' : `\`${String(s.default)}\``;
    return `| \`${name}\` | ${fallback} | ${s.description ?? ''} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('config-table.ts')) console.log(configTableMarkdown());
