import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface MasterKey {
  /** Short fingerprint naming the key without revealing it (stored beside each wrapped data key). */
  id: string;
  key: Buffer;
}

const KEY_FILE = 'master.key';

/**
 * The master key wraps the data keys and never touches the database. It comes from
 * KENALAN_MASTER_KEY, or from DATA_DIR/master.key, created with mode 0600 on first start.
 */
export function loadMasterKey(options: { fromEnv?: string | undefined; dataDir: string }): MasterKey {
  if (options.fromEnv) return toMasterKey(Buffer.from(options.fromEnv, 'base64'));
  const file = path.join(options.dataDir, KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    // 'wx' fails if another process created it meanwhile, rather than overwriting its key.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  return toMasterKey(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
}

export function toMasterKey(key: Buffer): MasterKey {
  if (key.length !== 32) throw new Error('The master key must be 32 bytes (base64 of 32 random bytes)');
  const id = crypto.createHash('sha256').update('kenalan-master-key-id').update(key).digest('hex').slice(0, 16);
  return { id, key };
}

/** A secret for one named use (cookie signing, …), derived from the master key with HKDF-SHA256. */
export function deriveSecret(master: MasterKey, label: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master.key, Buffer.alloc(0), `kenalan:${label}`, 32));
}
