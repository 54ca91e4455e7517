import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_policy_and_support.js';
import * as m0003 from './0003_consent_ledger.js';
import * as m0004 from './0004_accounts.js';
import * as m0005 from './0005_sessions.js';

/** Forward-only migrations, applied in key order. Add new ones at the end; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_policy_and_support': m0002,
  '0003_consent_ledger': m0003,
  '0004_accounts': m0004,
  '0005_sessions': m0005,
};
