import { declareTable, type CounterpartField, type PersonalField } from '../../privacy/data-map/types.js';
import { codeLabelsFromTexts } from '../../privacy/data-map/codes.js';

const relationship = (label: PersonalField['label']): PersonalField => ({
  category: 'usage',
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: { days: 30, from: 'account_deleted', reason: 'Kept while the member keeps it; removed when either member ends it, and within 30 days after either deletes the account.' },
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

/** Who is connected to whom (both directions stored); part of the service the member asked for. */
export const connectionsData = declareTable({
  table: 'connections',
  primaryKey: 'member_id',
  personal: {
    other_id: relationship({ id: 'Koneksi (anggota lain)', en: 'Connection (the other member)' }),
    created_at: relationship({ id: 'Waktu terhubung', en: 'When you connected' }),
  },
  nonPersonal: { member_id: 'the member whose connection this row is' },
  subject: { kind: 'column', column: 'member_id' },
});

/** Blocks the member made. Kept as long as the block stands, for the safety of the member who blocked. */
export const blocksData = declareTable({
  table: 'blocks',
  primaryKey: 'blocker_id',
  personal: {
    blocked_id: { ...relationship({ id: 'Anggota yang Anda blokir', en: 'Member you blocked' }), purposes: ['account', 'security'] },
    created_at: { ...relationship({ id: 'Waktu memblokir', en: 'When you blocked' }), purposes: ['account', 'security'] },
  },
  nonPersonal: { blocker_id: 'the member who blocked' },
  subject: { kind: 'column', column: 'blocker_id' },
});

const requestField = (label: PersonalField['label'], category: PersonalField['category'], encrypted = false): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: {
    days: 30,
    from: 'closed',
    reason: 'A pending request lives at most 30 days; once answered, withdrawn or expired it is kept 30 days so a declined member cannot ask again at once, then deleted. Gone at once when either member deletes the account.',
  },
  encrypted,
  label,
  erasure: { action: 'delete' },
});

/** How a request's status reads on "your data" (the sender's; the recipient's differs only in "declined"). */
const requestStatusLabels = {
  pending: { id: 'Menunggu jawaban', en: 'Waiting for an answer' },
  accepted: { id: 'Diterima — kalian terhubung', en: 'Accepted — you are connected' },
  declined: { id: 'Ditolak', en: 'Declined' },
  withdrawn: { id: 'Anda tarik kembali', en: 'Withdrawn by you' },
  expired: { id: 'Kedaluwarsa tanpa jawaban', en: 'Expired without an answer' },
  ended: { id: 'Berakhir', en: 'Ended' },
};

/** What the recipient sees of a request sent to them (the counterpart view below). */
const receivedField = (label: CounterpartField['label'], category: CounterpartField['category'], encrypted = false): CounterpartField => {
  const { pdpClass, purposes, legalBasis, retention } = requestField(label, category);
  return { category, pdpClass, purposes, legalBasis, retention, encrypted, label };
};

/**
 * Kenalan requests the member sent (the subject is the sender; the recipient is mentioned through
 * `to_id`, which cascades: the request disappears with either member, and only the two of them ever
 * see it). The recipient's "your data" and export show the requests sent to them (the counterpart):
 * who sent it, the introduction, when, and the status as the recipient may know it — a withdrawal,
 * an expiry and a cancellation by a block all read "ended": the recipient is never told of a
 * withdrawal. The sender's own data shows a decline as it is (it is their request, and asking the
 * same member again within the cooldown says so anyway); the app's lists only drop it, no notice.
 */
