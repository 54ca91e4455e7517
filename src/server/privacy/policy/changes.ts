import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MEMBER_CONSENT_PURPOSES } from '../../../common/consents.js';

/** Section 7's kinds of material change, (I) to (VI). */
export const MATERIAL_KINDS = ['I', 'II', 'III', 'IV', 'V', 'VI'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

const changeList = Type.Array(Type.String({ minLength: 3, maxLength: 500 }), { minItems: 1, maxItems: 50 });

/**
 * `changes.json` in a version's folder: what the version changes. Required for every version
 * published after the first. Both languages are required and must list the same number of items.
 */
export const PolicyChangesFile = Type.Object(
  {
    material: Type.Boolean(),
    reducesRights: Type.Boolean(),
    kinds: Type.Optional(Type.Array(Type.Union(MATERIAL_KINDS.map((k) => Type.Literal(k))), { uniqueItems: true })),
    affectedPurposes: Type.Array(Type.Union(MEMBER_CONSENT_PURPOSES.map((p) => Type.Literal(p))), { uniqueItems: true }),
    changes: Type.Object({ id: changeList, en: changeList }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type PolicyChangesFile = Static<typeof PolicyChangesFile>;

export interface PolicyChanges {
  material: boolean;
  reducesRights: boolean;
  kinds: MaterialKind[];
  affectedPurposes: string[];
  changes: { id: string[]; en: string[] };
}

export class PolicyChangesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyChangesError';
  }
}

/** Validates a parsed changes.json: the schema, language parity, and the rules of policy section 7. */
export function validatePolicyChanges(value: unknown, file = 'changes.json'): PolicyChanges {
  const problems = [...Value.Errors(PolicyChangesFile, value)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length) throw new PolicyChangesError(file, problems);
  const parsed = value as PolicyChangesFile;
  if (parsed.changes.id.length !== parsed.changes.en.length) {
    problems.push(`/changes: Indonesian lists ${parsed.changes.id.length} change(s) and English ${parsed.changes.en.length}; list the same changes in both languages`);
  }
  // Policy 7: "Without your express consent, we will not limit the rights due to you" — such a
  // version is material by definition (kind IV), and only a material version asks for consent.
  if (parsed.reducesRights && !parsed.material) problems.push('/reducesRights: a version that reduces members\' rights must be marked material');
  if (!parsed.material && (parsed.kinds?.length ?? 0) > 0) problems.push('/kinds: only a material version names material-change kinds');
  if (!parsed.material && parsed.affectedPurposes.length > 0) problems.push('/affectedPurposes: only a material version asks consent purposes again');
  if (problems.length) throw new PolicyChangesError(file, problems);
  return {
    material: parsed.material,
    reducesRights: parsed.reducesRights,
    kinds: parsed.kinds ?? [],
    affectedPurposes: parsed.affectedPurposes,
    changes: { id: parsed.changes.id, en: parsed.changes.en },
  };
}

/** Reads `changes.json` from a version folder; undefined when the folder has none. */
export function readPolicyChanges(dir: string): PolicyChanges | undefined {
  const file = path.join(dir, 'changes.json');
  if (!fs.existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PolicyChangesError(file, [`not JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return validatePolicyChanges(json, file);
}
