/**
 * What memory costs a sandbox, next to RSS (which counts the clean pages of the `node` binary that a
 * sandbox's runtime process shares with the extension, charged once):
 * - a process's private memory and PSS, from /proc/<pid>/smaps_rollup;
 * - a container's charged memory, from its memory cgroup: v1 `memory.usage_in_bytes` /
 *   `memory.max_usage_in_bytes` (the lab's engine), v2 `memory.current` / `memory.peak`. The cgroup is
 *   found from /proc/<pid>/cgroup of the container's first process, wherever the engine put it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;

export interface ProcessMemory {
  readonly rss: number;
  readonly pss: number;
  /** Private_Clean + Private_Dirty: pages no other process maps. */
  readonly private: number;
}

/** MiB, from smaps_rollup (kB). */
export function processMemory(pid: number): ProcessMemory {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kB = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup);
    if (match === null) throw new Error(`no ${field} in /proc/${pid}/smaps_rollup`);
    return Number(match[1]) / 1024;
  };
  return { rss: kB('Rss'), pss: kB('Pss'), private: kB('Private_Clean') + kB('Private_Dirty') };
}

export interface ChargedMemory {
  /** Charged now (page cache included, as the kernel charges it), MiB. */
  readonly current: number;
  /** The most charged since the cgroup was created, MiB. */
  readonly peak: number;
}

/** The memory cgroup directory of a process (v1 memory controller, else the v2 unified hierarchy). */
export function memoryCgroup(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
  if (v1 !== undefined) return join('/sys/fs/cgroup/memory', v1.split(':')[2] ?? '');
  const v2 = lines.find((line) => line.startsWith('0::'));
  if (v2 !== undefined) return join('/sys/fs/cgroup', v2.slice(3));
  throw new Error(`no memory cgroup for pid ${pid}`);
}

export function chargedMemory(cgroup: string): ChargedMemory {
  const read = (file: string): number => Number(readFileSync(join(cgroup, file), 'utf8').trim()) / MiB;
  return existsSync(join(cgroup, 'memory.usage_in_bytes'))
    ? { current: read('memory.usage_in_bytes'), peak: read('memory.max_usage_in_bytes') }
    : { current: read('memory.current'), peak: read('memory.peak') };
}

/** Pids in a cgroup (v1 and v2 both list them in cgroup.procs). */
export function cgroupPids(cgroup: string): number[] {
  return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
}

/** The pid in `pids` whose command line contains `needle`, if any (it may have exited). */
export function findProcess(pids: readonly number[], needle: string): number | undefined {
  return pids.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}