export const kenalanRequestsData = declareTable({
  table: 'kenalan_requests',
  expiry: { action: 'delete', clock: ['decided_at', 'expires_at'] },
  primaryKey: 'id',
  personal: {
    to_id: requestField({ id: 'Anggota yang Anda ajak berkenalan', en: 'Member you asked to connect' }, 'usage'),
    intro: requestField({ id: 'Pesan perkenalan', en: 'Introduction message' }, 'content', true),
    // A request a block cancelled reads "ended": the sender may be the one who was blocked (a blocked member learns nothing).
    status: { ...requestField({ id: 'Status permintaan kenalan', en: 'Kenalan request status' }, 'usage'), shownAs: { cancelled: 'ended' }, codes: requestStatusLabels },
    created_at: requestField({ id: 'Waktu permintaan dikirim', en: 'When the request was sent' }, 'usage'),
    decided_at: requestField({ id: 'Waktu permintaan dijawab atau berakhir', en: 'When the request was answered or ended' }, 'usage'),
  },
  nonPersonal: {
    id: 'row identifier',
    from_id: 'the member who sent the request (the subject)',
    idempotency_key: 'random client retry key',
    expires_at: 'when an unanswered request lapses (30 days)',
  },
  subject: { kind: 'column', column: 'from_id' },
  counterpart: {
    role: 'recipient',
    column: 'to_id',
    fields: {
      from_id: receivedField({ id: 'Anggota yang mengajak Anda berkenalan', en: 'Member who asked to connect with you' }, 'usage'),
      intro: receivedField({ id: 'Pesan perkenalan yang Anda terima', en: 'Introduction message you received' }, 'content', true),
      status: {
        ...receivedField({ id: 'Status permintaan kenalan yang Anda terima', en: 'Status of a kenalan request you received' }, 'usage'),
        shownAs: { withdrawn: 'ended', expired: 'ended', cancelled: 'ended' },
        codes: { pending: requestStatusLabels.pending, accepted: requestStatusLabels.accepted, declined: { id: 'Anda tolak', en: 'Declined by you' }, ended: requestStatusLabels.ended },
      },
      created_at: receivedField({ id: 'Waktu permintaan kenalan Anda terima', en: 'When you received a kenalan request' }, 'usage'),
    },
  },
});

const reportField = (label: PersonalField['label'], category: PersonalField['category'], encrypted = false): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['security'],
  legalBasis: 'legitimate_interest',
  retention: {
    days: 365,
    from: 'closed',
    reason: 'Kept one year after staff close the case, to handle repeat abuse and appeals (keeping members safe, policy 4.4). When the reporter deletes the account the report stays for staff without their name; when the reported account is deleted the case goes with it.',
  },
  encrypted,
  label,
  // The report outlives the reporter's account (their id is set to NULL): staff must still be able to act on it.
  erasure: { action: 'keep', legalGround: { id: 'kepentingan yang sah: keselamatan anggota lain (menangani penyalahgunaan yang dilaporkan sebelum akun dihapus)', en: 'legitimate interest: the safety of other members (handling abuse reported before the account was deleted)' }, forDays: 365 },
});

/**
 * Reports a member filed (the subject is the reporter; `reporter_id` becomes NULL when they delete
 * their account so staff can still act, `reported_id` cascades with the reported account).
 * Moderators work the queue (ops/moderation); each read of a member's data is audited.
 */
export const moderationCasesData = declareTable({
  table: 'moderation_cases',
  expiry: { action: 'delete', clock: ['closed_at'] },
  primaryKey: 'id',
  personal: {
    reported_id: reportField({ id: 'Anggota yang Anda laporkan', en: 'Member you reported' }, 'usage'),
    category: {
      ...reportField({ id: 'Alasan laporan', en: 'Reason for the report' }, 'usage'),
      codes: codeLabelsFromTexts('connections.report.categories', ['spam', 'scam', 'harassment', 'hate', 'sexual_content', 'minor_safety', 'impersonation', 'other']),
    },
    message: reportField({ id: 'Pesan laporan', en: 'Report message' }, 'content', true),
    evidence_message_ids: reportField({ id: 'Pesan chat yang Anda tunjuk sebagai bukti (ID)', en: 'Chat messages you pointed to as evidence (ids)' }, 'usage'),
    created_at: reportField({ id: 'Waktu melapor', en: 'When you reported' }, 'usage'),
    // The moderator's decision (ops/moderation): about the reported member, so the reporter's "your
    // data" and export show only that it exists (`secret`), never the outcome or the note.
    decision: { ...reportField({ id: 'Keputusan moderator atas laporan', en: 'The moderator’s decision on the report' }, 'usage'), display: 'secret' },
    staff_note: { ...reportField({ id: 'Catatan moderator atas keputusan', en: 'The moderator’s note on the decision' }, 'content', true), display: 'secret' },
    decided_by: {
      ...reportField({ id: 'Moderator yang memutuskan', en: 'Moderator who decided' }, 'usage'),
      purposes: ['security', 'accountability'],
      display: 'secret',
    },
  },
  nonPersonal: {
    id: 'row identifier',
    reporter_id: 'the member who reported (the subject)',
    reporter_blocked: 'whether the report came with a block (a flag)',
    status: 'moderation state',
    closed_at: 'time closed; retention counts from it (NULL while open)',
    subject_erased_at: 'when the reporter was erased; the kept report goes 365 days later (privacy/retention)',
  },
  subject: { kind: 'column', column: 'reporter_id' },
});
