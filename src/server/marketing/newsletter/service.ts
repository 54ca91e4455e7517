import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { ConsentLedger } from '../../privacy/consent/ledger.js';
import { links, type NewsletterText } from './content.js';
import { newsletterEmail } from './emails.js';

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  consent: ConsentLedger;
  jobs: JobQueue;
  mailer: Mailer;
  publicUrl: string;
  logger: Logger;
  clock?: () => Date;
}

/**
 * Marketing newsletters under consent (P2.2): sent only to members whose latest `marketing_email`
 * entry is a grant — checked when queued and again when each message is sent, so a withdrawal
 * takes effect at once; tracked only with `email_tracking` consent, checked again when a pixel or
 * link is hit; one-click unsubscribe (RFC 8058) withdraws the consent in the ledger.
 */
export function makeNewsletterService({ db, keyring, consent, jobs, mailer, publicUrl, logger, clock = () => new Date() }: Deps) {
  async function deliveryByToken(token: string) {
    if (!TOKEN.test(token)) return undefined;
    return db
      .selectFrom('newsletter_deliveries')
      .innerJoin('newsletters', 'newsletters.id', 'newsletter_deliveries.newsletter_id')
      .select([
        'newsletter_deliveries.id',
        'newsletter_deliveries.member_id',
        'newsletter_deliveries.language',
        'newsletter_deliveries.tracked',
        'newsletter_deliveries.opened_at',
        'newsletter_deliveries.unsubscribed_at',
        'newsletters.body_id',
        'newsletters.body_en',
      ])
      .where('newsletter_deliveries.token_hash', '=', sha256(token))
      .executeTakeFirst();
  }

  /** Consent is read fresh on every use: nothing is cached, so a withdrawal counts from the next request. */
  const tracking = (memberId: string) => consent.hasConsent({ type: 'member', id: memberId }, 'email_tracking');

  return {
    /** Stores a newsletter and queues one delivery job per member who consented to marketing email. */
    async send(text: Record<Language, NewsletterText>): Promise<{ newsletterId: string; queued: number }> {
      const id = crypto.randomUUID();
      const now = clock();
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('newsletters')
          .values({ id, subject_id: text.id.subject, subject_en: text.en.subject, body_id: text.id.body, body_en: text.en.body, created_at: now })
          .execute();
        // The latest marketing_email entry of each member decides (the ledger is append-only).
        const recipients = await sql<{ id: string }>`
          SELECT m.id FROM members m
          JOIN (
            SELECT DISTINCT ON (subject_id) subject_id, event FROM consent_ledger
            WHERE subject_type = 'member' AND purpose = 'marketing_email'
            ORDER BY subject_id, at DESC, id DESC
          ) latest ON latest.subject_id = m.id::text
          WHERE latest.event = 'consent_granted' AND m.status = 'active'
          ORDER BY m.id`.execute(trx);
        for (const { id: memberId } of recipients.rows) await jobs.send(trx, 'newsletter.deliver', { newsletterId: id, memberId });
        await appendAudit(
          trx,
          { type: 'system' },
          { action: 'newsletter.queued', subjectType: 'newsletter', subjectId: id, details: { recipients: recipients.rows.length } },
          { purpose: 'accountability', at: now },
        );
        return { newsletterId: id, queued: recipients.rows.length };
      });
    },

    /** Job: one member's copy, if they still consent; with tracking only if they consent to that too. */
    async deliver(newsletterId: string, memberId: string): Promise<'sent' | 'skipped'> {
      const member = await db.selectFrom('members').select(['id', 'email', 'nickname', 'language', 'status']).where('id', '=', memberId).executeTakeFirst();
      const newsletter = await db.selectFrom('newsletters').selectAll().where('id', '=', newsletterId).executeTakeFirst();
      if (!member || !newsletter || member.status !== 'active') return 'skipped';
      const subject = { type: 'member' as const, id: memberId };
      if (!(await consent.hasConsent(subject, 'marketing_email'))) return 'skipped';
      const tracked = await consent.hasConsent(subject, 'email_tracking');
      const token = crypto.randomBytes(24).toString('base64url');
      const deliveryId = crypto.randomUUID();
      const inserted = await db
        .insertInto('newsletter_deliveries')
        .values({ id: deliveryId, newsletter_id: newsletterId, member_id: memberId, token_hash: sha256(token), language: member.language, tracked, sent_at: clock() })
        .onConflict((oc) => oc.columns(['newsletter_id', 'member_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return 'skipped'; // already sent (a retried job)
      const language = member.language;
      try {
        await mailer.send(
          newsletterEmail({
            to: keyring.decrypt(member.email, 'members.email'),
            nickname: keyring.decrypt(member.nickname, 'members.nickname'),
            language,
            subject: language === 'id' ? newsletter.subject_id : newsletter.subject_en,
            body: language === 'id' ? newsletter.body_id : newsletter.body_en,
            token,
            tracked,
            publicUrl,
          }),
        );
      } catch (err) {
        // Not sent: forget the delivery so the job's retry sends it.
        await db.deleteFrom('newsletter_deliveries').where('id', '=', deliveryId).execute();
        throw err;
      }
      return 'sent';
    },

    /** One-click unsubscribe: withdraws the marketing-email consent in the ledger. A token works once. */
    async unsubscribe(token: string, context: { ip?: string | undefined; userAgent?: string | undefined }): Promise<void> {
      const delivery = await deliveryByToken(token);
      if (!delivery) throw new AppError('unsubscribe_invalid', 404, 'unknown unsubscribe token');
      if (delivery.unsubscribed_at) {
        logger.warn({ deliveryId: delivery.id }, 'unsubscribe token replayed');
        throw new AppError('unsubscribe_used', 410, 'unsubscribe token already used');
      }
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('newsletter_deliveries')
          .set({ unsubscribed_at: now })
          .where('id', '=', delivery.id)
          .where('unsubscribed_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!claimed) throw new AppError('unsubscribe_used', 410, 'unsubscribe token already used (race)');
        const subject = { type: 'member' as const, id: delivery.member_id };
        if ((await consent.consents(subject, trx)).marketing_email.granted) {
          await consent.setConsent(trx, { subject, language: delivery.language, ip: context.ip, userAgent: context.userAgent }, 'marketing_email', false);
        }
        await appendAudit(
          trx,
          { type: 'member', id: delivery.member_id },
          { action: 'newsletter.unsubscribed', subjectType: 'member', subjectId: delivery.member_id, details: { deliveryId: delivery.id } },
          { purpose: 'accountability', at: now },
        );
      });
    },

    /** The open pixel was fetched: recorded only if this copy was tracked and tracking consent still holds. */
    async opened(token: string): Promise<void> {
      const delivery = await deliveryByToken(token);
      if (!delivery || !delivery.tracked || delivery.opened_at || !(await tracking(delivery.member_id))) return;
      await db.updateTable('newsletter_deliveries').set({ opened_at: clock() }).where('id', '=', delivery.id).where('opened_at', 'is', null).execute();
    },

    /** A tracked link: where it goes (only the newsletter's own links, never an open redirect); the click is recorded under consent. */
    async clicked(token: string, index: number): Promise<string | undefined> {
      const delivery = await deliveryByToken(token);
      if (!delivery) return undefined;
      const target = links(delivery.language === 'id' ? delivery.body_id : delivery.body_en)[index];
      if (!target) return undefined;
      if (delivery.tracked && (await tracking(delivery.member_id))) {
        await db.insertInto('newsletter_clicks').values({ id: crypto.randomUUID(), delivery_id: delivery.id, link_index: index, at: clock() }).execute();
      }
      return target;
    },
  };
}
export type NewsletterService = ReturnType<typeof makeNewsletterService>;
