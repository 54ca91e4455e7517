import type { ColumnType } from 'kysely';
import type { Visibility } from '../../../common/social/profile.js';

/** Kysely table types of profiles and discovery; `Database` (platform/db/schema.ts) extends this. */
export interface ProfilesTables {
  member_profiles: MemberProfilesTable;
  member_cell_counts: MemberCellCountsTable;
}

/** Listed members showing their area, per location cell; kept by a trigger (migration 0027), read by discovery. */
export interface MemberCellCountsTable {
  cell: string;
  listed: number;
}

type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface MemberProfilesTable {
  member_id: string;
  /** Encrypted (`member_profiles.bio`). */
  bio: string | null;
  bio_visibility: WithDefault<Visibility>;
  /** Codes from the interest catalogue (common/social/profile.ts), in clear for discovery. */
  interests: WithDefault<string[]>;
  /** Free tags, a JSON array, encrypted (`member_profiles.tags`); shown with the interests' visibility. */
  tags: string | null;
  interests_visibility: WithDefault<Visibility>;
  languages: WithDefault<string[]>;
  languages_visibility: WithDefault<Visibility>;
  /** Code from the city list (common/social/cities.ts). */
  city: string | null;
  /** Also governs the distance band others see. */
  city_visibility: WithDefault<Visibility>;
  age_visibility: WithDefault<Visibility>;
  hidden: WithDefault<boolean>;
  plain_ranking: WithDefault<boolean>;
  gender_in_discovery: WithDefault<boolean>;
  /** `{"lat":…,"lng":…}` encrypted (`member_profiles.location_precise`); never sent to any client. */
  location_precise: string | null;
  location_source: 'precise' | 'city' | null;
  /** H3 cell (LOCATION_RESOLUTION) of the precise point or of the city. */
  location_cell: string | null;
  /** Centroid of `location_cell` (a function of the cell, no finer). */
  cell_lat: number | null;
  cell_lng: number | null;
  synthetic: WithDefault<boolean>;
  /** Copy of `members.status = 'active'`, kept in step by a trigger (migration 0022); read only by discovery's walk. */
  member_active: WithDefault<boolean>;
  /** Copy of `members.adult_from` (P5.2 age group), kept in step by a trigger (migration 0022); read only by discovery. */
  adult_from: WithDefault<string | null>;
  active_at: Date;
  created_at: Date;
  updated_at: Date;
}
