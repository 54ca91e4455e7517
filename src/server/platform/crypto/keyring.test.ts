import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import type { DatabaseHandle } from '../db/database.js';
import { Keyring, isCiphertext } from './keyring.js';
import { loadMasterKey, toMasterKey } from './master-key.js';

let database: DatabaseHandle;
const master = toMasterKey(crypto.randomBytes(32));
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe('master key', () => {
  it('creates a 0600 key file on first use and reads the same key afterwards', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-key-'));
    const first = loadMasterKey({ dataDir: dir });
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ dataDir: dir }).id).toBe(first.id);
    fs.chmodSync(path.join(dir, 'master.key'), 0o644);
    expect(() => loadMasterKey({ dataDir: dir })).toThrow(/readable by other users/);
    fs.rmSync(dir, { recursive: true });
  });

  it('takes KENALAN_MASTER_KEY when set', () => {
    const key = crypto.randomBytes(32);
    expect(loadMasterKey({ fromEnv: key.toString('base64'), dataDir: '/nonexistent' }).key.equals(key)).toBe(true);
  });
});

describe('keyring', () => {
  it('round-trips values and never stores plaintext', async () => {
    const keyring = await Keyring.load(database.db, master);
    const sealed = keyring.encrypt('Siti Nurhaliza', 'support_tickets.name');
    expect(isCiphertext(sealed)).toBe(true);
    expect(sealed).not.toContain('Siti');
    expect(keyring.decrypt(sealed, 'support_tickets.name')).toBe('Siti Nurhaliza');
    // Two encryptions of one value differ (random IV).
    expect(keyring.encrypt('x', 'support_tickets.name')).not.toBe(keyring.encrypt('x', 'support_tickets.name'));
  });

  it('binds a ciphertext to its column', async () => {
    const keyring = await Keyring.load(database.db, master);
    const sealed = keyring.encrypt('secret', 'support_tickets.name');
    expect(() => keyring.decrypt(sealed, 'support_tickets.message')).toThrow();
  });

  it('detects a tampered ciphertext', async () => {
    const keyring = await Keyring.load(database.db, master);
    const sealed = keyring.encrypt('secret', 'support_tickets.name');
    const [head, body] = [sealed.slice(0, sealed.lastIndexOf(':') + 1), Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64')];
    body[body.length - 1]! ^= 1;
    expect(() => keyring.decrypt(head + body.toString('base64'), 'support_tickets.name')).toThrow();
  });

  it('gives equal blind indexes for equal values only, per column', async () => {
    const keyring = await Keyring.load(database.db, master);
    const a = keyring.blindIndex('siti@example.id', 'support_tickets.email');
    expect(keyring.blindIndex('siti@example.id', 'support_tickets.email')).toBe(a);
    expect(keyring.blindIndex('budi@example.id', 'support_tickets.email')).not.toBe(a);
    expect(keyring.blindIndex('siti@example.id', 'other.email')).not.toBe(a);
  });

  it('stores data keys only wrapped, and refuses another master key', async () => {
    await Keyring.load(database.db, master);
    const rows = await database.db.selectFrom('crypto_data_keys').selectAll().execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(['blind_index', 'field']);
    await expect(Keyring.load(database.db, toMasterKey(crypto.randomBytes(32)))).rejects.toThrow(/Wrong KENALAN_MASTER_KEY/);
  });
});
