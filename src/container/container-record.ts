import type { ContainerConfig, ContainerState, HostConfig } from '../api/types/container.js';
import type { EndpointConfig, EndpointSettings, PortRequest } from '../network/index.js';
import type { MountPoint } from './mounts/mount-point.js';

/**
 * A container as berthd keeps it: `<data-root>/containers/<id>/container.json`, written atomically
 * (temp, fsync, rename) on every change, so a kill -9 leaves the old or the new record.
 * Config and HostConfig are Docker's shapes (as moby's daemon keeps them), already merged with the image.
 */
export interface ContainerRecord {
  id: string;
  /** with the leading slash, as Docker: "/web" */
  name: string;
  created: string;
  /** image ID (sha256:…) */
  image: string;
  /** process path and args as resolved from Entrypoint + Cmd */
  path: string;
  args: string[];
  config: ContainerConfig & { Env: string[]; Cmd: string[] | null; Entrypoint: string[] | null; Labels: Record<string, string> };
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** set by a manual stop/kill, so `unless-stopped` and `always` know not to restart after a daemon restart */
  hasBeenManuallyStopped: boolean;
  logPath: string;
  resolvConfPath: string;
  hostnamePath: string;
  hostsPath: string;
  /** the runtime that runs it, e.g. runc */
  runtime: string;
  /**
   * The networks it is attached to, by network name (Docker's NetworkSettings.Networks): what was asked
   * (aliases, --ip, …), and while it runs also what was allocated (address, MAC, endpoint). None for host,
   * none and container:<id> modes. Absent in records from before networks.
   */
  networks?: Record<string, EndpointConfig & Partial<EndpointSettings>>;
  /** the host ports bound while it runs */
  ports?: PortRequest[];
  /** volumes, binds and --mount tmpfs, decided at create (absent in records older than volumes) */
  mountPoints?: MountPoint[];
}

export function initialState(): ContainerState {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: '0001-01-01T00:00:00Z',
    FinishedAt: '0001-01-01T00:00:00Z',
  };
}
