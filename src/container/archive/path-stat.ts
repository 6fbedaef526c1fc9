import type { Stats } from 'node:fs';

/**
 * Docker's ContainerPathStat, sent base64-encoded JSON in the `X-Docker-Container-Path-Stat` header of
 * HEAD/GET /containers/{id}/archive. `mode` is a Go os.FileMode: permission bits plus Go's own type bits
 * (not the st_mode type bits), which is what the docker CLI tests (`mode & ModeDir`).
 */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  /** RFC 3339 */
  mtime: string;
  /** for a symlink: its target resolved in the container, as an absolute container path; else '' */
  linkTarget: string;
}

export const GO_MODE = {
  dir: 2 ** 31,
  append: 2 ** 30,
  exclusive: 2 ** 29,
  temporary: 2 ** 28,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/** Go's os.FileMode of an lstat result. */
export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += GO_MODE.setuid;
  if (st.mode & 0o2000) m += GO_MODE.setgid;
  if (st.mode & 0o1000) m += GO_MODE.sticky;
  if (st.isDirectory()) m += GO_MODE.dir;
  else if (st.isSymbolicLink()) m += GO_MODE.symlink;
  else if (st.isFIFO()) m += GO_MODE.namedPipe;
  else if (st.isSocket()) m += GO_MODE.socket;
  else if (st.isCharacterDevice()) m += GO_MODE.device + GO_MODE.charDevice;
  else if (st.isBlockDevice()) m += GO_MODE.device;
  return m;
}

export function encodePathStat(s: PathStat): string {
  return Buffer.from(JSON.stringify(s)).toString('base64');
}
