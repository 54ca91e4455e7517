import fs from 'node:fs';
import lockfile from 'proper-lockfile';

export class DataDirLockedError extends Error {
  constructor(dir: string) {
    super(
      `Another Kenalan process is using the data directory ${dir}. ` +
        'Stop it first (two processes on one embedded database would corrupt it), or set DATA_DIR to another directory. ' +
        'If that process was killed, its lock expires within 10 seconds.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Holds an exclusive lock on the data directory for the life of the process. PGlite does not lock
 * its files, so this is what stops a second server from opening the same embedded database.
 * proper-lockfile refreshes the lock's mtime; a lock left by a killed process goes stale after 10 s.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return await lockfile.lock(dir, {
      lockfilePath: `${dir}/.kenalan.lock`,
      stale: 10_000,
      update: 2_000,
      retries: 0,
      onCompromised: (err) => {
        // Someone removed or took our lock: continuing could corrupt the database.
        console.error(`Data directory lock lost: ${err.message}. Exiting.`);
        process.exit(1);
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(dir);
    throw err;
  }
}
