import { promises as fs } from 'node:fs';
import os from 'node:os';

/**
 * What limits this host can give containers (moby's pkg/sysinfo, the part berth checks): CPUs and memory
 * nodes for cpusets, and whether the kernel has Block I/O weight and swap accounting.
 */
export interface HostResources {
  numCpu: number;
  /** the CPUs a cpuset may name, in the kernel's list format ("0-1") */
  cpus: string;
  /** the memory nodes a cpuset may name ("0") */
  mems: string;
  blkioWeight: boolean;
  swapLimit: boolean;
  /** physical memory, the limit Docker reports for a container without one */
  memTotal: number;
}

async function firstText(files: string[]): Promise<string | undefined> {
  for (const f of files) {
    const t = await fs.readFile(f, 'utf8').catch(() => undefined);
    if (t !== undefined && t.trim() !== '') return t.trim();
  }
  return undefined;
}

const exists = (f: string): Promise<boolean> => fs.access(f).then(() => true, () => false);

export async function readHostResources(root = '/sys/fs/cgroup'): Promise<HostResources> {
  const numCpu = os.cpus().length || 1;
  const cpus = (await firstText([`${root}/cpuset/cpuset.effective_cpus`, `${root}/cpuset/cpuset.cpus`, `${root}/cpuset.cpus.effective`])) ?? `0-${numCpu - 1}`;
  const mems = (await firstText([`${root}/cpuset/cpuset.effective_mems`, `${root}/cpuset/cpuset.mems`, `${root}/cpuset.mems.effective`])) ?? '0';
  const v2 = await exists(`${root}/cgroup.controllers`);
  const blkioWeight = v2 ? (await firstText([`${root}/cgroup.controllers`]))?.split(/\s+/).includes('io') ?? false : (await exists(`${root}/blkio/blkio.weight`)) || (await exists(`${root}/blkio/blkio.bfq.weight`));
  const swapLimit = v2 || (await exists(`${root}/memory/memory.memsw.limit_in_bytes`));
  return { numCpu, cpus, mems, blkioWeight, swapLimit, memTotal: os.totalmem() };
}

/** The kernel's list format ("0-2,4") as a set; undefined when it is not that format. */
export function parseCpuList(list: string): Set<number> | undefined {
  const out = new Set<number>();
  if (list.trim() === '') return out;
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}
