// A worker thread that runs a TypeScript module from source (tests, `npm run dev`, benches): Node 20
// does not pass `--import tsx` on to worker threads, so this registers tsx's loader in the thread
// and then imports the module named in workerData. Compiled builds start the `.js` module directly.
import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
await import(pathToFileURL(workerData.tsModule).href);
