import workerpool from 'workerpool';

/** A workerpool pool that is started by its first task and stopped again when it has been idle for a while. */
export interface IdleStoppingPool {
  /**
   * Runs `method` in a worker (starting the pool if it is stopped); rejects if the task fails, its
   * worker dies or it runs past the task timeout. `leavesWorkerFresh`: the task does not count as use
   * for `refresh` (a warm-up, a diagnostics read).
   */
  exec<T>(method: string, params: unknown[], options?: { leavesWorkerFresh?: boolean }): Promise<T>;
  /** Whether workers are running now. */
  running(): boolean;
  /** How many times the workers were replaced by fresh ones after use (`refresh`). */
  refreshes(): number;
  /** Stops the workers (tasks still running are ended); the next `exec` starts them again. */
  close(): Promise<void>;
}

export interface IdlePoolOptions {
  create: () => workerpool.Pool;
  /** Without a task this long the workers stop; 0 or unset: never. */
  idleMs?: number;
  taskTimeoutMs: number;
  /** A task still unanswered this long after it was asked for is cancelled (default 5 × the task timeout). */
  deadlineMs?: number;
  /**
   * Without a task for `afterIdleMs`, workers that have done any work since they started are replaced
   * by fresh ones, on which `warm` runs its tasks at once (e.g. load the models in every worker). For
   * workers whose memory only grows with use and never goes back (a WASM heap): the memory returns
   * between bursts of work while the workers stay ready. Unset or `afterIdleMs` 0: never.
   */
  refresh?: { afterIdleMs: number; warm: (run: (method: string, params: unknown[]) => Promise<unknown>) => Promise<unknown> };
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
export function makeIdleStoppingPool(options: IdlePoolOptions): IdleStoppingPool {
  let pool: workerpool.Pool | undefined;
  // Whether the running workers have done work since they started (only that grows their memory).
  let used = false;
  let inFlight = 0;
  let refreshCount = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;

  const clearTimers = () => {
    clearTimeout(idleTimer);
    clearTimeout(refreshTimer);
  };

  const stop = () => {
    if (inFlight > 0 || !pool) return;
    const idle = pool;
    pool = undefined;
    used = false;
    void idle.terminate().catch(() => undefined);
  };

  // The old workers go first, then the new ones start: the memory never holds both. A task that comes
  // while the new ones load its models waits for the load (≈ 0.5–1 s), as after start-up.
  const refresh = () => {
    const warm = options.refresh?.warm;
    if (inFlight > 0 || !pool || !used || !warm) return;
    const old = pool;
    pool = options.create();
    used = false;
    refreshCount++;
    void old.terminate().catch(() => undefined);
    const fresh = pool;
    // A warm-up that fails is no one's error: the next task loads what it needs itself.
    void warm((method, params) => fresh.exec(method, params).timeout(options.taskTimeoutMs)).catch(() => undefined);
  };

  const scheduleWhenIdle = () => {
    if (inFlight > 0 || !pool) return;
    // Neither timer may keep alive a process that has nothing else to do (tests, CLI).
    if (options.idleMs) {
      idleTimer = setTimeout(stop, options.idleMs);
      idleTimer.unref();
    }
    const afterIdleMs = options.refresh?.afterIdleMs ?? 0;
    if (used && afterIdleMs > 0 && (!options.idleMs || afterIdleMs < options.idleMs)) {
      refreshTimer = setTimeout(refresh, afterIdleMs);
      refreshTimer.unref();
    }
  };

  return {
    async exec<T>(method: string, params: unknown[], execOptions: { leavesWorkerFresh?: boolean } = {}): Promise<T> {
      clearTimers();
      inFlight++;
      let deadline: NodeJS.Timeout | undefined;
      try {
        pool ??= options.create();
        if (!execOptions.leavesWorkerFresh) used = true;
        const task = pool.exec(method, params).timeout(options.taskTimeoutMs);
        deadline = setTimeout(() => task.cancel(), options.deadlineMs ?? options.taskTimeoutMs * 5);
        return (await task) as T;
      } finally {
        clearTimeout(deadline);
        inFlight--;
        scheduleWhenIdle();
      }
    },
    running: () => pool !== undefined,
    refreshes: () => refreshCount,
    async close() {
      clearTimers();
      const closing = pool;
      pool = undefined;
      used = false;
      if (closing) await closing.terminate();
    },
  };
}
