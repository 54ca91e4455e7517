import workerpool from 'workerpool';

/** A workerpool pool that is started by its first task and stopped again when it has been idle for a while. */
export interface IdleStoppingPool {
  /** Runs `method` in a worker (starting the pool if it is stopped); rejects if the task fails, its worker dies or it runs past the task timeout. */
  exec<T>(method: string, params: unknown[]): Promise<T>;
  /** Whether workers are running now. */
  running(): boolean;
  /** Stops the workers (tasks still running are ended); the next `exec` starts them again. */
  close(): Promise<void>;
}

/**
 * Workers that hold a lot of memory for work that comes rarely (face models ≈ 220 MB, password
 * dictionaries ≈ 30 MB) are started by the first task and stopped after `idleMs` without one, so
 * the memory goes back to the machine between uses. A task that runs past `taskTimeoutMs` (counted
 * from its start in a worker, not its wait in the queue) gets its worker killed and fails, instead of
 * holding every later task.
 */
export function makeIdleStoppingPool(options: { create: () => workerpool.Pool; idleMs?: number; taskTimeoutMs: number }): IdleStoppingPool {
  let pool: workerpool.Pool | undefined;
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  const stopWhenIdle = () => {
    if (!options.idleMs || inFlight > 0 || !pool) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (inFlight > 0 || !pool) return;
      const idle = pool;
      pool = undefined;
      void idle.terminate().catch(() => undefined);
    }, options.idleMs);
    // The timer must not keep alive a process that has nothing else to do (tests, CLI).
    idleTimer.unref();
  };

  return {
    async exec<T>(method: string, params: unknown[]): Promise<T> {
      clearTimeout(idleTimer);
      inFlight++;
      try {
        pool ??= options.create();
        return (await pool.exec(method, params).timeout(options.taskTimeoutMs)) as T;
      } finally {
        inFlight--;
        stopWhenIdle();
      }
    },
    running: () => pool !== undefined,
    async close() {
      clearTimeout(idleTimer);
      const closing = pool;
      pool = undefined;
      if (closing) await closing.terminate();
    },
  };
}
