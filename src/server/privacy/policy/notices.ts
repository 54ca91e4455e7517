import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Language } from '../../../common/i18n/index.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { t } from '../../platform/i18n/i18n.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { renderEmail, type EmailBlock } from '../../platform/mail/layout.js';
import type { Mailer, OutgoingMail } from '../../platform/mail/mailer.js';
import { formatPolicyDate } from './render.js';

/** Members who are told of a material change: every account that can sign in or come back. */
const NOTIFIED_STATUSES = ['active', 'locked', 'suspended'] as const;
const BATCH = 100;

export interface ChangeNoticeInput {
  to: string;
  nickname: string;
  language: Language;
  version: string;
  previous: string | null;
  effectiveAt: Date;
  reducesRights: boolean;
  items: string[];
  publicUrl: string;
}

const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');

/** The notice of a material change (P7.2): what changed, from when, where to read and compare, and what happens next. */
export function changeNoticeEmail(input: ChangeNoticeInput): OutgoingMail {
  const lang = input.language;
  const url = base(input.publicUrl);
  const when = formatPolicyDate(input.effectiveAt, lang);
  const blocks: EmailBlock[] = [
    { kind: 'paragraph', text: t(lang, 'email.greeting', { name: input.nickname }) },
    { kind: 'paragraph', text: t(lang, 'policyChanges.email.intro', { version: input.version, date: when }) },
    { kind: 'paragraph', text: t(lang, 'policyChanges.email.whatChanged') },
    ...input.items.map((item) => ({ kind: 'paragraph' as const, text: `• ${item}` })),
  ];
  if (input.reducesRights) blocks.push({ kind: 'emphasis', text: t(lang, 'policyChanges.email.reducesRights', { previous: input.previous ?? '' }) });
  blocks.push(
    { kind: 'paragraph', text: t(lang, 'policyChanges.email.reconsent') },
    { kind: 'link', href: `${url}/reconsent?lang=${lang}` },
    { kind: 'paragraph', text: t(lang, 'policyChanges.email.read') },
    { kind: 'link', href: `${url}/privacy/v/${encodeURIComponent(input.version)}?lang=${lang}` },
  );
  if (input.previous) {
    blocks.push(
      { kind: 'paragraph', text: t(lang, 'policyChanges.email.compare', { previous: input.previous }) },
      { kind: 'link', href: `${url}/privacy/diff/${encodeURIComponent(input.previous)}/${encodeURIComponent(input.version)}?lang=${lang}` },
    );
  }
  blocks.push({ kind: 'paragraph', text: t(lang, 'email.signature') });
  const { html, text } = renderEmail(lang, blocks);
  return { to: input.to, subject: t(lang, 'policyChanges.email.subject', { version: input.version }), text, html, language: lang };
}

/**
 * The `policy.send-change-notices` job: every member gets the notice of a material version once,
 * in their language. Members are walked in id order in batches; each is claimed in
 * `policy_notices` before sending and stamped after, so a retried job skips everyone already sent
 * (a crash between the mail server's answer and the stamp can send that one member a second copy).
 */
export async function sendChangeNotices(
  deps: { db: Kysely<Database>; keyring: Keyring; mailer: Mailer; publicUrl: string; logger: Logger; clock?: () => Date },
  version: string,
): Promise<{ sent: number; skipped: number }> {
  const { db, keyring, mailer, publicUrl, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const change = await db
    .selectFrom('policy_changes')
    .innerJoin('policy_versions', 'policy_versions.version', 'policy_changes.version')
    .select(['policy_changes.version', 'previous_version', 'material', 'reduces_rights', 'summary', 'policy_versions.effective_at'])
    .where('policy_changes.version', '=', version)
    .executeTakeFirst();
  if (!change || !change.material) return { sent: 0, skipped: 0 };
  let sent = 0;
  let skipped = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const members = await db
      .selectFrom('members')
      .leftJoin('policy_notices', (join) => join.onRef('policy_notices.member_id', '=', 'members.id').on('policy_notices.version', '=', version))
      .select(['members.id', 'members.email', 'members.nickname', 'members.language', 'policy_notices.sent_at'])
      .where('members.status', 'in', NOTIFIED_STATUSES)
      .where('members.id', '>', after)
      .orderBy('members.id')
      .limit(BATCH)
      .execute();
    if (members.length === 0) break;
    after = members[members.length - 1]!.id;
    for (const member of members) {
      if (member.sent_at) {
        skipped++;
        continue;
      }
      await db
        .insertInto('policy_notices')
        .values({ version, member_id: member.id, claimed_at: clock(), sent_at: null })
        .onConflict((oc) => oc.columns(['version', 'member_id']).doNothing())
        .execute();
      const language = member.language === 'en' ? 'en' : 'id';
      await mailer.send(
        changeNoticeEmail({
          to: keyring.decrypt(member.email, 'members.email'),
          nickname: keyring.decrypt(member.nickname, 'members.nickname'),
          language,
          version,
          previous: change.previous_version,
          effectiveAt: change.effective_at,
          reducesRights: change.reduces_rights,
          items: change.summary[language],
          publicUrl,
        }),
      );
      await db.updateTable('policy_notices').set({ sent_at: clock() }).where('version', '=', version).where('member_id', '=', member.id).execute();
      sent++;
    }
  }
  logger.info({ version, sent, skipped }, 'policy change notices sent');
  return { sent, skipped };
}

export async function registerPolicyWorkers(deps: { jobs: JobQueue; db: Kysely<Database>; keyring: Keyring; mailer: Mailer; publicUrl: string; logger: Logger }): Promise<void> {
  await deps.jobs.work('policy.send-change-notices', async ({ version }) => {
    await sendChangeNotices(deps, version);
  });
}
