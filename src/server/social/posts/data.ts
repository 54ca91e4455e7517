import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';
import { codeLabelsFromTexts } from '../../privacy/data-map/codes.js';

/**
 * Data-map declarations of updates (posts), their photos, likes, comments, the member's own
 * cross-border activity (P6.1), notifications and notification preferences. Every row names its
 * member in `member_id` (the subject); rows that mention another member (a like or comment on
 * someone's update, the actor of a notification) reference `members.id` with ON DELETE CASCADE:
 * an erased member's likes, comments and the notifications they caused disappear with them.
 */
const content = (label: PersonalField['label'], encrypted = false, category: PersonalField['category'] = 'content'): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: {
    days: 30,
    from: 'account_deleted',
    reason: 'Kept while the member keeps it (they delete it whenever they like); erased within 30 days after the account is deleted.',
  },
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const postsData = declareTable({
  table: 'posts',
  primaryKey: 'id',
  personal: {
    body: content({ id: 'Teks pembaruan Anda', en: 'Text of your update' }, true),
    audience: { ...content({ id: 'Siapa yang boleh melihat pembaruan', en: 'Who may see the update' }, false, 'usage'), codes: codeLabelsFromTexts('posts.web.audience', ['public', 'connections', 'only_me']) },
    posted_from_country: content({ id: 'Negara tempat Anda memposting dari luar Indonesia', en: 'Country you posted from outside Indonesia' }, false, 'location'),
    created_at: content({ id: 'Waktu memposting', en: 'When you posted' }, false, 'usage'),
  },
  nonPersonal: {
    id: 'row identifier',
    member_id: 'the member who posted (the subject)',
    idempotency_key: 'random client retry key',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const postPhotosData = declareTable({
  table: 'post_photos',
  primaryKey: 'id',
  personal: {
    storage_path: content({ id: 'Foto pada pembaruan Anda (berkas, tanpa metadata)', en: 'Photo on your update (file, without metadata)' }),
    created_at: content({ id: 'Waktu foto diunggah', en: 'When the photo was uploaded' }, false, 'usage'),
  },
  nonPersonal: {
    id: 'row identifier',
    post_id: 'the update the photo belongs to',
    member_id: 'the member who posted (the subject)',
    position: 'order of the photo in the update',
    mime: 'image format of the re-encoded file',
    width: 'pixel width of the re-encoded file',
    height: 'pixel height of the re-encoded file',
    bytes: 'file size',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const postLikesData = declareTable({
  table: 'post_likes',
  primaryKey: 'post_id',
  personal: {
    post_id: content({ id: 'Pembaruan yang Anda sukai', en: 'Update you liked' }, false, 'usage'),
    created_at: content({ id: 'Waktu menyukai', en: 'When you liked it' }, false, 'usage'),
  },
  nonPersonal: { member_id: 'the member who liked (the subject)' },
  subject: { kind: 'column', column: 'member_id' },
});

export const postCommentsData = declareTable({
  table: 'post_comments',
  primaryKey: 'id',
  personal: {
    body: content({ id: 'Komentar Anda', en: 'Your comment' }, true),
    post_id: content({ id: 'Pembaruan yang Anda komentari', en: 'Update you commented on' }, false, 'usage'),
    created_at: content({ id: 'Waktu berkomentar', en: 'When you commented' }, false, 'usage'),
  },
  nonPersonal: { id: 'row identifier', member_id: 'the member who commented (the subject)' },
  subject: { kind: 'column', column: 'member_id' },
});

export const crossBorderActivityData = declareTable({
  table: 'cross_border_activity',
  primaryKey: 'id',
  personal: {
    country: {
      ...content({ id: 'Negara tempat Anda beraktivitas dari luar Indonesia', en: 'Country you were active from outside Indonesia' }, false, 'location'),
      purposes: ['account', 'accountability'],
      legalBasis: 'legal_obligation',
      retention: {
        days: 30,
        from: 'account_deleted',
        reason: 'The recorded ground for data leaving Indonesia by your own cross-border activity (policy 6, UU PDP Art. 56); kept with the account, erased within 30 days after it is deleted.',
      },
    },
    activity: content({ id: 'Jenis aktivitas lintas negara', en: 'Kind of cross-border activity' }, false, 'usage'),
    created_at: content({ id: 'Waktu aktivitas lintas negara', en: 'When the cross-border activity happened' }, false, 'usage'),
  },
  nonPersonal: { id: 'row identifier', member_id: 'the member (the subject)', object_id: 'the update it concerns (an id)' },
  subject: { kind: 'column', column: 'member_id' },
});

const notice = (label: PersonalField['label']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['service_notices'],
  legalBasis: 'contract',
  retention: { days: 90, from: 'created', reason: 'Notifications are kept 90 days, and erased with the account.' },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

export const notificationsData = declareTable({
  table: 'notifications',
  expiry: { action: 'delete', clock: ['created_at'] },
  primaryKey: 'id',
  personal: {
    kind: notice({ id: 'Jenis notifikasi', en: 'Kind of notification' }),
    actor_id: notice({ id: 'Anggota yang memicu notifikasi', en: 'Member who caused the notification' }),
    created_at: notice({ id: 'Waktu notifikasi', en: 'When the notification was made' }),
    read_at: notice({ id: 'Waktu notifikasi dibaca', en: 'When you read the notification' }),
    emailed_at: notice({ id: 'Waktu notifikasi dikirim lewat email', en: 'When the notification was emailed' }),
  },
  nonPersonal: { id: 'row identifier', member_id: 'the member notified (the subject)', object_id: 'the request, message or update it is about (an id)' },
  subject: { kind: 'column', column: 'member_id' },
});

export const notificationPreferencesData = declareTable({
  table: 'notification_preferences',
  primaryKey: 'member_id',
  personal: {
    email: {
      ...notice({ id: 'Notifikasi yang Anda terima lewat email', en: 'Notifications you get by email' }),
      retention: { days: 30, from: 'account_deleted', reason: 'Your setting, kept while the account exists and erased within 30 days after it is deleted.' },
    },
  },
  nonPersonal: { member_id: 'the member (the subject)', kind: 'kind of notification the setting is for', updated_at: 'time of the last change' },
  subject: { kind: 'column', column: 'member_id' },
});
