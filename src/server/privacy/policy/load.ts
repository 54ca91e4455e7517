import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../../../common/i18n/index.js';
import { sha256Hex } from './hash.js';
import { readPolicyChanges, type PolicyChanges } from './changes.js';
import { checkParity, type ParityReport } from './parity.js';
import { parsePolicy, type ParsedPolicy } from './parse.js';

export interface PolicyBundle {
  version: string;
  effectiveAt: Date;
  documents: Record<Language, { text: string; sha256: string; parsed: ParsedPolicy }>;
  report: ParityReport;
  /** From `changes.json`; required for every version after the first (see changes.ts). */
  changes?: PolicyChanges | undefined;
}

/** The policy versions shipped with Kenalan, one folder each: policy/<version>/{en.txt,id.txt,meta.json}. */
export const POLICY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../policy');

/** Reads and parses one version folder and runs the language-parity check. Throws on a malformed folder. */
export function loadPolicyDirectory(dir: string): PolicyBundle {
  const metaFile = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaFile)) throw new Error(`${metaFile} is missing`);
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { version?: unknown; effectiveAt?: unknown };
  if (typeof meta.version !== 'string' || !/^[0-9A-Za-z.-]{1,20}$/.test(meta.version)) throw new Error(`${metaFile}: "version" must be a short string`);
  const effectiveAt = new Date(String(meta.effectiveAt));
  if (Number.isNaN(effectiveAt.getTime())) throw new Error(`${metaFile}: "effectiveAt" must be a date`);
  const documents = {} as PolicyBundle['documents'];
  for (const language of ['id', 'en'] as const) {
    const file = path.join(dir, `${language}.txt`);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: every version is published in Indonesian and English`);
    const text = fs.readFileSync(file, 'utf8');
    documents[language] = { text, sha256: sha256Hex(text), parsed: parsePolicy(text, language) };
  }
  const report = checkParity({ id: documents.id.parsed, en: documents.en.parsed });
  const changes = readPolicyChanges(dir);
  return { version: meta.version, effectiveAt, documents, report, changes };
}
