import path from 'node:path';
import type { Config } from '../../config.js';
import { openPglite, openPostgres, type DatabaseHandle } from './database.js';

/** DATABASE_URL → PostgreSQL; otherwise the embedded PGlite database in DATA_DIR/pgdata. */
export function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return config.DATABASE_URL ? openPostgres(config.DATABASE_URL) : openPglite(path.join(config.dataDir, 'pgdata'));
}
