// The face models alone, back to back on one frame decoded once, for bench/cpu-groups.ts's
// `face-compute` variant: no sharp decode, no IPC, no relaying process — only the WASM inference the
// face worker does per frame. cpu-groups.ts starts it under `chrt --idle 0`; JOIN_CGROUP puts it into
// the idle cgroup first, as the face worker joins its own. Sends 'ready' once the models are warm.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { loadHuman, MODEL_INPUT_SIDE } from '../../src/server/verification/face/human.js';
import { DEMO_DIR } from '../../src/server/verification/face/test-faces.js';

if (process.env.JOIN_CGROUP) fs.writeFileSync(path.join(process.env.JOIN_CGROUP, 'cgroup.procs'), '0');
const human = await loadHuman();
const raw = await sharp(fs.readFileSync(path.join(DEMO_DIR, 'sample1.jpg')))
  .resize({ width: MODEL_INPUT_SIDE, height: MODEL_INPUT_SIDE, fit: 'inside' })
  .removeAlpha()
  .raw()
  .toBuffer({ resolveWithObject: true });
const frame = human.tf.expandDims(human.tf.tensor3d(new Uint8Array(raw.data), [raw.info.height, raw.info.width, raw.info.channels], 'int32'), 0);
await human.detect(frame);
process.send?.('ready');
for (;;) await human.detect(frame);
