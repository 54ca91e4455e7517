import type { ColumnType } from 'kysely';

/** Kysely table types of chat; `Database` (platform/db/schema.ts) extends this. */
export interface ChatTables {
  chat_conversations: ChatConversationsTable;
  chat_members: ChatMembersTable;
  chat_messages: ChatMessagesTable;
}

export interface ChatConversationsTable {
  id: string;
  created_at: Date;
  last_message_at: Date | null;
}

/** Each side's own row of a conversation; `other_id` is null once the partner's account is erased. */
export interface ChatMembersTable {
  conversation_id: string;
  member_id: string;
  other_id: string | null;
  created_at: Date;
}

type Flag = ColumnType<boolean, boolean | undefined, boolean>;

export interface ChatMessagesTable {
  id: string;
  conversation_id: string;
  /** Null once the sender's account is erased ("former member"). */
  sender_id: string | null;
  client_key: string;
  /** `enc:v1:…` (keyring, context `chat_messages.body`); null for a photo without text or once wiped. */
  body: string | null;
  /** `media/members/<sender>/chat/<message id>.jpg` under DATA_DIR; null when none or wiped. */
  photo_path: string | null;
  photo_width: number | null;
  photo_height: number | null;
  created_at: Date;
  delivered_at: Date | null;
  read_at: Date | null;
  deleted_for_sender: Flag;
  deleted_for_recipient: Flag;
  deleted_for_both: Flag;
  /** Set by erasure on a row it keeps; the retention job ends the row `forDays` later (ADR 0016). */
  subject_erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
