import type { Volume } from '../../../volume/index.js';

/** A volume as Docker shows it (GET /volumes/{name}, the list, create's answer). */
export function volumeJson(v: Volume, usage?: { size: number; refCount: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
  // only /system/df has UsageData; Docker leaves it out elsewhere (the CLI prints N/A)
  if (usage) out.UsageData = { Size: usage.size, RefCount: usage.refCount };
  return out;
}
