import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Berthd } from '../../helpers/berthd.js';

/** The test daemon's cgroup parent (the harness gives each daemon its own). */
export function cgroupParent(d: Berthd): string {
  return `/berth-test-${path.basename(d.base).slice(-6)}`;
}

/** A file of a container's v1 cgroup on the host: /sys/fs/cgroup/<controller>/<parent>/<id>/<file>, trimmed. */
export async function cgroupFile(d: Berthd, id: string, controller: string, file: string): Promise<string> {
  return (await fs.readFile(path.join('/sys/fs/cgroup', controller, cgroupParent(d), id, file), 'utf8')).trim();
}
