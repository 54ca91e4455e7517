/**
 * Demo data: `npm run seed:demo -- [--count 3000] [--seed 42]`.
 *
 * Fills the configured database (DATABASE_URL, or the embedded one in DATA_DIR) with a realistic,
 * clearly fake community for trying Kenalan and for benchmarks:
 *  - members across Indonesian cities with names from @faker-js/faker's `id_ID` locale; every
 *    username starts with `demo_`, every email is at the reserved `example.invalid` domain (RFC 2606:
 *    it can never receive mail), phone numbers are in the 0899-99 range, and NIKs are valid-looking
 *    but fake: their serial (the last four digits) is always 99xx, and the profile row is flagged
 *    `synthetic`. All are adults, active and verified; they sign in with DEMO_PASSWORD.
 *  - a generated avatar each (a gradient with initials, drawn by sharp — never a real face) plus the
 *    thumbnails the profile pages use, under DATA_DIR/media/members/<id>/ like real photos;
 *  - profiles (bio, interests, languages, city and its H3 cell) when the profiles tables exist;
 *  - connections (mostly within a city), conversations with a few messages when chat exists, and
 *    updates with likes and comments.
 * Values are encrypted through the keyring exactly as for real members. Rows go in with bulk
 * inserts inside one transaction; the files are written first and removed if it fails.
 *
 * It refuses to run against a database that holds any member who is not a demo member.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakerID_ID as faker } from '@faker-js/faker';
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import sharp from 'sharp';
import { adultFrom } from '../src/common/age.js';
import { CITIES } from '../src/common/social/cities.js';
import { INTEREST_CODES } from '../src/common/social/profile.js';
import { hashPassword } from '../src/server/identity/password/hash.js';
import type { Keyring } from '../src/server/platform/crypto/keyring.js';
import type { Database } from '../src/server/platform/db/schema.js';
import { NORMALIZERS } from '../src/server/privacy/data-map/normalizers.js';
import { cellOfCity } from '../src/server/social/profiles/location.js';

export const DEMO_USERNAME_PREFIX = 'demo_';
export const DEMO_EMAIL_DOMAIN = 'example.invalid';
export const DEMO_PASSWORD = 'Demo Kenalan bukan sungguhan 2026';
const AT = '\u0040';

export class DemoSeedRefused extends Error {
  constructor(readonly realMembers: number) {
    super(`Refusing to seed demo data: the database holds ${realMembers} member(s) who are not demo members (username not starting with "${DEMO_USERNAME_PREFIX}").`);
    this.name = 'DemoSeedRefused';
  }
}

export interface SeedOptions {
  db: Kysely<Database>;
  keyring: Keyring;
  dataDir: string;
  /** How many members (default 3000). */
  count?: number;
  /** Faker seed, so a run can be repeated (default 42). */
  seed?: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface SeedResult {
  members: number;
  connections: number;
  conversations: number;
  messages: number;
  posts: number;
  likes: number;
  comments: number;
  files: number;
  profiles: boolean;
  chat: boolean;
}

const POST_TEXTS = [
  'Pagi ini ngopi dulu sebelum kerja. Ada rekomendasi kedai kopi enak di {city}?',
  'Akhirnya sampai juga di puncak! Capek tapi puas banget.',
  'Weekend ini ada yang mau main badminton bareng di {city}?',
  'Baru selesai baca buku yang bagus banget. Kalian lagi baca apa?',
  'Hujan deras dari sore, pas banget buat masak mi kuah.',
  'Lagi belajar main gitar, baru bisa tiga kunci hehe.',
  'Ada yang tahu tempat makan seafood yang enak dan murah di {city}?',
  'Habis nonton konser semalam, suaranya masih kebawa sampai sekarang.',
  'Hari ini coba resep rendang dari ibu. Lumayan berhasil!',
  'Sepedaan keliling kota pagi-pagi, udaranya segar sekali.',
  'Senang bisa kenalan dengan banyak orang baru di sini.',
  'Ada rekomendasi drama Korea yang seru untuk ditonton akhir pekan?',
];
const COMMENTS = ['Seru banget!', 'Mau ikut dong', 'Wah, keren!', 'Setuju 👍', 'Aku juga suka itu', 'Kapan-kapan ajak ya', 'Mantap!', 'Semangat terus!'];
const MESSAGES = [
  'Halo! Salam kenal ya 😊',
  'Halo juga! Kamu di {city} juga?',
  'Iya, sudah lama tinggal di sini. Kamu suka ngapain kalau akhir pekan?',
  'Biasanya jalan pagi atau cari tempat makan baru. Kamu?',
  'Sama! Kapan-kapan kita cari kuliner bareng yuk.',
  'Boleh banget, kabari ya.',
];
const BIOS = [
  'Suka jalan-jalan, kopi, dan obrolan panjang.',
  'Pecinta kuliner dan musik akustik. Mari berteman!',
  'Pekerja kantoran yang suka naik gunung saat libur.',
  'Sedang belajar fotografi. Senang bertemu orang baru.',
  'Penggemar buku, film, dan kucing.',
  'Suka olahraga pagi dan masak di rumah.',
];

