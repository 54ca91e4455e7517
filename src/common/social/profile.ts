import { Type, type Static } from '@sinclair/typebox';

/**
 * Profiles, shared by the server (validation, response schemas) and the web app (forms, checks).
 * P3.3: every field the member fills has a visibility they choose; gender and NIK are never shown
 * to anyone else; the precise location never leaves the server (ADR 0014).
 */

export const VISIBILITIES = ['everyone', 'connections', 'only_me'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
/** Who is looking: a stranger (any other member), a connection, or the member themself. */
export type ViewerLevel = 'stranger' | 'connection' | 'self';

export function visibleTo(visibility: Visibility, level: ViewerLevel): boolean {
  if (level === 'self') return true;
  if (level === 'connection') return visibility !== 'only_me';
  return visibility === 'everyone';
}

/** The fixed interest catalogue: stable codes, labels in both languages (no religion, health or politics: specific data). */
export const INTERESTS = {
  music: { id: 'Musik', en: 'Music' },
  concerts: { id: 'Konser', en: 'Concerts' },
  movies: { id: 'Film', en: 'Movies' },
  kdrama: { id: 'Drama Korea', en: 'Korean dramas' },
  anime: { id: 'Anime', en: 'Anime' },
  reading: { id: 'Membaca', en: 'Reading' },
  writing: { id: 'Menulis', en: 'Writing' },
  photography: { id: 'Fotografi', en: 'Photography' },
  drawing: { id: 'Menggambar', en: 'Drawing' },
  crafts: { id: 'Kerajinan tangan', en: 'Crafts' },
  batik: { id: 'Batik', en: 'Batik' },
  cooking: { id: 'Memasak', en: 'Cooking' },
  culinary: { id: 'Wisata kuliner', en: 'Food hunting' },
  coffee: { id: 'Kopi', en: 'Coffee' },
  travel: { id: 'Jalan-jalan', en: 'Travel' },
  hiking: { id: 'Naik gunung', en: 'Hiking' },
  beach: { id: 'Pantai', en: 'Beaches' },
  diving: { id: 'Menyelam', en: 'Diving' },
  surfing: { id: 'Selancar', en: 'Surfing' },
  camping: { id: 'Berkemah', en: 'Camping' },
  football: { id: 'Sepak bola', en: 'Football' },
  badminton: { id: 'Bulu tangkis', en: 'Badminton' },
  futsal: { id: 'Futsal', en: 'Futsal' },
  basketball: { id: 'Bola basket', en: 'Basketball' },
  running: { id: 'Lari', en: 'Running' },
  cycling: { id: 'Bersepeda', en: 'Cycling' },
  gym: { id: 'Fitnes', en: 'Gym' },
  yoga: { id: 'Yoga', en: 'Yoga' },
  swimming: { id: 'Berenang', en: 'Swimming' },
  silat: { id: 'Pencak silat', en: 'Pencak silat' },
  dance: { id: 'Menari', en: 'Dancing' },
  gaming: { id: 'Gim', en: 'Gaming' },
  esports: { id: 'E-sports', en: 'E-sports' },
  technology: { id: 'Teknologi', en: 'Technology' },
  startups: { id: 'Startup', en: 'Startups' },
  languages: { id: 'Belajar bahasa', en: 'Learning languages' },
  volunteering: { id: 'Kegiatan sosial', en: 'Volunteering' },
  gardening: { id: 'Berkebun', en: 'Gardening' },
  pets: { id: 'Hewan peliharaan', en: 'Pets' },
  fashion: { id: 'Fesyen', en: 'Fashion' },
  karaoke: { id: 'Karaoke', en: 'Karaoke' },
  wayang: { id: 'Wayang', en: 'Wayang' },
} as const satisfies Record<string, { id: string; en: string }>;
export type InterestCode = keyof typeof INTERESTS;
export const INTEREST_CODES = Object.keys(INTERESTS) as InterestCode[];

/** Languages a member can say they speak (codes; names in the module's texts: `profiles.language.<code>`). */
export const PROFILE_LANGUAGES = ['id', 'en', 'jv', 'su', 'mad', 'min', 'bug', 'ban', 'bjn', 'btk', 'ms', 'zh', 'ar', 'ja', 'ko', 'nl', 'de', 'fr', 'es'] as const;
export type ProfileLanguage = (typeof PROFILE_LANGUAGES)[number];

export const PROFILE_LIMITS = {
  bio: 500,
  interests: 10,
  tags: 5,
  tagMin: 2,
  tagMax: 24,
  languages: 6,
  photos: 6,
} as const;

/** A free tag: letters (any script), digits, spaces, hyphens; no links, no @handles, no phone numbers. */
export const TAG_PATTERN = '^[\\p{L}\\p{N}][\\p{L}\\p{N} \\-]*$';

const visibility = Type.Union([Type.Literal('everyone'), Type.Literal('connections'), Type.Literal('only_me')]);
export const visibilitySchema = visibility;

export const profileUpdateRequest = Type.Object(
  {
    bio: Type.String({ maxLength: PROFILE_LIMITS.bio }),
    bioVisibility: visibility,
    interests: Type.Array(Type.String({ maxLength: 32 }), { maxItems: PROFILE_LIMITS.interests, uniqueItems: true }),
    tags: Type.Array(Type.String({ minLength: PROFILE_LIMITS.tagMin, maxLength: PROFILE_LIMITS.tagMax }), { maxItems: PROFILE_LIMITS.tags }),
    interestsVisibility: visibility,
    languages: Type.Array(Type.String({ maxLength: 8 }), { maxItems: PROFILE_LIMITS.languages, uniqueItems: true }),
    languagesVisibility: visibility,
    city: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
    cityVisibility: visibility,
    ageVisibility: visibility,
    hidden: Type.Boolean(),
    genderInDiscovery: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ProfileUpdate = Static<typeof profileUpdateRequest>;

export interface ProfileProblem {
  field: string;
  /** Key of the message under `profiles.problems`. */
  code: 'bioTooLong' | 'unknownInterest' | 'tooManyInterests' | 'tagInvalid' | 'tagLength' | 'tooManyTags' | 'tagDuplicate' | 'unknownLanguage' | 'tooManyLanguages' | 'unknownCity' | 'bioContact';
}

const PHONE_LIKE = /(\+?62|0)8[\d\s-]{7,}/;
const EMAIL_LIKE = /\S+\u0040\S+\.\S+/;

/**
 * Checks a profile update beyond the schema's shape: codes from the catalogues, free tags, and a
 * bio without a phone number or email address (P4.6's spirit: think before publishing contacts).
 * Used by the server (authoritative) and by the web form (same messages before sending).
 */
export function checkProfile(update: ProfileUpdate, cityCodes: readonly string[]): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  if ([...update.bio].length > PROFILE_LIMITS.bio) problems.push({ field: 'bio', code: 'bioTooLong' });
  if (PHONE_LIKE.test(update.bio) || EMAIL_LIKE.test(update.bio)) problems.push({ field: 'bio', code: 'bioContact' });
  if (update.interests.length > PROFILE_LIMITS.interests) problems.push({ field: 'interests', code: 'tooManyInterests' });
  if (update.interests.some((i) => !(i in INTERESTS))) problems.push({ field: 'interests', code: 'unknownInterest' });
  if (update.tags.length > PROFILE_LIMITS.tags) problems.push({ field: 'tags', code: 'tooManyTags' });
  const tagRe = new RegExp(TAG_PATTERN, 'u');
  const seen = new Set<string>();
  for (const raw of update.tags) {
    const tag = normalizeTag(raw);
    if ([...tag].length < PROFILE_LIMITS.tagMin || [...tag].length > PROFILE_LIMITS.tagMax) problems.push({ field: 'tags', code: 'tagLength' });
    else if (!tagRe.test(tag) || PHONE_LIKE.test(tag)) problems.push({ field: 'tags', code: 'tagInvalid' });
    else if (seen.has(tag.toLocaleLowerCase('id'))) problems.push({ field: 'tags', code: 'tagDuplicate' });
    seen.add(tag.toLocaleLowerCase('id'));
  }
  if (update.languages.length > PROFILE_LIMITS.languages) problems.push({ field: 'languages', code: 'tooManyLanguages' });
  if (update.languages.some((l) => !(PROFILE_LANGUAGES as readonly string[]).includes(l))) problems.push({ field: 'languages', code: 'unknownLanguage' });
  if (update.city !== null && !cityCodes.includes(update.city)) problems.push({ field: 'city', code: 'unknownCity' });
  // One message per field is enough.
  return problems.filter((p, i) => problems.findIndex((q) => q.field === p.field) === i);
}

export function normalizeTag(tag: string): string {
  return tag.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Distance bands shown to others, computed from cell centroids (ADR 0014). */
export const DISTANCE_BANDS = ['lt2', '2to5', '5to10', '10to25', '25to50', 'gt50'] as const;
export type DistanceBand = (typeof DISTANCE_BANDS)[number];
const bandSchema = Type.Union([Type.Literal('lt2'), Type.Literal('2to5'), Type.Literal('5to10'), Type.Literal('10to25'), Type.Literal('25to50'), Type.Literal('gt50')]);
export const distanceBandSchema = bandSchema;
/** Upper edge (km) of each band but the last. */
export const BAND_EDGES_KM: Record<Exclude<DistanceBand, 'gt50'>, number> = { lt2: 2, '2to5': 5, '5to10': 10, '10to25': 25, '25to50': 50 };

export function bandFor(km: number): DistanceBand {
  for (const band of DISTANCE_BANDS) {
    if (band === 'gt50') return band;
    if (km < BAND_EDGES_KM[band]) return band;
  }
  return 'gt50';
}

/* ---------- responses: one schema per viewer level; what a level may not see has no property ---------- */

const photoRef = Type.Object({ id: Type.String(), position: Type.Integer() });

/**
 * What another member (stranger or connection) may receive. No gender, NIK, visibility settings or
 * location beyond the city and a distance band; a field the member hid from this viewer is absent.
 */
export const memberProfileView = Type.Object({
  username: Type.String(),
  nickname: Type.String(),
  viewer: Type.Union([Type.Literal('stranger'), Type.Literal('connection'), Type.Literal('self')]),
  bio: Type.Optional(Type.String()),
  interests: Type.Optional(Type.Array(Type.String())),
  tags: Type.Optional(Type.Array(Type.String())),
  languages: Type.Optional(Type.Array(Type.String())),
  city: Type.Optional(Type.String()),
  distanceBand: Type.Optional(bandSchema),
  age: Type.Optional(Type.Integer()),
  photos: Type.Array(photoRef),
  verified: Type.Boolean(),
});
export type MemberProfileView = Static<typeof memberProfileView>;

const ownPhoto = Type.Object({ id: Type.String(), position: Type.Integer(), visibility });

/** The member's own profile: every field with its visibility and settings; never the precise coordinates. */
export const ownProfile = Type.Object({
  username: Type.String(),
  nickname: Type.String(),
  gender: Type.String(),
  bio: Type.String(),
  bioVisibility: visibility,
  interests: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  interestsVisibility: visibility,
  languages: Type.Array(Type.String()),
  languagesVisibility: visibility,
  city: Type.Union([Type.String(), Type.Null()]),
  cityVisibility: visibility,
  age: Type.Integer(),
  ageVisibility: visibility,
  hidden: Type.Boolean(),
  plainRanking: Type.Boolean(),
  genderInDiscovery: Type.Boolean(),
  location: Type.Object({ source: Type.Union([Type.Literal('precise'), Type.Literal('city'), Type.Null()]), restricted: Type.Boolean() }),
  photos: Type.Array(ownPhoto),
});
export type OwnProfile = Static<typeof ownProfile>;

export const discoveryCard = Type.Object({
  username: Type.String(),
  nickname: Type.String(),
  age: Type.Optional(Type.Integer()),
  city: Type.Optional(Type.String()),
  distanceBand: Type.Optional(bandSchema),
  sharedInterests: Type.Array(Type.String()),
  photo: Type.Optional(Type.String()),
  verified: Type.Boolean(),
});
export type DiscoveryCard = Static<typeof discoveryCard>;

export const discoveryPage = Type.Object({
  members: Type.Array(discoveryCard),
  nextOffset: Type.Union([Type.Integer(), Type.Null()]),
  ordering: Type.Union([Type.Literal('personalized'), Type.Literal('plain')]),
});
export type DiscoveryPage = Static<typeof discoveryPage>;
