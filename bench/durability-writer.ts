// Child process for bench/durability.ts: writes rows one autocommit at a time through Kenalan's
// own database layer and prints the id of each write once the database acknowledged it.
import { sql } from 'kysely';
import { openPglite, openPostgres } from '../src/server/platform/db/database.js';

const [kind, target] = process.argv.slice(2);
const handle = kind === 'pglite' ? await openPglite(target) : await openPostgres(target!, 1);
await sql`CREATE TABLE IF NOT EXISTS durability_probe (id integer PRIMARY KEY, payload text NOT NULL)`.execute(handle.db);
process.stdout.write('READY\n');
for (let id = 1; ; id++) {
  await sql`INSERT INTO durability_probe (id, payload) VALUES (${id}, ${'x'.repeat(200)})`.execute(handle.db);
  process.stdout.write(`ACK ${id}\n`);
}
