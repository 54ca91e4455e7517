import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

const TRACKING_RETENTION = {
  days: 365,
  from: 'created' as const,
  reason: 'Open and click records are kept one year to measure newsletters, and only for members who consented to tracking.',
};

const delivery = (label: PersonalField['label'], category: PersonalField['category'], purposes: PersonalField['purposes']): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes,
  legalBasis: 'consent',
  retention: TRACKING_RETENTION,
  encrypted: false,
  label,
  erasure: { action: 'delete' },
});

export const newslettersData = declareTable({
  table: 'newsletters',
  primaryKey: 'id',
  personal: {},
  nonPersonal: {
    id: 'row identifier',
    subject_id: 'newsletter subject (Indonesian), written by Kenalan',
    subject_en: 'newsletter subject (English), written by Kenalan',
    body_id: 'newsletter text (Indonesian), written by Kenalan',
    body_en: 'newsletter text (English), written by Kenalan',
    created_at: 'time written',
  },
});

export const newsletterDeliveriesData = declareTable({
  table: 'newsletter_deliveries',
  expiry: { action: 'delete', clock: ['sent_at'] },
  primaryKey: 'id',
  personal: {
    member_id: delivery({ id: 'Penerima buletin', en: 'Newsletter recipient' }, 'usage', ['marketing_email']),
    sent_at: delivery({ id: 'Waktu buletin dikirim kepada Anda', en: 'When a newsletter was sent to you' }, 'usage', ['marketing_email']),
    opened_at: delivery({ id: 'Waktu Anda membuka buletin (hanya dengan persetujuan pelacakan)', en: 'When you opened a newsletter (only with tracking consent)' }, 'usage', ['email_tracking']),
    unsubscribed_at: delivery({ id: 'Waktu Anda berhenti berlangganan dari buletin ini', en: 'When you unsubscribed from this newsletter' }, 'usage', ['marketing_email']),
  },
  nonPersonal: {
    id: 'row identifier',
    newsletter_id: 'which newsletter',
    token_hash: 'sha256 of the random token in the unsubscribe and tracking links',
    language: 'language the newsletter was sent in',
    tracked: 'whether the member had tracking consent when it was sent',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const newsletterClicksData = declareTable({
  table: 'newsletter_clicks',
  expiry: { action: 'delete', clock: ['at'] },
  primaryKey: 'id',
  personal: {
    at: delivery({ id: 'Waktu Anda mengeklik tautan buletin (hanya dengan persetujuan pelacakan)', en: 'When you clicked a newsletter link (only with tracking consent)' }, 'usage', ['email_tracking']),
  },
  nonPersonal: {
    id: 'row identifier',
    delivery_id: 'which delivery (the delivery names the member)',
    link_index: 'which link of the newsletter',
  },
  subject: { kind: 'through', column: 'delivery_id', parentTable: 'newsletter_deliveries', parentKey: 'id', parentMemberColumn: 'member_id' },
});
