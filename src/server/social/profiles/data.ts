import { declareTable, type PersonalField } from '../../privacy/data-map/types.js';

/**
 * Data-map declarations of profiles and discovery. Everything here is what the member chose to
 * fill in; each field's visibility is the member's choice (P3.3). Erased with the account.
 */
const PROFILE_RETENTION = {
  days: 30,
  from: 'account_deleted' as const,
  reason: 'Kept while the account exists (the member edits or clears it any time) and erased within 30 days after the account is deleted.',
};

const profileField = (label: PersonalField['label'], category: PersonalField['category'], encrypted: boolean): PersonalField => ({
  category,
  pdpClass: 'general',
  purposes: ['account'],
  legalBasis: 'contract',
  retention: PROFILE_RETENTION,
  encrypted,
  label,
  erasure: { action: 'delete' },
});

export const memberProfilesData = declareTable({
  table: 'member_profiles',
  primaryKey: 'member_id',
  personal: {
    member_id: profileField({ id: 'Profil Anda', en: 'Your profile' }, 'identity', false),
    bio: profileField({ id: 'Tentang saya', en: 'About me' }, 'content', true),
    interests: profileField({ id: 'Minat (dari daftar)', en: 'Interests (from the list)' }, 'content', false),
    tags: profileField({ id: 'Minat lain (tag bebas)', en: 'Other interests (free tags)' }, 'content', true),
    languages: profileField({ id: 'Bahasa yang Anda kuasai', en: 'Languages you speak' }, 'content', false),
    city: profileField({ id: 'Kota', en: 'City' }, 'location', false),
    location_precise: {
      ...profileField({ id: 'Lokasi tepat perangkat (hanya dengan izin Anda, tidak pernah dikirim ke siapa pun)', en: "Your device's precise location (only with your permission, never sent to anyone)" }, 'location', true),
      // Never sent to any client, not even its owner (ADR 0014): "your data" and the export show that it exists, not the value.
      display: 'secret',
    },
    location_source: {
      ...profileField({ id: 'Asal lokasi untuk penemuan (lokasi tepat atau kota)', en: 'Where your discovery location comes from (precise or city)' }, 'location', false),
      codes: {
        precise: { id: 'Lokasi tepat dari perangkat Anda', en: 'Your device’s precise location' },
        city: { id: 'Kota yang Anda pilih', en: 'The city you chose' },
      },
    },
    location_cell: profileField({ id: 'Sel wilayah (H3, ±36 km²) untuk penemuan', en: 'Area cell (H3, ~36 km²) used by discovery' }, 'location', false),
    cell_lat: profileField({ id: 'Titik tengah sel wilayah (lintang)', en: "Centre of the area cell (latitude)" }, 'location', false),
    cell_lng: profileField({ id: 'Titik tengah sel wilayah (bujur)', en: "Centre of the area cell (longitude)" }, 'location', false),
    active_at: profileField({ id: 'Terakhir aktif (untuk urutan penemuan)', en: 'Last active (for discovery ordering)' }, 'usage', false),
    // A copy of members.adult_from kept in step by a trigger (migration 0022) so discovery keeps minors and
    // adults apart (P5.2) without joining members for every candidate; shown masked like the original.
    adult_from: {
      ...profileField({ id: 'Tanggal genap 18 tahun (salinan untuk penemuan)', en: 'Date of turning 18 (copy used by discovery)' }, 'identity', false),
      display: 'masked',
    },
  },
  nonPersonal: {
    bio_visibility: 'visibility setting chosen by the member',
    interests_visibility: 'visibility setting chosen by the member',
    languages_visibility: 'visibility setting chosen by the member',
    city_visibility: 'visibility setting chosen by the member (also governs the distance band)',
    age_visibility: 'visibility setting chosen by the member',
    hidden: 'incognito setting: not shown in discovery',
    plain_ranking: 'objection to personalized ranking (UU PDP Art. 10): plain ordering',
    gender_in_discovery: 'opt-in to be matched by gender filters',
    synthetic: 'marks benchmark/demo rows, never real members',
    member_active: 'copy of whether the account is active (members.status), kept in step by a trigger, for discovery',
    created_at: 'when the profile was first opened',
    updated_at: 'when the profile was last saved',
  },
  subject: { kind: 'column', column: 'member_id' },
});

export const memberCellCountsData = declareTable({
  table: 'member_cell_counts',
  primaryKey: 'cell',
  personal: {},
  nonPersonal: {
    cell: 'an H3 area cell (~36 km²), not linked to anyone',
    listed: 'how many listed members show their area in the cell (a count kept by a trigger, migration 0027); discovery uses it to choose how to read a distance page',
  },
});
