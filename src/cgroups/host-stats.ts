import { promises as fs } from 'node:fs';

/** Host-wide figures Docker puts beside a container's: system CPU time, online CPUs, interface counters. */

const CLOCK_TICKS = 100;

/**
 * /proc/stat's first line, as Docker sums it: user+nice+system+idle+iowait+irq+softirq, in ns; and the
 * number of `cpuN` lines (online CPUs).
 */
export function parseProcStat(text: string): { systemCpuUsage: number; onlineCpus: number } {
  let systemCpuUsage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu' && f.length >= 8) {
      const ticks = f.slice(1, 8).reduce((s, v) => s + Number(v), 0);
      systemCpuUsage = (ticks * 1e9) / CLOCK_TICKS;
    } else if (/^cpu\d+$/.test(f[0] ?? '')) onlineCpus++;
  }
  return { systemCpuUsage, onlineCpus };
}

export async function readProcStat(): Promise<{ systemCpuUsage: number; onlineCpus: number }> {
  return parseProcStat(await fs.readFile('/proc/stat', 'utf8'));
}

export interface InterfaceStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** /proc/<pid>/net/dev (the process's network namespace), loopback left out as Docker does. */
export function parseNetDev(text: string): Record<string, InterfaceStats> {
  const out: Record<string, InterfaceStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16) continue;
    out[name] = { rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!, tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]! };
  }
  return out;
}

export async function readNetDev(pid: number): Promise<Record<string, InterfaceStats> | undefined> {
  const text = await fs.readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseNetDev(text);
}
