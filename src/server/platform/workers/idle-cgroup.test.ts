import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupDirectory, ownCpuCgroup, prepareIdleCgroup } from './idle-cgroup.js';

// Real /proc/self/cgroup and /proc/self/mountinfo texts, of the kinds Kenalan may run on.
const V1_CGROUP = ['9:name=systemd:/', '4:memory:/process_api/d0ea', '2:cpuacct:/', '1:cpu:/', '0::/'].join('\n');
const V1_CPUACCT_CGROUP = ['5:cpu,cpuacct:/system.slice/kenalan.service', '4:memory:/system.slice/kenalan.service'].join('\n');
const V2_CGROUP = '0::/system.slice/kenalan.service\n';
const V1_MOUNTS = [
  '24 1 0:22 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs ro,mode=755',
  '25 24 0:23 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu',
  '26 24 0:24 / /sys/fs/cgroup/cpuacct rw,nosuid - cgroup cgroup rw,cpuacct',
].join('\n');
const V2_MOUNTS = '30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
// A container sees its own part of the host's hierarchy, mounted at its /sys/fs/cgroup.
const CONTAINER_MOUNTS = '700 690 0:26 /docker/4f2a /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n';

describe('idle cgroup for the face worker', () => {
  it('finds the cpu cgroup in /proc/self/cgroup: the v1 line naming cpu (alone or with cpuacct), else the unified v2 line', () => {
    expect(ownCpuCgroup(V1_CGROUP)).toEqual({ version: 1, path: '/' });
    expect(ownCpuCgroup(V1_CPUACCT_CGROUP)).toEqual({ version: 1, path: '/system.slice/kenalan.service' });
    expect(ownCpuCgroup(V2_CGROUP)).toEqual({ version: 2, path: '/system.slice/kenalan.service' });
    expect(ownCpuCgroup('4:memory:/x\n')).toBeUndefined();
    expect(ownCpuCgroup('')).toBeUndefined();
  });

  it('maps a cgroup path to its directory through the mount of its hierarchy, relative to a container mount’s root', () => {
    expect(cgroupDirectory(V1_MOUNTS, { version: 1, path: '/' })).toBe('/sys/fs/cgroup/cpu');
    expect(cgroupDirectory(V1_MOUNTS, { version: 1, path: '/a b' })).toBe('/sys/fs/cgroup/cpu/a b');
    expect(cgroupDirectory(V2_MOUNTS, { version: 2, path: '/system.slice/kenalan.service' })).toBe('/sys/fs/cgroup/system.slice/kenalan.service');
    expect(cgroupDirectory(CONTAINER_MOUNTS, { version: 2, path: '/docker/4f2a/app' })).toBe('/sys/fs/cgroup/app');
    // Outside what the container's mount shows: no directory to use.
    expect(cgroupDirectory(CONTAINER_MOUNTS, { version: 2, path: '/elsewhere' })).toBeUndefined();
    expect(cgroupDirectory(V2_MOUNTS, { version: 1, path: '/' })).toBeUndefined();
    expect(cgroupDirectory('37 24 0:40 / /mnt/with\\040space rw - cgroup cgroup rw,cpu,cpuacct', { version: 1, path: '/' })).toBe('/mnt/with space');
  });

  it('is off when told, takes an operator’s cgroup as it is, and refuses a path that is not a cgroup, without throwing', () => {
    expect(prepareIdleCgroup('off', { name: 'kenalan-face' })).toEqual({ ok: false, reason: 'off' });
    if (process.platform !== 'linux') return;
    expect(prepareIdleCgroup('relative/path', { name: 'kenalan-face' })).toEqual({ ok: false, reason: 'relative/path is not an absolute path' });
    const notCgroup = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-not-cgroup-'));
    try {
      expect(prepareIdleCgroup(notCgroup, { name: 'kenalan-face' })).toEqual({ ok: false, reason: `${notCgroup} is not a cgroup (no cgroup.procs)` });
      // An operator's cgroup (here a stand-in with its cgroup.procs): used, never removed by the server.
      fs.writeFileSync(path.join(notCgroup, 'cgroup.procs'), '');
      const prepared = prepareIdleCgroup(notCgroup, { name: 'kenalan-face' });
      expect(prepared.ok && prepared.group.dir).toBe(notCgroup);
      expect(prepared.ok && prepared.group.created).toBe(false);
    } finally {
      fs.rmSync(notCgroup, { recursive: true });
    }
  });

  it('in auto mode removes the empty cgroups of servers that are gone, never a live one, then makes its own', () => {
    if (process.platform !== 'linux') return;
    // A stand-in for a v1 cpu hierarchy (a real one creates the control files itself; here cpu.shares is written as a file).
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-v1-'));
    const gone = spawnSync('true').pid;
    try {
      for (const pid of [gone, process.ppid]) fs.mkdirSync(path.join(base, `kenalan-face-${pid}`));
      const prepared = prepareIdleCgroup('auto', { name: 'kenalan-face', procSelfCgroup: '1:cpu:/\n', mountinfo: `25 24 0:23 / ${base} rw - cgroup cgroup rw,cpu\n` });
      expect(prepared.ok && prepared.group.dir).toBe(path.join(base, `kenalan-face-${process.pid}`));
      expect(fs.readFileSync(path.join(base, `kenalan-face-${process.pid}`, 'cpu.shares'), 'utf8')).toBe('2');
      expect(fs.readdirSync(base).sort()).toEqual([`kenalan-face-${process.pid}`, `kenalan-face-${process.ppid}`].sort());
    } finally {
      fs.rmSync(base, { recursive: true });
    }
  });

  it('says why in auto mode when there is no cpu cgroup, or v2 does not give the cpu controller to children', () => {
    if (process.platform !== 'linux') return;
    expect(prepareIdleCgroup('auto', { name: 'kenalan-face', procSelfCgroup: '4:memory:/x\n', mountinfo: V1_MOUNTS })).toEqual({ ok: false, reason: 'no cpu cgroup' });
    expect(prepareIdleCgroup('auto', { name: 'kenalan-face', procSelfCgroup: '0::/elsewhere\n', mountinfo: CONTAINER_MOUNTS })).toEqual({
      ok: false,
      reason: 'the cgroup /elsewhere is not mounted here',
    });
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-v2-'));
    try {
      fs.writeFileSync(path.join(base, 'cgroup.subtree_control'), 'memory pids\n');
      const mounts = `30 24 0:26 / ${base} rw - cgroup2 cgroup2 rw\n`;
      expect(prepareIdleCgroup('auto', { name: 'kenalan-face', procSelfCgroup: '0::/\n', mountinfo: mounts })).toEqual({
        ok: false,
        reason: `cgroup v2: the cpu controller is not enabled for the children of ${base}`,
      });
      expect(fs.readdirSync(base)).toEqual(['cgroup.subtree_control']);
    } finally {
      fs.rmSync(base, { recursive: true });
    }
  });
});
