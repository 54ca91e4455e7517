import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { publishMemberEvent } from '../realtime/events.js';
import { EMAIL_DEFAULTS, emailAllowed, isOnline, NOTIFICATION_KINDS, type NotificationKind } from './notifications.js';
import { decodeCursor, encodeCursor } from './service.js';
import { jakartaToday } from '../../../common/age.js';

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  /** The member who caused it, or null (a system notice). */
  actor: { username: string; nickname: string } | null;
  objectId: string | null;
  createdAt: string;
  read: boolean;
}

export interface NotificationEmail {
  to: string;
  language: Language;
  kind: NotificationKind;
  nickname: string;
  actorUsername: string | null;
}

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  clock?: () => Date;
}

/** The member's notification list, read state, email preferences, and the email job's view of one notification. */
export function makeNotificationsService({ db, keyring, clock = () => new Date() }: Deps) {
  /**
   * Notifications whose actor the member blocked or was blocked by since are not shown, nor those
   * whose actor is now in the other age group (P5.2: a minor and an adult never see each other).
   */
  const notBlocked = (memberId: string) => {
    const today = jakartaToday();
    return sql<SqlBool>`(notifications.actor_id IS NULL OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${memberId} AND b.blocked_id = notifications.actor_id) OR (b.blocker_id = notifications.actor_id AND b.blocked_id = ${memberId}))
      AND (SELECT COALESCE(a.adult_from <= ${today}, false) FROM members a WHERE a.id = notifications.actor_id)
        = (SELECT COALESCE(m.adult_from <= ${today}, false) FROM members m WHERE m.id = ${memberId})))`;
  };

  return {
    async list(memberId: string, cursor?: string, limit = 30): Promise<{ notifications: NotificationView[]; next: string | null }> {
      const after = decodeCursor(cursor);
      let query = db
        .selectFrom('notifications')
        .leftJoin('members as actor', 'actor.id', 'notifications.actor_id')
        .select(['notifications.id', 'notifications.kind', 'notifications.object_id', 'notifications.created_at', 'notifications.read_at', 'actor.username', 'actor.nickname'])
        .where('notifications.member_id', '=', memberId)
        .where(notBlocked(memberId));
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('notifications.created_at', '<', after.at), eb.and([eb('notifications.created_at', '=', after.at), eb('notifications.id', '<', after.id)])]),
        );
      }
      const rows = await query.orderBy('notifications.created_at', 'desc').orderBy('notifications.id', 'desc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        notifications: page.map((r) => ({
          id: r.id,
          kind: r.kind,
          actor: r.username && r.nickname ? { username: r.username, nickname: keyring.decrypt(r.nickname, 'members.nickname') } : null,
          objectId: r.object_id,
          createdAt: r.created_at.toISOString(),
          read: r.read_at !== null,
        })),
        next: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
      };
    },

    async unreadCount(memberId: string): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('member_id', '=', memberId)
        .where('read_at', 'is', null)
        .where(notBlocked(memberId))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Marks read; the member's other tabs and devices hear it live (their badges update). */
    async markRead(memberId: string, notificationId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('notifications')
          .set({ read_at: clock() })
          .where('id', '=', notificationId)
          .where('member_id', '=', memberId)
          .where('read_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) {
          const exists = await trx.selectFrom('notifications').select('id').where('id', '=', notificationId).where('member_id', '=', memberId).executeTakeFirst();
          if (!exists) throw new AppError('not_found', 404, 'no such notification for this member');
          return;
        }
        await publishMemberEvent(trx, memberId, { type: 'notifications.read', ids: [notificationId] });
      });
    },

    async markAllRead(memberId: string): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('notifications').set({ read_at: clock() }).where('member_id', '=', memberId).where('read_at', 'is', null).executeTakeFirst();
        const marked = Number(result.numUpdatedRows);
        if (marked > 0) await publishMemberEvent(trx, memberId, { type: 'notifications.read', all: true });
        return marked;
      });
    },

    async preferences(memberId: string): Promise<Record<NotificationKind, boolean>> {
      const rows = await db.selectFrom('notification_preferences').select(['kind', 'email']).where('member_id', '=', memberId).execute();
      const prefs = { ...EMAIL_DEFAULTS };
      for (const r of rows) if (NOTIFICATION_KINDS.includes(r.kind)) prefs[r.kind] = r.email;
      return prefs;
    },

    async setPreferences(memberId: string, email: Partial<Record<NotificationKind, boolean>>): Promise<Record<NotificationKind, boolean>> {
      const now = clock();
      const entries = Object.entries(email).filter(([kind, value]) => NOTIFICATION_KINDS.includes(kind as NotificationKind) && typeof value === 'boolean') as [NotificationKind, boolean][];
      if (entries.length > 0) {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('notification_preferences')
            .values(entries.map(([kind, value]) => ({ member_id: memberId, kind, email: value, updated_at: now })))
            .onConflict((oc) => oc.columns(['member_id', 'kind']).doUpdateSet((eb) => ({ email: eb.ref('excluded.email'), updated_at: eb.ref('excluded.updated_at') })))
            .execute();
          const after = await trx.selectFrom('notification_preferences').select(['kind', 'email']).where('member_id', '=', memberId).execute();
          const on = NOTIFICATION_KINDS.filter((k) => after.find((r) => r.kind === k)?.email ?? EMAIL_DEFAULTS[k]);
          await appendAudit(
            trx,
            { type: 'member', id: memberId },
            { action: 'notifications.preferences_changed', subjectType: 'member', subjectId: memberId, details: { email: [...on] } },
            { purpose: 'service_notices', at: now },
          );
        });
      }
      return this.preferences(memberId);
    },

    /**
     * The email job's view: what to send, or undefined when it no longer applies (read meanwhile,
     * already sent, the member came back online, changed their preference, or is not active).
     */
    async emailFor(notificationId: string): Promise<NotificationEmail | undefined> {
      const row = await db
        .selectFrom('notifications')
        .innerJoin('members', 'members.id', 'notifications.member_id')
        .leftJoin('members as actor', 'actor.id', 'notifications.actor_id')
        .select(['notifications.member_id', 'notifications.kind', 'notifications.read_at', 'notifications.emailed_at', 'members.email', 'members.nickname', 'members.language', 'members.status', 'actor.username as actor_username'])
        .where('notifications.id', '=', notificationId)
        .executeTakeFirst();
      if (!row || row.read_at || row.emailed_at || row.status !== 'active') return undefined;
      if (!(await emailAllowed(db, row.member_id, row.kind))) return undefined;
      if (await isOnline(db, row.member_id, clock())) return undefined;
      return {
        to: keyring.decrypt(row.email, 'members.email'),
        language: row.language,
        kind: row.kind,
        nickname: keyring.decrypt(row.nickname, 'members.nickname'),
        actorUsername: row.actor_username ?? null,
      };
    },

    async markEmailed(notificationId: string): Promise<void> {
      await db.updateTable('notifications').set({ emailed_at: clock() }).where('id', '=', notificationId).execute();
    },
  };
}
export type NotificationsService = ReturnType<typeof makeNotificationsService>;
