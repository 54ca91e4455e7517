/** Kysely table types of updates (posts), likes, comments, notifications; `Database` (platform/db/schema.ts) extends this. */
export interface PostsTables {
  posts: PostsTable;
  post_photos: PostPhotosTable;
  post_likes: PostLikesTable;
  post_comments: PostCommentsTable;
  cross_border_activity: CrossBorderActivityTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
}

export type PostAudience = 'public' | 'connections' | 'only_me';

export interface PostsTable {
  id: string;
  member_id: string;
  audience: PostAudience;
  /** Encrypted ('posts.body'); empty text encrypted too when the update is photos only. */
  body: string;
  idempotency_key: string | null;
  /** ISO country code when posted from outside Indonesia (P6.1, the member's own cross-border activity); null at home. */
  posted_from_country: string | null;
  created_at: Date;
}

export interface PostPhotosTable {
  id: string;
  post_id: string;
  member_id: string;
  position: number;
  storage_path: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  created_at: Date;
}

export interface PostLikesTable {
  post_id: string;
  member_id: string;
  created_at: Date;
}

export interface PostCommentsTable {
  id: string;
  post_id: string;
  member_id: string;
  /** Encrypted ('post_comments.body'). */
  body: string;
  created_at: Date;
}

/** P6.1: the member's own activity from outside Indonesia, recorded as the ground for it (country only, never the IP). */
export interface CrossBorderActivityTable {
  id: string;
  member_id: string;
  activity: 'post_created';
  object_id: string | null;
  country: string;
  created_at: Date;
}

/** `moderation_warning` and `report_handled` are system notices from the moderators (ops/moderation), in the app only by default. */
export const NOTIFICATION_KINDS = ['request_received', 'request_accepted', 'message', 'post_liked', 'post_commented', 'moderation_warning', 'report_handled'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationsTable {
  id: string;
  member_id: string;
  kind: NotificationKind;
  actor_id: string | null;
  object_id: string | null;
  created_at: Date;
  read_at: Date | null;
  emailed_at: Date | null;
}

/** One row per member and kind they changed; a missing row means the kind's default. */
export interface NotificationPreferencesTable {
  member_id: string;
  kind: NotificationKind;
  email: boolean;
  updated_at: Date;
}
