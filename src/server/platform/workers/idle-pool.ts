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
 * Workers that hold a lot of memory for work that comes rarely (the face models, ≈ 200 MB a worker)
 * are started by the first task and stopped after `idleMs` without one, so
 * the memory goes back to the machine between uses. A task that runs past `taskTimeoutMs` (counted
 * from its start in a worker, not its wait in the queue) gets its worker killed and fails, instead of
 * holding every later task. A task still unanswered `deadlineMs` after it was asked for (queue and run
 * together; default 5 × the task timeout) is cancelled: workerpool leaves the tasks queued behind a
 * worker that failed to start waiting forever, and no caller should.
 */
export function makeIdleStoppingPool(options: { create: () => workerpool.Pool; idleMs?: number; taskTimeoutMs: number; deadlineMs?: number }): IdleStoppingPool {
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
      let deadline: NodeJS.Timeout | undefined;
      try {
        pool ??= options.create();
        const task = pool.exec(method, params).timeout(options.taskTimeoutMs);
        deadline = setTimeout(() => task.cancel(), options.deadlineMs ?? options.taskTimeoutMs * 5);
        return (await task) as T;
      } finally {
        clearTimeout(deadline);
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
