// The "other requests" client of bench/face.ts, in its own process so that nothing else runs on its
// event loop: a signed-in member's app, like a phone would load it, one request at a time over HTTPS
// keep-alive — GET /api/me, then a page of chat history — with `intervalMs` between requests.
// Started with fork() by bench/face.ts; `start` begins a window, `stop` ends it and answers the
// latencies (ms) per path.
if (!process.send) throw new Error('bench/face-probe.ts is started by bench/face.ts (fork, with an IPC channel)');
const send = process.send.bind(process);
// Kenalan's self-signed localhost certificate (the bench's own server on 127.0.0.1).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let running: Promise<Record<string, number[]>> | undefined;
let stopRequested = false;

async function probe(origin: string, cookie: string, paths: string[], intervalMs: number): Promise<Record<string, number[]>> {
  const latencies: Record<string, number[]> = Object.fromEntries(paths.map((p) => [p, []]));
  for (let i = 0; !stopRequested; i++) {
    const p = paths[i % paths.length]!;
    const s = performance.now();
    const res = await fetch(origin + p, { headers: { cookie, 'accept-language': 'id' } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    latencies[p]!.push(performance.now() - s);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return latencies;
}

process.on('message', (message: { id: number; cmd: 'start' | 'stop'; args?: { origin: string; cookie: string; paths: string[]; intervalMs: number } }) => {
  if (message.cmd === 'start') {
    stopRequested = false;
    const a = message.args!;
    running = probe(a.origin, a.cookie, a.paths, a.intervalMs);
    running.catch(() => undefined);
    send({ id: message.id, result: true });
  } else if (message.cmd === 'stop') {
    stopRequested = true;
    running!.then(
      (result) => send({ id: message.id, result }),
      (error: unknown) => send({ id: message.id, error: String(error) }),
    );
  } else {
    process.exit(0);
  }
});
send({ ready: true });
