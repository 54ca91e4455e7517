import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown } from '../src/server/config-table.js';

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

describe('README', () => {
  it('shows the two commands: install-and-start, and test', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('carries the configuration table generated from the config schema (npm run docs:config)', () => {
    expect(readme).toContain(configTableMarkdown());
  });
});
