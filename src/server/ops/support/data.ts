import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const TICKET_RETENTION = {
  days: 2 * 365,
  from: 'closed' as const,
  reason: 'Kept two years after the ticket closes to handle follow-ups and complaints (policy 1.3).',
};

const ticketField = (label: PersonalField['label'], category: PersonalField['category'], encrypted = true): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['support'],
  legalBasis: 'legitimate_interest',
  retention: TICKET_RETENTION,
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const supportTicketsData = declareTable({
  table: 'support_tickets',
  expiry: { action: 'delete', clock: ['closed_at'] },
  primaryKey: 'id',
  personal: {
    name: ticketField({ id: 'Nama pada permintaan dukungan', en: 'Name on a support request' }, 'identity'),
    email: ticketField({ id: 'Email pada permintaan dukungan', en: 'Email on a support request' }, 'contact'),
    email_bidx: {
      ...ticketField({ id: 'Indeks pencarian email (tersamar)', en: 'Email lookup index (keyed hash)' }, 'contact', false),
      blindIndexOf: { column: 'email', normalize: 'email' },
    },
    message: ticketField({ id: 'Pesan permintaan dukungan', en: 'Support request message' }, 'content'),
  },
  nonPersonal: {
    id: 'row identifier',
    number: 'ticket number',
    idempotency_key: 'random client retry key',
    topic: 'topic from a fixed list',
    language: 'language to answer in',
    status: 'ticket state',
    created_at: 'time filed',
    due_at: 'answer deadline (14 days)',
    closed_at: 'time closed; retention counts from it (NULL while open)',
  },
  subject: { kind: 'blindIndex', column: 'email_bidx', memberColumn: 'email', normalize: 'email', context: 'support_tickets.email' },
});
