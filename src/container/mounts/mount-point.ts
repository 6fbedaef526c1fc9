/**
 * A container's mount point, as the container record keeps it (moby volume/mounts.MountPoint): decided at
 * create from `-v`/Binds, `--mount`/Mounts, `--volumes-from` and the image's and request's Volumes, and
 * turned into runtime-spec mounts at every start. `--tmpfs` (HostConfig.Tmpfs) is not a mount point, as in
 * Docker: it is mounted but inspect's Mounts does not list it.
 */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** bind: the host path; volume: the volume's _data directory (set when the volume is known); tmpfs: "" */
  Source: string;
  /** cleaned absolute path in the container */
  Destination: string;
  RW: boolean;
  /** volume name; "" for an anonymous volume until create has made it */
  Name: string;
  /** "local" for volumes, "" otherwise */
  Driver: string;
  /** the mode the user wrote (`ro,z`, `nocopy`…); Docker shows "z" for local volumes without one */
  Mode: string;
  /** bind propagation (rprivate by default for binds, "" for volumes) */
  Propagation: string;
  /** copy the image's content at Destination into the volume when it is empty (not with nocopy) */
  CopyData: boolean;
  /** the user named the volume (`-v name:/p`, `--mount source=name`): rm -v and --rm keep it */
  Named: boolean;
  /** --mount bind-recursive=disabled */
  NonRecursive?: boolean;
  /** --mount type=bind: the source is not created at start (Docker creates only `-v` sources) */
  SkipMountpointCreation?: boolean;
  /** tmpfs: the mount data (ro,mode=…,size=…) */
  Data?: string;
  /** options for the volume when this mount creates it (--mount volume-label=, volume-opt=) */
  VolumeLabels?: Record<string, string>;
  VolumeDriverOpts?: Record<string, string>;
}
