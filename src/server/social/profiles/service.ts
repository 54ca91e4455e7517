import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { jakartaToday } from '../../../common/age.js';
import { CITY_CODES, cityByCode } from '../../../common/social/cities.js';
import {
  checkProfile,
  normalizeTag,
  PROFILE_LIMITS,
  visibleTo,
  type MemberProfileView,
  type OwnProfile,
  type ProfileUpdate,
  type ViewerLevel,
  type Visibility,
} from '../../../common/social/profile.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database, MemberPhotosTable } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { recordRightsRequest } from '../../privacy/rights/requests.js';
import { DEFAULT_PHOTO_LIMITS, processProfilePhoto } from '../../platform/media/image.js';
import { areConnected, canInteract } from '../graph/relations.js';
import { bandBetween, cellOfCity, cellOfPoint } from './location.js';
import type { MemberProfilesTable } from './tables.js';

type Executor = Kysely<Database> | Transaction<Database>;
type Selectable<T> = { [K in keyof T]: T[K] extends import('kysely').ColumnType<infer S, unknown, unknown> ? S : T[K] };
export type ProfileRow = Selectable<MemberProfilesTable>;
type PhotoRow = Pick<Selectable<MemberPhotosTable>, 'id' | 'member_id' | 'storage_path' | 'position' | 'visibility'>;

/** Optional seams filled by other modules when they exist (restriction of processing, face-verified badge). */
export interface ProfileSeams {
  isLocationRestricted?: (db: Executor, memberId: string) => Promise<boolean>;
  verifiedMembers?: (db: Executor, ids: string[]) => Promise<Set<string>>;
}

interface Deps extends ProfileSeams {
  db: Kysely<Database>;
  keyring: Keyring;
  dataDir: string;
  clock?: () => Date;
}

/** Age in whole years today, from the day the member turns 18 (members.adult_from). */
export function ageFrom(adultFrom: string | null, today: string): number | undefined {
  if (!adultFrom) return undefined;
  const [ay, am, ad] = adultFrom.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let age = 18 + (ty - ay);
  if (tm < am || (tm === am && td < ad)) age -= 1;
  return age;
}

/** Only a member active within this long has `active_at` written again (one write per 5 minutes at most). */
const ACTIVITY_GRANULARITY_MS = 5 * 60 * 1000;

