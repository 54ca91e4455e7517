import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_policy_and_support.js';
import * as m0003 from './0003_consent_ledger.js';
import * as m0004 from './0004_accounts.js';
import * as m0005 from './0005_sessions.js';
import * as m0009 from './0009_login_security.js';
import * as m0006 from './0006_guardians.js';
import * as m0007 from './0007_recovery.js';
import * as m0008 from './0008_second_factors.js';
import * as m0010 from './0010_newsletters.js';
import * as m0011 from './0011_rights_requests.js';
import * as m0012 from './0012_session_location.js';
import * as m0013 from './0013_social_graph.js';
import * as m0014 from './0014_erasure.js';
import * as m0015 from './0015_policy_changes.js';
import * as m0016 from './0016_rights.js';
import * as m0017 from './0017_face.js';
import * as m0018 from './0018_profiles.js';
import * as m0019 from './0019_requests_reports.js';
import * as m0020 from './0020_chat.js';
import * as m0021 from './0021_posts.js';
import * as m0022 from './0022_discovery_walk.js';
import * as m0023 from './0023_retention.js';
import * as m0024 from './0024_kept_after_erasure.js';
import * as m0025 from './0025_moderation_decisions.js';
import * as m0027 from './0027_member_cell_counts.js';
import * as m0028 from './0028_restore_after_challenge.js';
import * as m0029 from './0029_visitor_consent_retention.js';

/** Forward-only migrations, applied in key order. Add new ones at the end; never edit a landed one. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_policy_and_support': m0002,
  '0003_consent_ledger': m0003,
  '0004_accounts': m0004,
  '0005_sessions': m0005,
  '0009_login_security': m0009,
  '0006_guardians': m0006,
  '0007_recovery': m0007,
  '0008_second_factors': m0008,
  '0010_newsletters': m0010,
  '0011_rights_requests': m0011,
  '0012_session_location': m0012,
  '0013_social_graph': m0013,
  '0014_erasure': m0014,
  '0015_policy_changes': m0015,
  '0016_rights': m0016,
  '0017_face': m0017,
  '0018_profiles': m0018,
  '0019_requests_reports': m0019,
  '0020_chat': m0020,
  '0021_posts': m0021,
  '0022_discovery_walk': m0022,
  '0023_retention': m0023,
  '0024_kept_after_erasure': m0024,
  '0025_moderation_decisions': m0025,
  '0027_member_cell_counts': m0027,
  '0028_restore_after_challenge': m0028,
  '0029_visitor_consent_retention': m0029,
};
