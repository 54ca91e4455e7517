import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { verifyAuditLog } from './platform/audit/audit-log.js';
import { loadMasterKey } from './platform/crypto/master-key.js';
import { purgeRetiredKeys, rotateKeys } from './platform/crypto/rotate.js';
import { lockDataDir } from './platform/db/data-dir-lock.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { openConfiguredDatabase } from './platform/db/open.js';
import { composeServices } from './compose.js';
import { parseNewsletterFile, type NewsletterText } from './marketing/newsletter/content.js';
import { createLogger } from './platform/logging/logger.js';
import { formatParityReport } from './privacy/policy/parity.js';
import { loadPolicyDirectory } from './privacy/policy/load.js';
import { grantStaffRole, isStaffRole, revokeStaffRole, STAFF_ROLES } from './ops/staff/guard.js';
import type { ReinstateOutcome } from './ops/moderation/reinstate.js';

const USAGE = `Usage: npm run kenalan -- <command>

Commands:
  migrate                 apply pending database migrations
  audit:verify            check the audit log's hash chain; exit 1 if a row was edited, removed or inserted
  keys:rotate             new data keys; re-encrypt every encrypted column and recompute blind indexes
  keys:purge-retired      delete retired data keys once no row uses them
  policy:check <dir>      parse a policy version (en.txt, id.txt, meta.json) and report language gaps
  policy:publish <dir>    publish a policy version after the same check
  newsletter:send <dir>   queue a newsletter (id.txt, en.txt: "Subject: …", blank line, body) to every
                          member who consented to marketing email; the running server sends it
  staff:grant <username> <role>   give a member a staff role (${STAFF_ROLES.join(', ')}); audited
  staff:revoke <username> <role>  take a staff role away at once; audited
  member:reinstate <username> <case id>
                          lift the suspension a moderator's decision on that case made (not a
                          guardian's withdrawal); the member may sign in again and is emailed; audited

The embedded database can be used by one process at a time: stop the server first.`;

async function run(command: string | undefined, args: string[]): Promise<number> {
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 64;
  }
  const config = loadConfig();
  if (command === 'policy:check') {
    const { report } = loadPolicyDirectory(path.resolve(requireArg(args[0], 'policy directory')));
    console.log(formatParityReport(report));
    return 0;
  }
  let newsletter: Record<'id' | 'en', NewsletterText> | undefined;
  if (command === 'newsletter:send') {
    const dir = path.resolve(requireArg(args[0], 'newsletter directory'));
    const parsed = { id: parseNewsletterFile(readText(path.join(dir, 'id.txt')), 'id'), en: parseNewsletterFile(readText(path.join(dir, 'en.txt')), 'en') };
    const problems = [...('problems' in parsed.id ? parsed.id.problems : []), ...('problems' in parsed.en ? parsed.en.problems : [])];
    if (problems.length || 'problems' in parsed.id || 'problems' in parsed.en) {
      console.error(`Newsletter not sent:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 65;
    }
    newsletter = { id: parsed.id, en: parsed.en };
  }
  const release = config.DATABASE_URL ? async () => undefined : await lockDataDir(config.dataDir);
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
    switch (command) {
      case 'migrate':
        console.log('Database is up to date.');
        return 0;
      case 'audit:verify': {
        const result = await verifyAuditLog(database.db);
        console.log(result.ok ? `Audit log intact: ${result.rows} rows verified.` : `Audit log TAMPERED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
        return result.ok ? 0 : 1;
      }
      case 'keys:rotate': {
        const master = loadMasterKey({ fromEnv: config.KENALAN_MASTER_KEY, dataDir: config.dataDir });
        const result = await rotateKeys(database.db, master);
        console.log(
          `New keys ${result.newFieldKey} (field) and ${result.newBlindIndexKey} (blind index); ` +
            `${result.rowsReencrypted} rows re-encrypted; ${result.remainingOnOldKeys} values left on retired keys.`,
        );
        return result.remainingOnOldKeys === 0 ? 0 : 1;
      }
      case 'keys:purge-retired': {
        const purged = await purgeRetiredKeys(database.db);
        console.log(purged.length ? `Deleted retired keys: ${purged.join(', ')}` : 'No retired keys.');
        return 0;
      }
      case 'policy:publish': {
        // Through the composed services: a material version queues its member notices (policy changes, P7.2).
        const services = await composeServices(config, database, createLogger(config.LOG_LEVEL), { workers: false });
        try {
          const { version, report, created } = await services.policy.publishFromDirectory(path.resolve(requireArg(args[0], 'policy directory')));
          console.log(`${created ? 'Published' : 'Already published:'} policy version ${version}.\n${formatParityReport(report)}`);
        } finally {
          await services.stop();
        }
        return 0;
      }
      case 'newsletter:send': {
        const services = await composeServices(config, database, createLogger(config.LOG_LEVEL), { workers: false });
        try {
          const { newsletterId, queued } = await services.newsletters.send(newsletter!);
          console.log(`Queued newsletter ${newsletterId} for ${queued} member(s) who consented to marketing email.`);
        } finally {
          await services.stop();
        }
        return 0;
      }
      case 'staff:grant':
      case 'staff:revoke': {
        const [username, role] = [requireArg(args[0], 'username'), requireArg(args[1], 'role')];
        if (!isStaffRole(role)) {
          console.error(`Unknown role ${role}; one of: ${STAFF_ROLES.join(', ')}`);
          return 64;
        }
        if (command === 'staff:grant') {
          const result = await grantStaffRole(database.db, username, role);
          console.log(result.alreadyHeld ? `${username} already has the role ${role}.` : `Granted ${role} to ${username} (grant ${result.grantId}).`);
        } else {
          const result = await revokeStaffRole(database.db, username, role);
          console.log(result.revoked ? `Revoked ${role} from ${username}.` : `${username} did not have the role ${role}.`);
        }
        return 0;
      }
      case 'member:reinstate': {
        const [username, caseId] = [requireArg(args[0], 'username'), requireArg(args[1], 'case id')];
        // Through the composed services: the member's email is queued with the change (the running server sends it).
        const services = await composeServices(config, database, createLogger(config.LOG_LEVEL), { workers: false });
        const outcome = await services.moderation.reinstate(username, caseId).finally(() => services.stop());
        if (outcome.ok) {
          console.log(`${username} is active again (the suspension of case ${caseId} is lifted; they sign in anew).`);
          return 0;
        }
        console.error(REINSTATE_REFUSED[outcome.reason].replace('{username}', username).replace('{caseId}', caseId));
        return 1;
      }
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 64;
    }
  } finally {
    await database.close();
    await release();
  }
}

const REINSTATE_REFUSED: Record<Extract<ReinstateOutcome, { ok: false }>['reason'], string> = {
  no_member: 'No member with username {username}.',
  not_suspended: '{username} is not suspended; nothing changed.',
  guardian_withdrew: "{username}'s guardian withdrew consent: only the guardian's consent can lift that suspension; nothing changed.",
  other_case: "{username}'s suspension was not made by case {caseId} (name the case that suspended them); nothing changed.",
};

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function requireArg(value: string | undefined, what: string): string {
  if (!value) throw new Error(`Missing ${what}`);
  return value;
}

const [command, ...args] = process.argv.slice(2);
run(command, args).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  },
);
