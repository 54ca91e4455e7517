import fs from 'node:fs';
import path from 'node:path';

/**
 * A Linux cgroup for a CPU-heavy helper process that should run only on CPU nothing else wants
 * (`cpu.idle` = 1, Linux ≥ 5.15; `cpu.shares` = 2 / `cpu.weight` = 1 on older kernels).
 *
 * Why a cgroup and not only SCHED_IDLE: the kernel's fair scheduler first shares the CPU between
 * groups (cgroups, or the session "autogroups" of a machine without a cpu cgroup per service), and
 * SCHED_IDLE ranks a thread only within its own group. PostgreSQL's backends are another group, so
 * a SCHED_IDLE face worker still held a core they were woken for, for milliseconds at a time
 * (bench/results/face.md, run 10). A group marked idle yields to every other group.
 */
export interface IdleCgroup {
  /** The cgroup's directory; a process joins it by writing its pid (or 0, itself) to `cgroup.procs`. */
  readonly dir: string;
  /** Whether this process made the directory (and so removes it again). */
  readonly created: boolean;
  /** Removes a cgroup this process made, once its processes are gone (a busy one is left, never forced). */
  remove(): Promise<void>;
}

/** `auto`: a child of this process's own cgroup where the kernel lets us make one; `off`; or the path of a cgroup the operator made. */
export type IdleCgroupSetting = 'auto' | 'off' | (string & {});

export type IdleCgroupResult = { ok: true; group: IdleCgroup } | { ok: false; reason: string };

/** Where this process's cgroup for the cpu controller is (from /proc/self/cgroup): v1 names the controller, v2 is the one unified line. */
export function ownCpuCgroup(procSelfCgroup: string): { version: 1 | 2; path: string } | undefined {
  let unified: string | undefined;
  for (const line of procSelfCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers, cgroupPath] = match as unknown as [string, string, string, string];
    if (controllers.split(',').includes('cpu')) return { version: 1, path: cgroupPath };
    if (id === '0' && controllers === '') unified = cgroupPath;
  }
  return unified === undefined ? undefined : { version: 2, path: unified };
}

/** This process's cpu cgroup path (Linux; undefined elsewhere or where /proc cannot be read). */
export function currentCpuCgroup(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return ownCpuCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.path;
  } catch {
    return undefined;
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
const unescapeMountPath = (value: string) => value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/**
 * The directory of a cgroup path, from /proc/self/mountinfo: the mount of the cpu hierarchy (v1, a
 * `cgroup` mount whose options name `cpu`) or of the unified one (v2, `cgroup2`). A mount that shows
 * only part of the hierarchy (a container's) has its own root, which the path is taken relative to.
 */
export function cgroupDirectory(mountinfo: string, cgroup: { version: 1 | 2; path: string }): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const fields = before.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    const root = unescapeMountPath(fields[3] ?? '');
    const mountPoint = unescapeMountPath(fields[4] ?? '');
    const matches = cgroup.version === 2 ? fsType === 'cgroup2' : fsType === 'cgroup' && superOptions.split(',').includes('cpu');
    if (!matches || !mountPoint) continue;
    const relative = path.posix.relative(root, cgroup.path);
    if (relative.startsWith('..')) continue;
    return path.join(mountPoint, relative);
  }
  return undefined;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Writes the idle mark: cpu.idle where the kernel has it, else the smallest weight. */
function markIdle(dir: string, version: 1 | 2): void {
  if (fs.existsSync(path.join(dir, 'cpu.idle'))) return fs.writeFileSync(path.join(dir, 'cpu.idle'), '1');
  if (version === 1) return fs.writeFileSync(path.join(dir, 'cpu.shares'), '2');
  fs.writeFileSync(path.join(dir, 'cpu.weight'), '1');
}

/**
 * Finds or makes the idle cgroup (synchronous: a few small writes to the cgroup filesystem, once per
 * engine). `auto` makes `<own cgroup>/<name>-<pid>` and first removes empty ones left by processes
 * that are gone; it needs write access there (root on cgroup v1; on v2 a delegated cgroup whose
 * children have the cpu controller, see docs/adr/0013). Never throws: a cgroup that cannot be
 * had is a reason, and the caller runs without it.
 */
export function prepareIdleCgroup(
  setting: IdleCgroupSetting,
  options: { name: string; procSelfCgroup?: string; mountinfo?: string },
): IdleCgroupResult {
  if (setting === 'off') return { ok: false, reason: 'off' };
  if (process.platform !== 'linux') return { ok: false, reason: 'not Linux' };
  if (setting !== 'auto') {
    if (!path.isAbsolute(setting)) return { ok: false, reason: `${setting} is not an absolute path` };
    if (!fs.existsSync(path.join(setting, 'cgroup.procs'))) return { ok: false, reason: `${setting} is not a cgroup (no cgroup.procs)` };
    return { ok: true, group: { dir: setting, created: false, remove: async () => undefined } };
  }
  try {
    const own = ownCpuCgroup(options.procSelfCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'));
    if (!own) return { ok: false, reason: 'no cpu cgroup' };
    const base = cgroupDirectory(options.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'), own);
    if (!base) return { ok: false, reason: `the cgroup ${own.path} is not mounted here` };
    if (own.version === 2) {
      const enabled = fs.readFileSync(path.join(base, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (!enabled.includes('cpu')) return { ok: false, reason: `cgroup v2: the cpu controller is not enabled for the children of ${base}` };
    }
    sweepStale(base, options.name);
    // Named by this process: one left by an earlier engine of this process (not yet empty then) is ours to reuse.
    const dir = path.join(base, `${options.name}-${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    try {
      markIdle(dir, own.version);
    } catch (error) {
      fs.rmdirSync(dir);
      throw error;
    }
    return { ok: true, group: { dir, created: true, remove: () => removeWhenEmpty(dir) } };
  } catch (error) {
    return { ok: false, reason: errorText(error) };
  }
}

/** Cgroups of this name whose process is gone (a crash, a kill -9): rmdir succeeds only on an empty cgroup, so a live one is never touched. */
function sweepStale(base: string, name: string): void {
  const ours = new RegExp(`^${name}-(\\d+)$`);
  for (const entry of fs.readdirSync(base)) {
    const match = ours.exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    try {
      fs.rmdirSync(path.join(base, entry));
    } catch {
      // Still holds a process (an orphaned worker): left for its end.
    }
  }
}

/** rmdir waits for the cgroup's last process to be reaped; a worker just told to stop may take a moment. */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (error) {
      // Gone already (ENOENT) or not ours to wait for: only a cgroup still emptying (EBUSY) is retried.
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