const fill = (template: string, city: string) => template.replace('{city}', city);
const pick = <T>(items: readonly T[]): T => items[faker.number.int({ min: 0, max: items.length - 1 })]!;
const chunk = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function tableExists(db: Kysely<Database>, table: string): Promise<boolean> {
  const result = await sql<{ exists: boolean }>`SELECT to_regclass(${`public.${table}`}) IS NOT NULL AS exists`.execute(db);
  return Boolean(result.rows[0]?.exists);
}

/** Counts members who are not demo members; the seed runs only when this is zero. */
export async function realMemberCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('username', 'not like', `${DEMO_USERNAME_PREFIX}%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A square avatar: a diagonal gradient of two colours and the initials; never a face. */
async function avatar(initials: string, hue: number, size: number): Promise<Buffer> {
  const a = `hsl(${hue}, 65%, 55%)`;
  const b = `hsl(${(hue + 50) % 360}, 70%, 38%)`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <text x="50%" y="54%" font-family="DejaVu Sans, Arial, sans-serif" font-size="${Math.round(size * 0.38)}" font-weight="700" fill="#ffffff" text-anchor="middle" dominant-baseline="middle">${initials}</text>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** Fills the database with demo members and their activity. Throws DemoSeedRefused if a real member exists. */
export async function seedDemo(options: SeedOptions): Promise<SeedResult> {
  const { db, keyring, dataDir } = options;
  const count = options.count ?? 3000;
  const now = options.now ?? new Date();
  const log = options.log ?? (() => undefined);
  faker.seed(options.seed ?? 42);

  const real = await realMemberCount(db);
  if (real > 0) throw new DemoSeedRefused(real);
  const existing = await db.selectFrom('members').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const offset = Number(existing.n);

  const hasProfiles = await tableExists(db, 'member_profiles');
  const hasChat = await tableExists(db, 'chat_messages');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const enc = (value: string, context: string) => keyring.encrypt(value, context);
  const bidx = (column: string, normalized: string) => keyring.blindIndex(normalized, `members.${column}`);
  const day = 24 * 3600 * 1000;

  // Members.
  interface Demo {
    id: string;
    username: string;
    nickname: string;
    initials: string;
    gender: 'female' | 'male';
    city: (typeof CITIES)[number];
    language: 'id' | 'en';
    createdAt: Date;
  }
  const members: Demo[] = [];
  const memberRows: Insertable<Database['members']>[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i + 1;
    const gender = faker.helpers.arrayElement(['female', 'male'] as const);
    const first = faker.person.firstName(gender);
    const last = faker.person.lastName(gender);
    const username = `${DEMO_USERNAME_PREFIX}${first.toLowerCase().replace(/[^a-z0-9]/g, '')}${n}`.slice(0, 30);
    const city = pick(CITIES);
    const birth = faker.date.birthdate({ mode: 'age', min: 19, max: 55, refDate: now });
    const dob = birth.toISOString().slice(0, 10);
    const [yyyy, mm, dd] = dob.split('-') as [string, string, string];
    const nikDay = String(Number(dd) + (gender === 'female' ? 40 : 0)).padStart(2, '0');
    const nik = `${pick(['31', '32', '33', '34', '35', '36', '51', '73'])}${String(faker.number.int({ min: 1, max: 79 })).padStart(2, '0')}${String(faker.number.int({ min: 1, max: 40 })).padStart(2, '0')}${nikDay}${mm}${yyyy.slice(2)}99${String(n % 100).padStart(2, '0')}`;
    const email = `${username}${AT}${DEMO_EMAIL_DOMAIN}`;
    const phone = `+628999${String(n).padStart(7, '0')}`;
    const createdAt = new Date(now.getTime() - faker.number.int({ min: 1, max: 365 }) * day);
    const language = faker.number.int({ min: 1, max: 10 }) <= 8 ? 'id' : 'en';
    const id = crypto.randomUUID();
    const initials = `${first.charAt(0)}${last.charAt(0)}`.toUpperCase().replace(/[^A-Z]/g, '') || 'K';
    members.push({ id, username, nickname: first, initials, gender, city, language, createdAt });
    memberRows.push({
      id,
      username,
      username_norm: username,
      nickname: enc(first, 'members.nickname'),
      gender,
      email: enc(email, 'members.email'),
      email_bidx: bidx('email', NORMALIZERS.email(email)),
      email_verified_at: createdAt,
      phone: enc(phone, 'members.phone'),
      phone_bidx: bidx('phone', phone),
      phone_verified_at: createdAt,
      nik: enc(nik, 'members.nik'),
      nik_bidx: bidx('nik', nik),
      nik_last4: nik.slice(-4),
      date_of_birth: enc(dob, 'members.date_of_birth'),
      adult_from: adultFrom(dob),
      password_hash: passwordHash,
      language,
      status: 'active',
      idempotency_key: null,
      sms_requested_at: createdAt,
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  log(`members prepared: ${members.length}`);

  // Avatars (files first; removed if the transaction fails).
  const written: string[] = [];
  const photoRows: Insertable<Database['member_photos']>[] = [];
  try {
    for (const m of members) {
      const photoId = crypto.randomUUID();
      const dir = path.join(dataDir, 'media', 'members', m.id);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const hue = faker.number.int({ min: 0, max: 359 });
      const main = await avatar(m.initials, hue, 400);
      for (const [file, bytes] of [
        [`${photoId}.jpg`, main],
        [`${photoId}-320.jpg`, await sharp(main).resize(320).jpeg({ quality: 80 }).toBuffer()],
        [`${photoId}-96.jpg`, await sharp(main).resize(96).jpeg({ quality: 80 }).toBuffer()],
      ] as const) {
        const full = path.join(dir, file);
        await fs.writeFile(full, bytes, { mode: 0o600 });
        written.push(full);
      }
      photoRows.push({ id: photoId, member_id: m.id, storage_path: `media/members/${m.id}/${photoId}.jpg`, mime: 'image/jpeg', width: 400, height: 400, bytes: main.length, created_at: m.createdAt });
    }
    log(`avatars written: ${photoRows.length}`);

    // Connections: each member links to a few others, mostly in the same city.
    const byCity = new Map<string, Demo[]>();
    for (const m of members) byCity.set(m.city.code, [...(byCity.get(m.city.code) ?? []), m]);
    const pairs = new Map<string, [Demo, Demo]>();
    for (const m of members) {
      const wanted = faker.number.int({ min: 1, max: 6 });
      for (let k = 0; k < wanted; k++) {
        const sameCity = byCity.get(m.city.code)!;
        const other = faker.number.int({ min: 1, max: 10 }) <= 7 && sameCity.length > 1 ? pick(sameCity) : pick(members);
        if (other.id === m.id) continue;
        const key = [m.id, other.id].sort().join(':');
        if (!pairs.has(key)) pairs.set(key, [m, other]);
      }
    }
    const connectionRows = [...pairs.values()].flatMap(([a, b]) => {
      const at = new Date(Math.max(a.createdAt.getTime(), b.createdAt.getTime()) + day);
      return [
        { member_id: a.id, other_id: b.id, created_at: at },
        { member_id: b.id, other_id: a.id, created_at: at },
      ];
    });

    // Conversations for about a third of the connections.
    const conversations: { id: string; a: Demo; b: Demo; at: Date }[] = [];
    const messageRows: Record<string, unknown>[] = [];
    if (hasChat) {
      for (const [a, b] of pairs.values()) {
        if (faker.number.int({ min: 1, max: 3 }) !== 1) continue;
        const start = new Date(Math.max(a.createdAt.getTime(), b.createdAt.getTime()) + 2 * day);
        const conversationId = crypto.randomUUID();
        const length = faker.number.int({ min: 2, max: MESSAGES.length });
        let at = start;
        for (let k = 0; k < length; k++) {
          at = new Date(at.getTime() + faker.number.int({ min: 1, max: 180 }) * 60_000);
          const sender = k % 2 === 0 ? a : b;
          messageRows.push({
            id: crypto.randomUUID(),
            conversation_id: conversationId,
            sender_id: sender.id,
            client_key: crypto.randomBytes(12).toString('hex'),
            body: enc(fill(MESSAGES[k]!, a.city.name), 'chat_messages.body'),
            photo_path: null,
            photo_width: null,
            photo_height: null,
            created_at: at,
            delivered_at: at,
            read_at: at,
          });
        }
        conversations.push({ id: conversationId, a, b, at });
      }
    }

    // Updates, likes, comments.
    const postRows: Insertable<Database['posts']>[] = [];
    const likeRows: Insertable<Database['post_likes']>[] = [];
    const commentRows: Insertable<Database['post_comments']>[] = [];
    const connectionsOf = new Map<string, Demo[]>();
    for (const [a, b] of pairs.values()) {
      connectionsOf.set(a.id, [...(connectionsOf.get(a.id) ?? []), b]);
      connectionsOf.set(b.id, [...(connectionsOf.get(b.id) ?? []), a]);
    }
    for (const m of members) {
      const posts = faker.number.int({ min: 0, max: 3 });
      for (let k = 0; k < posts; k++) {
        const id = crypto.randomUUID();
        const createdAt = new Date(now.getTime() - faker.number.int({ min: 1, max: 60 * 24 * 30 }) * 60_000);
        const audience = faker.helpers.weightedArrayElement([
          { value: 'public' as const, weight: 5 },
          { value: 'connections' as const, weight: 4 },
          { value: 'only_me' as const, weight: 1 },
        ]);
        const friends = connectionsOf.get(m.id) ?? [];
        const likers = audience === 'only_me' ? [] : faker.helpers.arrayElements(friends, { min: 0, max: friends.length });
        const commenters = audience === 'only_me' ? [] : faker.helpers.arrayElements(likers, { min: 0, max: Math.min(2, likers.length) });
        postRows.push({
          id,
          member_id: m.id,
          audience,
          body: enc(fill(pick(POST_TEXTS), m.city.name), 'posts.body'),
          idempotency_key: null,
          posted_from_country: null,
          created_at: createdAt,
        });
        for (const l of likers) likeRows.push({ post_id: id, member_id: l.id, created_at: new Date(createdAt.getTime() + 60_000) });
        for (const c of commenters) {
          commentRows.push({ id: crypto.randomUUID(), post_id: id, member_id: c.id, body: enc(pick(COMMENTS), 'post_comments.body'), created_at: new Date(createdAt.getTime() + 120_000) });
        }
      }
    }

    // Policy acceptance, as at sign-up (the current policy text in the member's language).
    const policy = await db
      .selectFrom('policy_versions')
      .innerJoin('policy_documents', 'policy_documents.version', 'policy_versions.version')
      .select(['policy_versions.version', 'policy_documents.language', 'policy_documents.sha256'])
      .where('policy_versions.effective_at', '<=', now)
      .orderBy('policy_versions.effective_at', 'desc')
      .execute();
    const policyFor = (language: 'id' | 'en') => policy.find((p) => p.language === language && p.version === policy[0]?.version);

    await db.transaction().execute(async (trx: Transaction<Database>) => {
      for (const rows of chunk(memberRows, 500)) await trx.insertInto('members').values(rows).execute();
      for (const rows of chunk(photoRows, 1000)) await trx.insertInto('member_photos').values(rows).execute();
      const consentRows = members.flatMap((m) => {
        const text = policyFor(m.language);
        return text
          ? [{ id: crypto.randomUUID(), subject_type: 'member' as const, subject_id: m.id, event: 'policy_accepted' as const, purpose: null, policy_version: text.version, policy_sha256: text.sha256, language: m.language, ip: null, user_agent: null, at: m.createdAt }]
          : [];
      });
      for (const rows of chunk(consentRows, 1000)) await trx.insertInto('consent_ledger').values(rows).execute();
      if (hasProfiles) {
        const profileRows = members.map((m) => {
          const cell = cellOfCity(m.city.code);
          return {
            member_id: m.id,
            bio: enc(pick(BIOS), 'member_profiles.bio'),
            bio_visibility: 'everyone' as const,
            interests: faker.helpers.arrayElements(INTEREST_CODES, { min: 2, max: 6 }),
            interests_visibility: 'everyone' as const,
            languages: m.language === 'en' ? ['id', 'en'] : faker.helpers.arrayElements(['id', 'jv', 'su', 'en'], { min: 1, max: 2 }),
            languages_visibility: 'everyone' as const,
            city: m.city.code,
            city_visibility: 'everyone' as const,
            age_visibility: 'everyone' as const,
            location_precise: null,
            location_source: cell ? ('city' as const) : null,
            location_cell: cell?.cell ?? null,
            cell_lat: cell?.lat ?? null,
            cell_lng: cell?.lng ?? null,
            synthetic: true,
            active_at: new Date(now.getTime() - faker.number.int({ min: 0, max: 14 * 24 * 60 }) * 60_000),
            created_at: m.createdAt,
            updated_at: m.createdAt,
          };
        });
        for (const rows of chunk(profileRows, 500)) await trx.insertInto('member_profiles').values(rows).execute();
      }
      for (const rows of chunk(connectionRows, 2000)) await trx.insertInto('connections').values(rows).onConflict((oc) => oc.doNothing()).execute();
      if (hasChat && conversations.length > 0) {
        for (const rows of chunk(conversations, 1000)) {
          await trx.insertInto('chat_conversations').values(rows.map((c) => ({ id: c.id, created_at: c.at, last_message_at: c.at }))).execute();
          await trx
            .insertInto('chat_members')
            .values(rows.flatMap((c) => [{ conversation_id: c.id, member_id: c.a.id, other_id: c.b.id, created_at: c.at }, { conversation_id: c.id, member_id: c.b.id, other_id: c.a.id, created_at: c.at }]))
            .execute();
        }
        // Each conversation's last message time.
        for (const rows of chunk(messageRows, 1000)) await trx.insertInto('chat_messages').values(rows as Insertable<Database['chat_messages']>[]).execute();
        await sql`UPDATE chat_conversations c SET last_message_at = m.last FROM (SELECT conversation_id, max(created_at) AS last FROM chat_messages GROUP BY conversation_id) m WHERE m.conversation_id = c.id`.execute(trx);
      }
      for (const rows of chunk(postRows, 1000)) await trx.insertInto('posts').values(rows).execute();
      for (const rows of chunk(likeRows, 2000)) await trx.insertInto('post_likes').values(rows).execute();
      for (const rows of chunk(commentRows, 1000)) await trx.insertInto('post_comments').values(rows).execute();
    });
    // Fresh planner statistics: without them the feed's queries plan for the empty tables they were.
    await sql`ANALYZE`.execute(db);
    const result: SeedResult = {
      members: members.length,
      connections: pairs.size,
      conversations: conversations.length,
      messages: messageRows.length,
      posts: postRows.length,
      likes: likeRows.length,
      comments: commentRows.length,
      files: written.length,
      profiles: hasProfiles,
      chat: hasChat,
    };
    log(`seeded: ${JSON.stringify(result)}`);
    return result;
  } catch (err) {
    await Promise.all(written.map((f) => fs.rm(f, { force: true })));
    await Promise.all(members.map((m) => fs.rm(path.join(dataDir, 'media', 'members', m.id), { recursive: true, force: true })));
    throw err;
  }
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const count = Number(flag(args, 'count') ?? 3000);
  const seed = Number(flag(args, 'seed') ?? 42);
  if (!Number.isInteger(count) || count < 1 || count > 200_000) {
    console.error('--count must be a whole number between 1 and 200000');
    return 64;
  }
  const { loadConfig } = await import('../src/server/config.js');
  const { loadMasterKey } = await import('../src/server/platform/crypto/master-key.js');
  const { Keyring } = await import('../src/server/platform/crypto/keyring.js');
  const { lockDataDir } = await import('../src/server/platform/db/data-dir-lock.js');
  const { migrateToLatest } = await import('../src/server/platform/db/migrate.js');
  const { openConfiguredDatabase } = await import('../src/server/platform/db/open.js');
  const config = loadConfig();
  const release = config.DATABASE_URL ? async () => undefined : await lockDataDir(config.dataDir);
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
    const keyring = await Keyring.load(database.db, loadMasterKey({ fromEnv: config.KENALAN_MASTER_KEY, dataDir: config.dataDir }));
    const started = Date.now();
    const result = await seedDemo({ db: database.db, keyring, dataDir: config.dataDir, count, seed, log: (line) => console.log(line) });
    const sample = await database.db.selectFrom('members').select('username').where('username', 'like', `${DEMO_USERNAME_PREFIX}%`).orderBy('created_at', 'desc').executeTakeFirst();
    console.log(`Demo data ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Sign in as any demo member (e.g. ${sample?.username ?? 'demo_…'}) with the password: ${DEMO_PASSWORD}`);
    console.log(JSON.stringify(result));
    return 0;
  } catch (err) {
    if (err instanceof DemoSeedRefused) {
      console.error(err.message);
      return 65;
    }
    throw err;
  } finally {
    await database.close();
    await release();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
