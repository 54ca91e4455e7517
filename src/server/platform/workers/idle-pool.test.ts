import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import workerpool from 'workerpool';
import { afterAll, describe, expect, it } from 'vitest';
import { makeIdleStoppingPool } from './idle-pool.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-idle-pool-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A worker thread script (plain CommonJS: worker threads load it without any loader). */
function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `const workerpool = require(${JSON.stringify(createRequire(import.meta.url).resolve('workerpool'))});\n${body}\n`);
  return file;
}

describe('idle-stopping worker pool', () => {
  it('runs tasks, fails a task past its timeout and goes on, and stops when idle', async () => {
    const file = script('ok.cjs', `workerpool.worker({ add: (a, b) => a + b, hang: () => new Promise(() => {}) });`);
    const pool = makeIdleStoppingPool({ create: () => workerpool.pool(file, { workerType: 'thread', maxWorkers: 1 }), idleMs: 300, taskTimeoutMs: 1_000 });
    try {
      expect(await Promise.all([pool.exec<number>('add', [1, 2]), pool.exec<number>('add', [3, 4])])).toEqual([3, 7]);
      await expect(pool.exec('hang', [])).rejects.toThrow(/timed out/i);
      expect(await pool.exec<number>('add', [5, 6])).toBe(11);
      expect(pool.running()).toBe(true);
      await expect.poll(() => pool.running(), { timeout: 5_000 }).toBe(false);
      expect(await pool.exec<number>('add', [7, 8])).toBe(15);
    } finally {
      await pool.close();
    }
  });

  it('answers every caller when the worker cannot even start: the tasks queued behind it are cancelled at the deadline', async () => {
    const missing = path.join(dir, 'missing.cjs');
    const pool = makeIdleStoppingPool({ create: () => workerpool.pool(missing, { workerType: 'thread', maxWorkers: 1 }), taskTimeoutMs: 500, deadlineMs: 1_500 });
    try {
      const outcomes = await Promise.allSettled([pool.exec('add', [1, 2]), pool.exec('add', [3, 4]), pool.exec('add', [5, 6])]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    } finally {
      await pool.close();
    }
  });

  it('replaces used workers by fresh warmed ones after a quiet spell, never unused ones, and a task in the meantime waits for the warm-up', async () => {
    const file = script('state.cjs', `let warmed = false; let work = 0;
workerpool.worker({
  warm: () => new Promise((resolve) => setTimeout(() => { warmed = true; resolve(process.pid + ':' + require('node:worker_threads').threadId); }, 200)),
  work: () => { work++; return { warmed, work, id: require('node:worker_threads').threadId }; },
  look: () => ({ warmed, work, id: require('node:worker_threads').threadId }),
});`);
    let created = 0;
    const pool = makeIdleStoppingPool({
      create: () => (created++, workerpool.pool(file, { workerType: 'thread', minWorkers: 1, maxWorkers: 1 })),
      taskTimeoutMs: 5_000,
      refresh: { afterIdleMs: 300, warm: (run) => run('warm', []) },
    });
    try {
      // A read that leaves the worker fresh: no refresh however long the pool is quiet.
      const first = await pool.exec<{ id: number }>('look', [], { leavesWorkerFresh: true });
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(pool.refreshes()).toBe(0);
      expect(created).toBe(1);
      // Work marks it used; after the quiet spell a new worker replaces it and is warmed at once.
      expect(await pool.exec('work', [])).toMatchObject({ warmed: false, work: 1, id: first.id });
      await expect.poll(() => pool.refreshes(), { timeout: 5_000 }).toBe(1);
      expect(created).toBe(2);
      // A task asked for while the new worker still warms up runs after the warm-up, on the new worker.
      const next = await pool.exec<{ warmed: boolean; work: number; id: number }>('work', []);
      expect(next).toMatchObject({ warmed: true, work: 1 });
      expect(next.id).not.toBe(first.id);
    } finally {
      await pool.close();
    }
  });

  it('does not refresh workers that stop first anyway (refresh not before the idle stop)', async () => {
    const file = script('plain.cjs', `workerpool.worker({ add: (a, b) => a + b, warm: () => true });`);
    const pool = makeIdleStoppingPool({
      create: () => workerpool.pool(file, { workerType: 'thread', maxWorkers: 1 }),
      idleMs: 300,
      taskTimeoutMs: 5_000,
      refresh: { afterIdleMs: 300, warm: (run) => run('warm', []) },
    });
    try {
      expect(await pool.exec<number>('add', [1, 2])).toBe(3);
      await expect.poll(() => pool.running(), { timeout: 5_000 }).toBe(false);
      expect(pool.refreshes()).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
