// tsc compiles TypeScript only; copy the non-code files the server reads at run time next to the output.
import fs from 'node:fs';
import path from 'node:path';

const assets = ['src/server/privacy/policy/policy.css', 'src/common/i18n/en.json', 'src/common/i18n/id.json'];
for (const file of assets) {
  const target = path.join('dist', path.relative('src', file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}
