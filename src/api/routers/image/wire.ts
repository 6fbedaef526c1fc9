import type { ImageRecord } from '../../../image/image-service.js';
import { familiarName, parseReference, familiarRepository, type ImageRunConfig } from '../../../oci/index.js';

/** Image records → Docker's JSON (GET /images/json and /images/{name}/json). Names in familiar form. */
export function imageSummary(img: ImageRecord, containers: number): Record<string, unknown> {
  return {
    Id: img.id,
    ParentId: img.parent ?? '',
    RepoTags: img.repoTags.map(familiarName),
    RepoDigests: img.repoDigests.map(familiarDigest),
    Created: Math.floor(Date.parse(img.created) / 1000),
    Size: img.size,
    SharedSize: -1,
    VirtualSize: img.size,
    Labels: img.config.config?.Labels ?? null,
    Containers: containers,
  };
}

function familiarDigest(s: string): string {
  try {
    const ref = parseReference(s);
    return `${familiarRepository(ref)}@${ref.digest}`;
  } catch {
    return s;
  }
}

/**
 * An image config's run config as Docker's `container.Config` JSON: every field present, the `omitempty`
 * ones only when set.
 */
function runConfigJson(cfg: ImageRunConfig & { Image?: string }): Record<string, unknown> {
  const j: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: cfg.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: cfg.ExposedPorts,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: cfg.Env ?? null,
    Cmd: cfg.Cmd ?? null,
    Healthcheck: cfg.Healthcheck,
    ArgsEscaped: cfg.ArgsEscaped,
    Image: cfg.Image ?? '',
    Volumes: cfg.Volumes ?? null,
    WorkingDir: cfg.WorkingDir ?? '',
    Entrypoint: cfg.Entrypoint ?? null,
    OnBuild: cfg.OnBuild ?? null,
    Labels: cfg.Labels ?? null,
    StopSignal: cfg.StopSignal,
    Shell: cfg.Shell,
  };
  for (const k of Object.keys(j)) if (j[k] === undefined) delete j[k];
  return j;
}

export function imageInspect(img: ImageRecord): Record<string, unknown> {
  return {
    Id: img.id,
    RepoTags: img.repoTags.map(familiarName),
    RepoDigests: img.repoDigests.map(familiarDigest),
    Parent: img.parent ?? '',
    Comment: img.config.comment ?? img.config.history?.at(-1)?.comment ?? '',
    Created: img.created,
    // Docker (API < 1.45) always has these two, empty for an image no classic build step made; docker-compose
    // 1.29 reads ContainerConfig.Volumes when it recreates a container and fails with a KeyError without it.
    Container: img.config.container ?? '',
    ContainerConfig: runConfigJson(img.config.container_config ?? {}),
    DockerVersion: img.config.docker_version ?? '',
    Author: img.config.author ?? '',
    Config: runConfigJson(img.config.config ?? {}),
    Architecture: img.config.architecture,
    Variant: img.config.variant,
    Os: img.config.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Data: null, Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}
