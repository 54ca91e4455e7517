import { PGlite } from '@electric-sql/pglite';

/**
 * Creates an empty PGlite data directory and exits: run as a child process by `openPglite` the
 * first time a directory is used. PGlite runs initdb in a second WASM instance whose memory the
 * server's process would otherwise keep (≈ 500 MB of RSS until a full GC, bench/results/face.md).
 */
const dir = process.argv[2];
if (!dir) throw new Error('usage: pglite-init <data dir>');
const pglite = await PGlite.create({ dataDir: dir });
await pglite.close();
