import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '../errdefs/index.js';

/**
 * Docker's seccomp profile format (moby/profiles/seccomp types.go) and its conversion to the OCI
 * `linux.seccomp` object, done the way moby's setupSeccomp does it: architectures from archMap for the
 * host's arch, and each rule kept only when its `includes` match and its `excludes` do not, judged
 * against the container's capabilities (the bounding set), the host arch and the running kernel.
 */
export interface DockerSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface DockerSeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

export interface DockerSeccompSyscall {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: DockerSeccompArg[] | null;
  comment?: string;
  includes?: DockerSeccompFilter | null;
  excludes?: DockerSeccompFilter | null;
}

export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }> | null;
  listenerPath?: string;
  listenerMetadata?: string;
  flags?: string[] | null;
  syscalls?: DockerSeccompSyscall[] | null;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: DockerSeccompArg[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  flags?: string[];
  syscalls: OciSeccompSyscall[];
}

/** Go's GOARCH names (used in profiles' includes/excludes) → libseccomp's native arch. */
const GO_TO_NATIVE: Record<string, string> = {
  '386': 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64le: 'SCMP_ARCH_MIPSEL64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390x: 'SCMP_ARCH_S390X',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

const NODE_TO_GO: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: os.endianness() === 'LE' ? 'ppc64le' : 'ppc64', riscv64: 'riscv64', loong64: 'loong64' };

export function hostGoArch(): string {
  return NODE_TO_GO[process.arch] ?? process.arch;
}

export interface SeccompContext {
  /** the container's bounding capabilities */
  capabilities: readonly string[];
  /** Go arch name; default: the host's */
  arch?: string;
  /** "major.minor[.patch…]"; default: the running kernel */
  kernelVersion?: string;
}

function parseKernel(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) throw invalidArgument(`invalid kernel version: ${v}`);
  return [Number(m[1]), Number(m[2])];
}

function kernelAtLeast(running: string, min: string): boolean {
  const [a, b] = parseKernel(running);
  const [c, d] = parseKernel(min);
  return a > c || (a === c && b >= d);
}

/** Converts a profile in Docker's format to OCI linux.seccomp for a container with the given capabilities. */
export function convertSeccompProfile(profile: DockerSeccompProfile, ctx: SeccompContext): OciSeccomp {
  if (typeof profile.defaultAction !== 'string' || profile.defaultAction === '') throw invalidArgument('seccomp profile: defaultAction is required');
  const arch = ctx.arch ?? hostGoArch();
  const kernel = ctx.kernelVersion ?? os.release();
  const caps = ctx.capabilities;
  if ((profile.architectures?.length ?? 0) > 0 && (profile.archMap?.length ?? 0) > 0) {
    throw invalidArgument("seccomp profile: use either 'architectures' or 'archMap'");
  }
  const out: OciSeccomp = { defaultAction: profile.defaultAction, syscalls: [] };
  if (profile.defaultErrnoRet != null) out.defaultErrnoRet = profile.defaultErrnoRet;
  if (profile.archMap?.length) {
    const native = GO_TO_NATIVE[arch];
    const archs: string[] = [];
    for (const a of profile.archMap) if (a.architecture === native) archs.push(a.architecture, ...(a.subArchitectures ?? []));
    out.architectures = archs;
  } else if (profile.architectures?.length) {
    out.architectures = [...profile.architectures];
  }
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;
  if (profile.flags?.length) out.flags = [...profile.flags];

  for (const call of profile.syscalls ?? []) {
    let names = call.names ?? [];
    if (call.name) {
      if (names.length > 0) throw invalidArgument("seccomp profile: use either 'name' or 'names'");
      names = [call.name];
    }
    const ex = call.excludes ?? {};
    const inc = call.includes ?? {};
    if (ex.arches?.length && ex.arches.includes(arch)) continue;
    if (ex.caps?.length && ex.caps.some((c) => caps.includes(c))) continue;
    if (ex.minKernel && kernelAtLeast(kernel, ex.minKernel)) continue;
    if (inc.arches?.length && !inc.arches.includes(arch)) continue;
    if (inc.caps?.length && !inc.caps.every((c) => caps.includes(c))) continue;
    if (inc.minKernel && !kernelAtLeast(kernel, inc.minKernel)) continue;
    const rule: OciSeccompSyscall = { names: [...names], action: call.action };
    if (call.errnoRet != null) rule.errnoRet = call.errnoRet;
    if (call.args?.length) rule.args = call.args.map((a) => ({ ...a }));
    out.syscalls.push(rule);
  }
  return out;
}

/** The repository root (the directory holding package.json), found from this module's location. */
function findDefaultProfilePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'seccomp', 'default.json');
  if (existsSync(beside)) return beside;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', 'runtime', 'seccomp', 'default.json');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`Docker's default seccomp profile not found (looked beside ${here} and under the repository root)`);
}

let defaultProfile: DockerSeccompProfile | undefined;

/** Docker's default profile (src/runtime/seccomp/default.json), read once. */
export function defaultSeccompProfile(): DockerSeccompProfile {
  defaultProfile ??= JSON.parse(readFileSync(findDefaultProfilePath(), 'utf8')) as DockerSeccompProfile;
  return defaultProfile;
}
