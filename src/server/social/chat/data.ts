import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const chatField = (label: PersonalField['label'], extra: Partial<PersonalField> = {}): PersonalField => ({
  category: 'content',
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: {
    days: 30,
    from: 'account_deleted',
    reason: 'Kept while the member keeps the conversation; wiped when deleted for both, and at the latest within 30 days after the account is deleted.',
  },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
  ...extra,
});

/** A conversation between two members: only an id and times; who takes part is in `chat_members`. */
export const chatConversationsData = declareTable({
  table: 'chat_conversations',
  primaryKey: 'id',
  personal: {},
  nonPersonal: {
    id: 'conversation identifier (derived from the pair, so it is created once)',
    created_at: 'when the conversation started',
    last_message_at: 'when the last message was sent, for ordering the list',
  },
  subject: { kind: 'none', reason: 'The conversation row names nobody; each participant has their own row in chat_members.' },
});

/** Each member's own side of a conversation. */
export const chatMembersData = declareTable({
  table: 'chat_members',
  primaryKey: 'conversation_id',
  personal: {
    other_id: chatField(
      { id: 'Lawan bicara dalam percakapan', en: 'The other member in a conversation' },
      {
        category: 'usage',
        // FK ON DELETE SET NULL: when the partner's account is erased, this member keeps their own
        // history, shown with a "former member"; the erased member's id is gone from the row.
        erasure: { action: 'delete' },
      },
    ),
    created_at: chatField({ id: 'Waktu percakapan dimulai', en: 'When the conversation started' }, { category: 'usage' }),
  },
  nonPersonal: {
    conversation_id: 'the conversation',
    member_id: 'the member whose side of the conversation this row is',
  },
  subject: { kind: 'column', column: 'member_id' },
});

/**
 * Messages. The subject is the sender (the member's own words and photos). `sender_id` is a FK
 * with ON DELETE SET NULL, chosen deliberately: the message stays in the partner's history as a
 * tombstone from a "former member", while its body and photo are wiped by their erasure action
 * (the photo file itself lives under the sender's media folder, which erasure deletes).
 */
export const chatMessagesData = declareTable({
  table: 'chat_messages',
  primaryKey: 'id',
  personal: {
    body: chatField({ id: 'Isi pesan chat yang Anda kirim', en: 'Chat messages you sent' }, { encrypted: true, erasure: { action: 'anonymize', replacement: '' } }),
    photo_path: chatField({ id: 'Foto yang Anda kirim di chat', en: 'Photos you sent in chat' }, { erasure: { action: 'anonymize', replacement: '' } }),
    created_at: chatField({ id: 'Waktu pesan dikirim', en: 'When you sent a message' }, { category: 'usage', erasure: { action: 'keep', legalGround: { id: 'lawan bicara tetap menyimpan waktu pesan yang mereka terima dalam riwayat mereka sendiri (jejak dari mantan anggota)', en: 'the partner keeps the time of the messages they received in their own history (a tombstone from a former member)' }, forDays: 30 } }),
    delivered_at: chatField({ id: 'Waktu pesan diterima', en: 'When a message was delivered' }, { category: 'usage', erasure: { action: 'keep', legalGround: { id: 'bagian dari riwayat percakapan milik lawan bicara', en: 'part of the partner’s own history of the conversation' }, forDays: 30 } }),
    read_at: chatField({ id: 'Waktu pesan dibaca', en: 'When a message was read' }, { category: 'usage', erasure: { action: 'keep', legalGround: { id: 'bagian dari riwayat percakapan milik lawan bicara', en: 'part of the partner’s own history of the conversation' }, forDays: 30 } }),
  },
  nonPersonal: {
    id: 'message identifier',
    conversation_id: 'the conversation',
    sender_id: 'the member who sent it (the subject); null once that account is erased',
    client_key: 'random idempotency key chosen by the sender’s app',
    photo_width: 'photo width in pixels',
    photo_height: 'photo height in pixels',
    deleted_for_sender: 'hidden from the sender’s own view',
    deleted_for_recipient: 'hidden from the recipient’s view',
    deleted_for_both: 'deleted for both: body and photo wiped, a tombstone remains',
    subject_erased_at: 'when the sender was erased; the tombstone goes 30 days later (privacy/retention)',
  },
  subject: { kind: 'column', column: 'sender_id' },
});
