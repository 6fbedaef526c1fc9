import type { RuntimeSpecMount } from './container-runtime.js';

/** A namespace of the container: a fresh one ('private'), the host's (none of its own), or another process's. */
export type NamespaceChoice = { mode: 'private' | 'host' } | { path: string };

/**
 * Everything the container service decides about a container, from which spec-builder.ts makes an OCI
 * runtime-spec config.json with Docker's defaults (capabilities, masked/read-only paths, devices, mounts,
 * seccomp profile).
 */
export interface SpecInput {
  id: string;
  /** absolute path of the mounted rootfs */
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  /** final environment, already merged (image Env + container Env, with Docker's default PATH) */
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  domainname?: string;
  terminal: boolean;
  /** initial TTY size (Docker's HostConfig.ConsoleSize), so the first output already has the client's size */
  consoleSize?: { height: number; width: number };
  /** extra mounts after Docker's defaults: /etc/resolv.conf, /etc/hosts, /etc/hostname, volumes, binds */
  mounts: RuntimeSpecMount[];
  /** linux.rootfsPropagation (shared, rslave…) when a mount needs it; runc's default otherwise */
  rootfsPropagation?: string;
  /** 'private' = a fresh network namespace (only lo); 'host' = none; path = join that netns */
  network: NamespaceChoice;
  /** --pid: default private */
  pid?: NamespaceChoice;
  /** --ipc: default private; 'none' = its own namespace without /dev/shm */
  ipc?: NamespaceChoice | { mode: 'none' };
  /** --uts host: the host's hostname, no UTS namespace (and no hostname in the spec) */
  uts?: 'private' | 'host';
  /** /dev/shm from elsewhere: the host's (--ipc host) or the donor's (--ipc container:…) */
  shmSource?: string;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** 'default' = Docker's default profile; 'unconfined' = none; or a profile object in Docker's format */
  seccomp: 'default' | 'unconfined' | Record<string, unknown>;
  noNewPrivileges: boolean;
  /** cgroupfs path, e.g. /berth/<id> */
  cgroupsPath: string;
  /** clamped by the builder to the daemon's own hard limits; a request above them is an InvalidArgument */
  ulimits: Array<{ Name: string; Soft: number; Hard: number }>;
  shmSize?: number;
  resources?: {
    memory?: number;
    memorySwap?: number;
    cpuShares?: number;
    cpuQuota?: number;
    cpuPeriod?: number;
    cpusetCpus?: string;
    pidsLimit?: number;
    memoryReservation?: number;
    memorySwappiness?: number;
    /** --oom-kill-disable */
    disableOOMKiller?: boolean;
    cpusetMems?: string;
    blkioWeight?: number;
  };
  sysctls?: Record<string, string>;
  /** --device: host node (or directory of nodes), path in the container, cgroup permissions (rwm) */
  devices?: Array<{ pathOnHost: string; pathInContainer: string; cgroupPermissions: string }>;
  oomScoreAdj?: number;
}
