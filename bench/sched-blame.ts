// Who delays whom: reads `perf sched timehist` output and, for the tasks you name, reports how long
// they waited to run after being woken (scheduling delay) and which tasks held their CPU meanwhile —
// split into time bins where a "busy" task (the face worker) ran and bins where it did not.
// This is how bench/results/face.md (run 11) told the face worker's own share of other requests'
// added delay (≈ 5 %) from the rest.
// Usage (root, Linux perf):
//   perf sched record -o /tmp/s.data -- sleep 60        # while bench/face.ts runs its windows
//   perf sched timehist -i /tmp/s.data > /tmp/s.txt
//   npx tsx bench/sched-blame.ts /tmp/s.txt --busy 'node[4321]' --who 'node[1234]' --who postgres
// --who: a task as timehist names it (`comm[tid]` or `comm[tid/pid]`) or a bare comm (all of its
// tasks); --busy: the task whose running marks a bin busy (≥ half of the bin; bins where it ran less,
// but not nothing, are left out, as are bins before it first ran); BIN_MS=100; MIN_DELAY_MS=0.2.
import fs from 'node:fs';

interface Switch {
  /** When the task left the CPU (s). */
  at: number;
  cpu: string;
  task: string;
  delayMs: number;
  runMs: number;
}

const args = process.argv.slice(2);
const file = args[0];
const named = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
const who = named('--who');
const busyTask = named('--busy')[0];
if (!file || who.length === 0 || !busyTask) {
  console.error("usage: npx tsx bench/sched-blame.ts timehist.txt --busy 'node[4321]' --who 'node[1234]' [--who postgres …]");
  process.exit(2);
}
const BIN_S = Number(process.env.BIN_MS ?? 100) / 1000;
const MIN_DELAY_MS = Number(process.env.MIN_DELAY_MS ?? 0.2);

// timehist lines: time cpu task wait-time sch-delay run-time (three header lines first).
const switches: Switch[] = [];
for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(3)) {
  const f = line.trim().split(/\s+/);
  if (f.length < 6 || !/^\d+\.\d+$/.test(f[0]!)) continue;
  switches.push({ at: Number(f[0]), cpu: f[1]!, task: f.slice(2, -3).join(' '), delayMs: Number(f.at(-2)), runMs: Number(f.at(-1)) });
}
if (switches.length === 0) throw new Error(`${file}: no timehist lines`);

const comm = (task: string) => task.replace(/\[.*$/, '');
const matches = (task: string, name: string) => task === name || (!name.includes('[') && comm(task) === name);
// The busy task's own threads (`comm[tid/pid]`) count as it.
const busyPid = /\[(\d+)\]$/.exec(busyTask)?.[1];
const isBusyTask = (task: string) => matches(task, busyTask) || (busyPid !== undefined && task.endsWith(`/${busyPid}]`));
const t0 = switches[0]!.at;
const bin = (at: number) => Math.floor((at - t0) / BIN_S);
const busyRunMs = new Map<number, number>();
for (const s of switches) if (isBusyTask(s.task)) busyRunMs.set(bin(s.at), (busyRunMs.get(bin(s.at)) ?? 0) + s.runMs);
if (busyRunMs.size === 0) throw new Error(`${busyTask} never ran`);
const firstBusy = Math.min(...busyRunMs.keys());
const kindOf = (at: number): 'busy' | 'idle' | undefined => {
  const b = bin(at);
  if (b < firstBusy) return undefined;
  const ran = busyRunMs.get(b) ?? 0;
  return ran >= (BIN_S * 1000) / 2 ? 'busy' : ran === 0 ? 'idle' : undefined;
};

const quantile = (xs: number[], q: number) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!);
// A thread of the busy task, or of any process, is reported under its process (`comm[pid]`).
const holder = (task: string) => task.replace(/\[(\d+)\/(\d+)\]$/, '[$2]');

for (const kind of ['idle', 'busy'] as const) {
  const bins = new Set(switches.filter((s) => kindOf(s.at) === kind).map((s) => bin(s.at)));
  const seconds = bins.size * BIN_S;
  console.log(`\n## ${kind} bins: ${bins.size} × ${BIN_S * 1000} ms (${seconds.toFixed(1)} s)\n`);
  console.log('| task | wake-ups | delay p50 | p99 | p99.9 | delay per second |');
  console.log('|---|---|---|---|---|---|');
  const blame = new Map<string, number>();
  let total = 0;
  for (const name of who) {
    const mine = switches.map((s, i) => [s, i] as const).filter(([s]) => matches(s.task, name) && kindOf(s.at) === kind);
    const delays = mine.map(([s]) => s.delayMs);
    const sum = delays.reduce((a, b) => a + b, 0);
    console.log(`| ${name} | ${delays.length} | ${quantile(delays, 0.5).toFixed(3)} ms | ${quantile(delays, 0.99).toFixed(3)} ms | ${quantile(delays, 0.999).toFixed(3)} ms | ${(sum / seconds).toFixed(1)} ms |`);
    // Who ran on that CPU between the wake-up and the switch-in.
    for (const [s, i] of mine) {
      if (s.delayMs < MIN_DELAY_MS) continue;
      total += s.delayMs;
      const from = s.at - (s.runMs + s.delayMs) / 1000;
      const to = s.at - s.runMs / 1000;
      for (let j = i - 1; j >= 0; j--) {
        const o = switches[j]!;
        if (o.at < from) break;
        if (o.cpu !== s.cpu) continue;
        const overlap = Math.min(o.at, to) - Math.max(o.at - o.runMs / 1000, from);
        if (overlap > 0) blame.set(holder(o.task), (blame.get(holder(o.task)) ?? 0) + overlap * 1000);
      }
    }
  }
  console.log(`\ndelays ≥ ${MIN_DELAY_MS} ms: ${(total / seconds).toFixed(1)} ms per second; the CPU meanwhile held by (ms per second):\n`);
  for (const [task, ms] of [...blame].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`- ${task}: ${(ms / seconds).toFixed(1)}`);
}