export function makeProfileService({ db, keyring, dataDir, clock = () => new Date(), isLocationRestricted, verifiedMembers }: Deps) {
  const enc = (column: 'bio' | 'tags' | 'location_precise', value: string) => keyring.encrypt(value, `member_profiles.${column}`);
  const dec = (column: 'bio' | 'tags' | 'location_precise', value: string) => keyring.decrypt(value, `member_profiles.${column}`);
  const restricted = async (ex: Executor, memberId: string) => (isLocationRestricted ? isLocationRestricted(ex, memberId) : false);
  const verified = async (ex: Executor, ids: string[]) => (verifiedMembers && ids.length > 0 ? verifiedMembers(ex, ids) : new Set<string>());

  async function ensure(ex: Executor, memberId: string): Promise<ProfileRow> {
    const existing = await ex.selectFrom('member_profiles').selectAll().where('member_id', '=', memberId).executeTakeFirst();
    if (existing) return existing as ProfileRow;
    const now = clock();
    await ex.insertInto('member_profiles').values({ member_id: memberId, bio: null, tags: null, city: null, location_precise: null, location_source: null, location_cell: null, cell_lat: null, cell_lng: null, active_at: now, created_at: now, updated_at: now }).onConflict((oc) => oc.doNothing()).execute();
    return (await ex.selectFrom('member_profiles').selectAll().where('member_id', '=', memberId).executeTakeFirstOrThrow()) as ProfileRow;
  }

  async function photosOf(ex: Executor, memberId: string): Promise<PhotoRow[]> {
    return ex
      .selectFrom('member_photos')
      .select(['id', 'member_id', 'storage_path', 'position', 'visibility'])
      .where('member_id', '=', memberId)
      .orderBy('position')
      .orderBy('created_at')
      .execute() as Promise<PhotoRow[]>;
  }

  async function memberByUsername(username: string) {
    return db.selectFrom('members').select(['id', 'username', 'nickname', 'gender', 'adult_from', 'status']).where('username_norm', '=', username.toLowerCase()).executeTakeFirst();
  }

  /**
   * The allow-list: what `level` may see of `row`, field by field. Anything not copied here cannot
   * reach the response (and the per-level response schema strips whatever else might be added).
   */
  function buildView(
    member: { username: string; nickname: string; adult_from: string | null },
    row: ProfileRow,
    photos: PhotoRow[],
    level: ViewerLevel,
    context: { viewerCell: string | null; today: string; verified: boolean },
  ): MemberProfileView {
    const view: MemberProfileView = {
      username: member.username,
      nickname: keyring.decrypt(member.nickname, 'members.nickname'),
      viewer: level,
      photos: photos.filter((p) => visibleTo(p.visibility, level)).map((p, i) => ({ id: p.id, position: i })),
      verified: context.verified,
    };
    if (visibleTo(row.bio_visibility, level) && row.bio) view.bio = dec('bio', row.bio);
    if (visibleTo(row.interests_visibility, level)) {
      view.interests = [...row.interests];
      view.tags = row.tags ? (JSON.parse(dec('tags', row.tags)) as string[]) : [];
    }
    if (visibleTo(row.languages_visibility, level)) view.languages = [...row.languages];
    if (visibleTo(row.city_visibility, level)) {
      if (row.city) view.city = row.city;
      // The band follows the city's visibility; computed from cells only; never for oneself.
      if (level !== 'self' && row.location_cell && context.viewerCell) view.distanceBand = bandBetween(context.viewerCell, row.location_cell);
    }
    if (visibleTo(row.age_visibility, level)) {
      const age = ageFrom(member.adult_from, context.today);
      if (age !== undefined) view.age = age;
    }
    return view;
  }

  async function ownProfile(memberId: string): Promise<OwnProfile> {
    const row = await ensure(db, memberId);
    const member = await db.selectFrom('members').select(['username', 'nickname', 'gender', 'adult_from']).where('id', '=', memberId).executeTakeFirstOrThrow();
    const photos = await photosOf(db, memberId);
    return {
      username: member.username,
      nickname: keyring.decrypt(member.nickname, 'members.nickname'),
      gender: member.gender,
      bio: row.bio ? dec('bio', row.bio) : '',
      bioVisibility: row.bio_visibility,
      interests: [...row.interests],
      tags: row.tags ? (JSON.parse(dec('tags', row.tags)) as string[]) : [],
      interestsVisibility: row.interests_visibility,
      languages: [...row.languages],
      languagesVisibility: row.languages_visibility,
      city: row.city,
      cityVisibility: row.city_visibility,
      age: ageFrom(member.adult_from, jakartaToday(clock())) ?? 0,
      ageVisibility: row.age_visibility,
      hidden: row.hidden,
      plainRanking: row.plain_ranking,
      genderInDiscovery: row.gender_in_discovery,
      location: { source: row.location_source, restricted: await restricted(db, memberId) },
      photos: photos.map((p, i) => ({ id: p.id, position: i, visibility: p.visibility })),
    };
  }

  async function audit(trx: Transaction<Database>, memberId: string, event: Parameters<typeof appendAudit>[2], at: Date) {
    await appendAudit(trx, { type: 'member', id: memberId }, event, { purpose: 'account', at });
  }

  function photoFiles(storagePath: string): string[] {
    const full = path.join(dataDir, storagePath);
    const base = full.replace(/\.jpg$/, '');
    return [full, `${base}-320.jpg`, `${base}-96.jpg`];
  }

  return {
    ensure,
    buildView,
    ownProfile,

    /** Records activity for the ranking's "recently active" (at most one write per 5 minutes). */
    async touch(memberId: string, lastActive?: Date): Promise<void> {
      const now = clock();
      if (lastActive && lastActive.getTime() >= now.getTime() - ACTIVITY_GRANULARITY_MS) return;
      if (!lastActive) await ensure(db, memberId);
      await db
        .updateTable('member_profiles')
        .set({ active_at: now })
        .where('member_id', '=', memberId)
        .where('active_at', '<', new Date(now.getTime() - ACTIVITY_GRANULARITY_MS))
        .execute();
    },

    async update(memberId: string, update: ProfileUpdate): Promise<OwnProfile> {
      const tags = update.tags.map(normalizeTag);
      const problems = checkProfile({ ...update, tags }, CITY_CODES);
      if (problems.length > 0) {
        throw new AppError('validation_failed', 400, 'profile invalid', { fields: problems.map((p) => ({ field: p.field, code: p.code, messageKey: `profiles.problems.${p.code}` })) });
      }
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const before = await ensure(trx, memberId);
        const bio = update.bio.trim();
        const next = {
          bio: bio ? enc('bio', bio) : null,
          bio_visibility: update.bioVisibility,
          interests: update.interests,
          tags: tags.length > 0 ? enc('tags', JSON.stringify(tags)) : null,
          interests_visibility: update.interestsVisibility,
          languages: update.languages,
          languages_visibility: update.languagesVisibility,
          city: update.city,
          city_visibility: update.cityVisibility,
          age_visibility: update.ageVisibility,
          hidden: update.hidden,
          gender_in_discovery: update.genderInDiscovery,
          updated_at: now,
        };
        // Without a precise location the city's cell stands in for it.
        const cityCell = before.location_source === 'precise' ? undefined : cellOfCity(update.city);
        const location =
          before.location_source === 'precise'
            ? {}
            : cityCell
              ? { location_source: 'city' as const, location_cell: cityCell.cell, cell_lat: cityCell.lat, cell_lng: cityCell.lng }
              : { location_source: null, location_cell: null, cell_lat: null, cell_lng: null };
        await trx.updateTable('member_profiles').set({ ...next, ...location }).where('member_id', '=', memberId).execute();
        const oldTags = before.tags ? dec('tags', before.tags) : '[]';
        const oldBio = before.bio ? dec('bio', before.bio) : '';
        const changed = [
          oldBio !== bio && 'bio',
          before.bio_visibility !== update.bioVisibility && 'bioVisibility',
          before.interests.join() !== update.interests.join() && 'interests',
          oldTags !== JSON.stringify(tags) && 'tags',
          before.interests_visibility !== update.interestsVisibility && 'interestsVisibility',
          before.languages.join() !== update.languages.join() && 'languages',
          before.languages_visibility !== update.languagesVisibility && 'languagesVisibility',
          before.city !== update.city && 'city',
          before.city_visibility !== update.cityVisibility && 'cityVisibility',
          before.age_visibility !== update.ageVisibility && 'ageVisibility',
          before.hidden !== update.hidden && 'hidden',
          before.gender_in_discovery !== update.genderInDiscovery && 'genderInDiscovery',
        ].filter((f): f is string => typeof f === 'string');
        if (changed.length > 0) await audit(trx, memberId, { action: 'profiles.updated', subjectType: 'member', subjectId: memberId, details: { fields: changed } }, now);
      });
      return ownProfile(memberId);
    },

    /**
     * Objection to personalized ranking (UU PDP Art. 10): on → discovery orders by recent activity
     * only. Turning it on is recorded as a rights request of kind `objection`, completed at once.
     */
    async setPlainRanking(memberId: string, plain: boolean): Promise<{ plainRanking: boolean }> {
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const before = await ensure(trx, memberId);
        if (before.plain_ranking === plain) return;
        await trx.updateTable('member_profiles').set({ plain_ranking: plain, updated_at: now }).where('member_id', '=', memberId).execute();
        let requestId: string | null = null;
        if (plain) {
          requestId = await recordRightsRequest(trx, { memberId, kind: 'objection', at: now, completed: true });
        }
        await audit(trx, memberId, { action: 'profiles.ranking_objection', subjectType: 'member', subjectId: memberId, details: { requestId, plain } }, now);
      });
      return { plainRanking: plain };
    },

    /** Precise location, given with the browser's permission: stored encrypted, reduced to a cell. */
    async setPreciseLocation(memberId: string, lat: number, lng: number): Promise<{ source: 'precise' | 'city' | null; restricted: boolean }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const row = await ensure(trx, memberId);
        const isRestricted = await restricted(trx, memberId);
        if (isRestricted) {
          // Restricted processing of location: never store the point; the city stands in.
          const city = cellOfCity(row.city);
          await trx
            .updateTable('member_profiles')
            .set({ location_precise: null, location_source: city ? 'city' : null, location_cell: city?.cell ?? null, cell_lat: city?.lat ?? null, cell_lng: city?.lng ?? null, updated_at: now })
            .where('member_id', '=', memberId)
            .execute();
          await audit(trx, memberId, { action: 'profiles.location_set', subjectType: 'member', subjectId: memberId, details: { source: city ? 'city' : 'none', restricted: true } }, now);
          return { source: city ? ('city' as const) : null, restricted: true };
        }
        const cell = cellOfPoint(lat, lng);
        await trx
          .updateTable('member_profiles')
          .set({ location_precise: enc('location_precise', JSON.stringify({ lat, lng })), location_source: 'precise', location_cell: cell.cell, cell_lat: cell.lat, cell_lng: cell.lng, updated_at: now })
          .where('member_id', '=', memberId)
          .execute();
        await audit(trx, memberId, { action: 'profiles.location_set', subjectType: 'member', subjectId: memberId, details: { source: 'precise', restricted: false } }, now);
        return { source: 'precise' as const, restricted: false };
      });
    },

    /** Forgets the precise point; the city's cell (if any) stands in. */
    async clearPreciseLocation(memberId: string): Promise<{ source: 'precise' | 'city' | null; restricted: boolean }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const row = await ensure(trx, memberId);
        const city = cellOfCity(row.city);
        await trx
          .updateTable('member_profiles')
          .set({ location_precise: null, location_source: city ? 'city' : null, location_cell: city?.cell ?? null, cell_lat: city?.lat ?? null, cell_lng: city?.lng ?? null, updated_at: now })
          .where('member_id', '=', memberId)
          .execute();
        await audit(trx, memberId, { action: 'profiles.location_set', subjectType: 'member', subjectId: memberId, details: { source: city ? 'city' : 'none', restricted: await restricted(trx, memberId) } }, now);
        return { source: city ? ('city' as const) : null, restricted: await restricted(trx, memberId) };
      });
    },

    /** `GET /api/members/:username`: the viewer's view (stranger, connection or self); 404 for anything canInteract refuses. */
    async viewMember(viewerId: string, username: string): Promise<MemberProfileView> {
      const member = await memberByUsername(username);
      if (!member) throw new AppError('not_found', 404, 'no such member');
      let level: ViewerLevel = 'self';
      if (member.id !== viewerId) {
        if ((await canInteract(db, viewerId, member.id, jakartaToday(clock()))) !== 'ok') throw new AppError('not_found', 404, 'member not visible');
        level = (await areConnected(db, viewerId, member.id)) ? 'connection' : 'stranger';
      }
      const row = await ensure(db, member.id);
      const viewer = level === 'self' ? row : await ensure(db, viewerId);
      const photos = await photosOf(db, member.id);
      const isVerified = (await verified(db, [member.id])).has(member.id);
      return buildView(member, row, photos, level, { viewerCell: viewer.location_cell, today: jakartaToday(clock()), verified: isVerified });
    },

    /** "See my profile as a stranger / as a connection". */
    async preview(memberId: string, as: 'stranger' | 'connection'): Promise<MemberProfileView> {
      const row = await ensure(db, memberId);
      const member = await db.selectFrom('members').select(['username', 'nickname', 'adult_from']).where('id', '=', memberId).executeTakeFirstOrThrow();
      const photos = await photosOf(db, memberId);
      const isVerified = (await verified(db, [memberId])).has(memberId);
      return buildView(member, row, photos, as, { viewerCell: null, today: jakartaToday(clock()), verified: isVerified });
    },

    /** Adds a photo: checked (count, then bytes) before anything is stored; re-encoded without metadata. */
    async addPhoto(memberId: string, bytes: Buffer, visibility: Visibility): Promise<OwnProfile> {
      const count = await db.selectFrom('member_photos').select((eb) => eb.fn.countAll<string>().as('n')).where('member_id', '=', memberId).executeTakeFirstOrThrow();
      if (Number(count.n) >= PROFILE_LIMITS.photos) {
        throw new AppError('validation_failed', 400, 'too many photos', { fields: [{ field: 'photo', code: 'tooManyPhotos', messageKey: 'profiles.problems.tooManyPhotos', params: { max: PROFILE_LIMITS.photos } }] });
      }
      const photo = await processProfilePhoto(bytes);
      if (!photo.ok) {
        const l = DEFAULT_PHOTO_LIMITS;
        throw new AppError('validation_failed', 400, 'photo refused', {
          fields: [
            {
              field: 'photo',
              code: photo.error,
              messageKey: `media.${photo.error}`,
              params: { maxMegabytes: Math.floor(l.maxBytes / (1024 * 1024)), maxSide: l.maxSide, maxMegapixels: Math.floor(l.maxPixels / 1_000_000), minSide: l.minSide },
            },
          ],
        });
      }
      const now = clock();
      const photoId = crypto.randomUUID();
      const dir = path.join(dataDir, 'media', 'members', memberId, 'profile');
      const files = [
        { file: path.join(dir, `${photoId}.jpg`), bytes: photo.image.bytes },
        ...photo.thumbnails.map((th) => ({ file: path.join(dir, `${photoId}-${th.size}.jpg`), bytes: th.bytes })),
      ];
      try {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        for (const { file, bytes: b } of files) await fs.writeFile(file, b, { mode: 0o600 });
        await db.transaction().execute(async (trx) => {
          // Lock the member's photos so two uploads cannot both pass the count.
          const existing = await trx.selectFrom('member_photos').select(['id', 'position']).where('member_id', '=', memberId).forUpdate().execute();
          if (existing.length >= PROFILE_LIMITS.photos) {
            throw new AppError('validation_failed', 400, 'too many photos', { fields: [{ field: 'photo', code: 'tooManyPhotos', messageKey: 'profiles.problems.tooManyPhotos', params: { max: PROFILE_LIMITS.photos } }] });
          }
          const position = existing.reduce((max, p) => Math.max(max, p.position + 1), 0);
          await trx
            .insertInto('member_photos')
            .values({
              id: photoId,
              member_id: memberId,
              storage_path: `media/members/${memberId}/profile/${photoId}.jpg`,
              mime: photo.image.mime,
              width: photo.image.width,
              height: photo.image.height,
              bytes: photo.image.bytes.length,
              created_at: now,
              position,
              visibility,
            })
            .execute();
          await audit(trx, memberId, { action: 'profiles.photo_added', subjectType: 'member', subjectId: memberId, details: { photoId } }, now);
        });
      } catch (error) {
        await Promise.all(files.map(({ file }) => fs.rm(file, { force: true })));
        throw error;
      }
      return ownProfile(memberId);
    },

    async removePhoto(memberId: string, photoId: string): Promise<OwnProfile> {
      const now = clock();
      const removed = await db.transaction().execute(async (trx) => {
        const photos = await trx.selectFrom('member_photos').select(['id', 'storage_path']).where('member_id', '=', memberId).forUpdate().execute();
        const photo = photos.find((p) => p.id === photoId);
        if (!photo) throw new AppError('not_found', 404, 'no such photo');
        if (photos.length <= 1) throw new AppError('validation_failed', 400, 'last photo', { fields: [{ field: 'photo', code: 'lastPhoto', messageKey: 'profiles.problems.lastPhoto' }] });
        await trx.deleteFrom('member_photos').where('id', '=', photoId).execute();
        await audit(trx, memberId, { action: 'profiles.photo_removed', subjectType: 'member', subjectId: memberId, details: { photoId } }, now);
        return photo;
      });
      await Promise.all(photoFiles(removed.storage_path).map((f) => fs.rm(f, { force: true })));
      return ownProfile(memberId);
    },

    async reorderPhotos(memberId: string, ids: string[]): Promise<OwnProfile> {
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const photos = await trx.selectFrom('member_photos').select('id').where('member_id', '=', memberId).forUpdate().execute();
        const mine = new Set(photos.map((p) => p.id));
        if (ids.length !== mine.size || new Set(ids).size !== ids.length || ids.some((id) => !mine.has(id))) {
          throw new AppError('validation_failed', 400, 'order must list every photo once', { fields: [{ field: 'ids', code: 'photoOrder', messageKey: 'profiles.problems.photoOrder' }] });
        }
        for (const [position, id] of ids.entries()) await trx.updateTable('member_photos').set({ position }).where('id', '=', id).execute();
        await audit(trx, memberId, { action: 'profiles.photos_reordered', subjectType: 'member', subjectId: memberId, details: { photos: ids.length } }, now);
      });
      return ownProfile(memberId);
    },

    async setPhotoVisibility(memberId: string, photoId: string, visibility: Visibility): Promise<OwnProfile> {
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('member_photos').set({ visibility }).where('id', '=', photoId).where('member_id', '=', memberId).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 404, 'no such photo');
        await audit(trx, memberId, { action: 'profiles.photo_changed', subjectType: 'member', subjectId: memberId, details: { photoId } }, now);
      });
      return ownProfile(memberId);
    },

    /**
     * The file of one photo for `viewerId`, or 404: the owner sees every photo; anyone else only a
     * photo visible at their level, and only when canInteract allows (blocked, minors↔adults, inactive).
     */
    async photoFile(viewerId: string, username: string, photoId: string, size: 'full' | '320' | '96'): Promise<string> {
      const member = await memberByUsername(username);
      if (!member) throw new AppError('not_found', 404, 'no such member');
      let level: ViewerLevel = 'self';
      if (member.id !== viewerId) {
        if ((await canInteract(db, viewerId, member.id, jakartaToday(clock()))) !== 'ok') throw new AppError('not_found', 404, 'member not visible');
        level = (await areConnected(db, viewerId, member.id)) ? 'connection' : 'stranger';
      }
      const photo = await db.selectFrom('member_photos').select(['storage_path', 'visibility']).where('id', '=', photoId).where('member_id', '=', member.id).executeTakeFirst();
      if (!photo || !visibleTo(photo.visibility, level)) throw new AppError('not_found', 404, 'photo not visible');
      const [full, s320, s96] = photoFiles(photo.storage_path) as [string, string, string];
      return size === 'full' ? full : size === '320' ? s320 : s96;
    },

    /** The city list in the member's language order (names are proper nouns). */
    cities() {
      return CITY_CODES.map((code) => ({ code, name: cityByCode(code)!.name, province: cityByCode(code)!.province }));
    },
  };
}

export type ProfileService = ReturnType<typeof makeProfileService>;
