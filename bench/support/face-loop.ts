// A face engine analysing a demo photo back to back until killed, for bench/cpu-groups.ts's
// `face-worker` variant: this process relays as the server does (header check, IPC), its worker is
// the production one (SCHED_IDLE, FACE_WORKER_CGROUP=auto). Sends 'ready' once the models are warm.
import fs from 'node:fs';
import path from 'node:path';
import { makeFaceEngine } from '../../src/server/verification/face/engine.js';
import { DEMO_DIR } from '../../src/server/verification/face/test-faces.js';

const engine = makeFaceEngine({ size: 1, priority: 'idle', cgroup: 'auto' });
const photo = fs.readFileSync(path.join(DEMO_DIR, 'sample1.jpg'));
let stopping = false;
// SIGTERM: the worker stops and its cgroup goes with it.
process.on('SIGTERM', () => {
  stopping = true;
});
await engine.analyse(photo);
process.send?.('ready');
while (!stopping) await engine.analyse(photo);
await engine.close();
process.exit(0);
