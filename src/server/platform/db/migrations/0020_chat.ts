import { sql, type Kysely } from 'kysely';

/**
 * Chat (issue 4 item 4): 1:1 conversations between connected members, messages encrypted at rest.
 *
 * - `chat_conversations`: one row per pair; its id is derived from the two member ids (see
 *   chat/service.ts), so two first messages sent at the same moment cannot create two conversations.
 * - `chat_members`: each side's own row (subject `member_id`, cascades with that member);
 *   `other_id` is SET NULL when the partner's account is erased, so the history stays readable for
 *   the one who remains ("former member").
 * - `chat_messages`: `sender_id` SET NULL on erasure (shown as "former member"; the body and photo
 *   are wiped first by their declared erasure action); `client_key` is the client's idempotency key,
 *   unique per sender, so a retry after a dropped socket returns the first message.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chat_conversations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_message_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('chat_members')
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('chat_conversations.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('other_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_members_pkey', ['conversation_id', 'member_id'])
    .addCheckConstraint('chat_members_not_self', sql`member_id <> other_id`)
    .execute();
  await db.schema.createIndex('chat_members_member').on('chat_members').columns(['member_id', 'other_id']).unique().execute();
  await db.schema.createIndex('chat_members_other').on('chat_members').column('other_id').execute();

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('chat_conversations.id').onDelete('cascade'))
    .addColumn('sender_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('client_key', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('photo_path', 'text')
    .addColumn('photo_width', 'integer')
    .addColumn('photo_height', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('read_at', 'timestamptz')
    .addColumn('deleted_for_sender', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('deleted_for_recipient', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('deleted_for_both', 'boolean', (c) => c.notNull().defaultTo(false))
    .addCheckConstraint('chat_messages_client_key_length', sql`length(client_key) BETWEEN 8 AND 64`)
    .execute();
  // History pages: keyset on (created_at, id) within one conversation, newest first.
  await db.schema
    .createIndex('chat_messages_history')
    .on('chat_messages')
    .expression(sql`conversation_id, created_at DESC, id DESC`)
    .execute();
  // Idempotency: one message per (sender, client key).
  await db.schema.createIndex('chat_messages_client_key').on('chat_messages').columns(['sender_id', 'client_key']).unique().execute();
  // Unread counts touch only unread rows.
  await sql`CREATE INDEX chat_messages_unread ON chat_messages (conversation_id, sender_id) WHERE read_at IS NULL`.execute(db);
}
