// Export of one member with 10,000 chat messages and 50 photos (issue 5 target: ready ≤ 3 s), on
// PGlite and PostgreSQL. The member and their history come from bench/support; the export is
// requested through the service (password re-entry, rights request, job enqueued) and the timed
// part is the build the job runs: every data-map table's rows of the member, photos, consents,
// accesses, the HTML summary, zipped and encrypted on disk. The ZIP is then opened to check that
// every message and photo is inside.
//
// Usage: npx tsx bench/export.ts
//   DATABASES=pglite,postgres (default both)   PG_URL=postgres://postgres@127.0.0.1:5432/postgres
//   RUNS=3   MESSAGES=10000   PHOTOS=50
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { addHistory, openBenchKenalan, PASSWORD, signUpBenchMember } from './support/member-with-history.js';

const DATABASES = (process.env.DATABASES ?? 'pglite,postgres').split(',');
const RUNS = Number(process.env.RUNS ?? 3);
const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const PHOTOS = Number(process.env.PHOTOS ?? 50);

async function toBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(stream)) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Every entry's unpacked size, and the text of data/content.json (where chat messages are). */
function zipEntries(zip: Buffer): Promise<{ entries: Map<string, number>; content: string }> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const entries = new Map<string, number>();
      let content = '';
      file.on('entry', (entry: yauzl.Entry) => {
        entries.set(entry.fileName, entry.uncompressedSize);
        if (entry.fileName !== 'data/content.json') return file.readEntry();
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          void toBuffer(stream).then((b) => {
            content = b.toString('utf8');
            file.readEntry();
          }, reject);
        });
      });
      file.on('end', () => resolve({ entries, content }));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

async function bench(kind: string): Promise<number[]> {
  const k = await openBenchKenalan(kind, 'export');
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const member = await signUpBenchMember(k, run * 2 + 1);
    const partner = await signUpBenchMember(k, run * 2 + 2);
    await addHistory(k, member, partner, { messages: MESSAGES, photos: PHOTOS, tag: String(run) });
    const { id } = await k.services.exports.request(member, PASSWORD, 'id');
    const start = performance.now();
    const outcome = await k.services.exports.build(id);
    const ms = performance.now() - start;
    if (outcome !== 'built') throw new Error(`export ${outcome}`);
    const { stream } = await k.services.exports.download(member, id, PASSWORD);
    const { entries, content } = await zipEntries(await toBuffer(stream));
    const names = [...entries.keys()];
    const photos = names.filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).length;
    const messages = content.match(/Halo, pesan nomor \d+ dari bench/g)?.length ?? 0;
    if (photos < PHOTOS) throw new Error(`only ${photos} photos in the ZIP`);
    if (messages !== MESSAGES) throw new Error(`${messages} of ${MESSAGES} messages in data/content.json`);
    const bytes = [...entries.values()].reduce((a, b) => a + b, 0);
    timings.push(ms);
    console.log(`${kind} run ${run + 1}: ${ms.toFixed(0)} ms (${messages} messages in data/content.json, ${photos} photos; ${entries.size} entries, ${(bytes / 1e6).toFixed(1)} MB unpacked)`);
  }
  await k.close();
  return timings;
}

for (const kind of DATABASES) {
  const timings = await bench(kind);
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(`${kind}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (target ≤ 3000 ms)`);
}
