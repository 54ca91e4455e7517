import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { open, seal } from './aead.js';
import type { MasterKey } from './master-key.js';

type KeyKind = 'field' | 'blind_index';

/** Encrypted field values look like `enc:v1:<key id>:<base64 iv‖ct‖tag>`; nothing else is decryptable. */
const PREFIX = 'enc:v1:';

/**
 * Data keys live in `crypto_data_keys`, each wrapped (AES-256-GCM) by the master key. One key per
 * kind is active; retired field keys stay until rotation has re-encrypted every value under them.
 */
export class Keyring {
  private readonly keys = new Map<string, { kind: KeyKind; key: Buffer; active: boolean }>();

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly master: MasterKey,
  ) {}

  static async load(db: Kysely<Database>, master: MasterKey): Promise<Keyring> {
    await ensureActiveKeys(db, master);
    const keyring = new Keyring(db, master);
    await keyring.refresh();
    return keyring;
  }

  /**
   * Re-reads the key table in place, so a rotation done by another process (keys:rotate) is
   * picked up by every service holding this keyring. main.ts calls it periodically.
   */
  async refresh(): Promise<void> {
    const master = this.master;
    const rows = await this.db.selectFrom('crypto_data_keys').selectAll().execute();
    const keys = new Map<string, { kind: KeyKind; key: Buffer; active: boolean }>();
    for (const row of rows) {
      if (row.master_key_id !== master.id) {
        throw new Error(
          `Data key ${row.id} is wrapped by master key ${row.master_key_id}, but the configured master key is ${master.id}. ` +
            'Wrong KENALAN_MASTER_KEY or master.key file?',
        );
      }
      keys.set(row.id, { kind: row.kind, key: unwrap(master, row.id, row.wrapped_key), active: row.status === 'active' });
    }
    this.keys.clear();
    for (const [id, entry] of keys) this.keys.set(id, entry);
  }

  activeKeyId(kind: KeyKind): string {
    for (const [id, k] of this.keys) if (k.kind === kind && k.active) return id;
    throw new Error(`No active ${kind} key`);
  }

  /** `context` is the column (e.g. `support_tickets.email`): a value copied to another column won't decrypt. */
  encrypt(plaintext: string, context: string): string {
    const id = this.activeKeyId('field');
    const sealed = seal(this.key(id), Buffer.from(plaintext, 'utf8'), `${context}|${id}`);
    return `${PREFIX}${id}:${sealed.toString('base64')}`;
  }

  decrypt(value: string, context: string): string {
    const { keyId, sealed } = parseCiphertext(value);
    return open(this.key(keyId), sealed, `${context}|${keyId}`).toString('utf8');
  }

  /** HMAC-SHA256 blind index for equality lookups on an encrypted value (normalize before calling). */
  blindIndex(normalized: string, context: string): string {
    const id = this.activeKeyId('blind_index');
    return crypto.createHmac('sha256', this.key(id)).update(`${context}\u0000${normalized}`).digest('base64url');
  }

  static keyIdOf(value: string): string {
    return parseCiphertext(value).keyId;
  }

  private key(id: string): Buffer {
    const entry = this.keys.get(id);
    if (!entry) throw new Error(`Unknown data key ${id}`);
    return entry.key;
  }
}

export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

function parseCiphertext(value: string): { keyId: string; sealed: Buffer } {
  if (!isCiphertext(value)) throw new Error('Not an encrypted value');
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) throw new Error('Malformed encrypted value');
  return { keyId: rest.slice(0, colon), sealed: Buffer.from(rest.slice(colon + 1), 'base64') };
}

function unwrap(master: MasterKey, id: string, wrapped: string): Buffer {
  return open(master.key, Buffer.from(wrapped, 'base64'), `data-key|${id}`);
}

export function wrapNewDataKey(master: MasterKey, kind: KeyKind): { id: string; wrapped_key: string } {
  const id = `${kind === 'field' ? 'fk' : 'bk'}_${crypto.randomBytes(6).toString('hex')}`;
  const wrapped = seal(master.key, crypto.randomBytes(32), `data-key|${id}`);
  return { id, wrapped_key: wrapped.toString('base64') };
}

async function ensureActiveKeys(db: Kysely<Database>, master: MasterKey): Promise<void> {
  for (const kind of ['field', 'blind_index'] as const) {
    const active = await db
      .selectFrom('crypto_data_keys')
      .select('id')
      .where('kind', '=', kind)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (active) continue;
    const fresh = wrapNewDataKey(master, kind);
    // Another instance may create the key at the same moment; the partial unique index keeps one.
    await db
      .insertInto('crypto_data_keys')
      .values({ ...fresh, kind, master_key_id: master.id, status: 'active' })
      .onConflict((oc) => oc.column('kind').where('status', '=', 'active').doNothing())
      .execute();
  }
}
