import { invalidArgument } from '../errdefs/index.js';
import type { ImageRunConfig } from '../oci/index.js';

/**
 * `docker import --change` / `docker commit --change`: Dockerfile-like instructions applied to an image's
 * run config. Only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR and STOPSIGNAL are
 * allowed; anything else is InvalidArgument "<instr> is not a valid change command" (instruction in lower
 * case, as Docker's parser reports it).
 */
export function applyChanges(base: ImageRunConfig, changes: readonly string[]): ImageRunConfig {
  const cfg: ImageRunConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of joinContinuations(changes)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
    const instr = (m?.[1] ?? '').toLowerCase();
    const rest = (m?.[2] ?? '').trim();
    switch (instr) {
      case 'cmd':
        cfg.Cmd = commandForm(rest);
        cmdSet = true;
        break;
      case 'entrypoint':
        cfg.Entrypoint = commandForm(rest);
        // An ENTRYPOINT resets an inherited CMD unless a CMD is given too (Dockerfile semantics).
        if (!cmdSet) cfg.Cmd = null;
        break;
      case 'env':
        for (const [k, v] of keyValues(rest, 'ENV')) {
          const env = (cfg.Env ?? []).filter((e) => e.split('=')[0] !== k);
          env.push(`${k}=${v}`);
          cfg.Env = env;
        }
        break;
      case 'label':
        cfg.Labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of keyValues(rest, 'LABEL')) cfg.Labels[k] = v;
        break;
      case 'expose':
        cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of words(rest)) for (const port of expandPort(p)) cfg.ExposedPorts[port] = {};
        break;
      case 'user':
        cfg.User = rest;
        break;
      case 'workdir':
        cfg.WorkingDir = rest.startsWith('/') ? rest : joinPosix(cfg.WorkingDir || '/', rest);
        break;
      case 'volume': {
        cfg.Volumes = { ...(cfg.Volumes ?? {}) };
        const list = jsonArray(rest) ?? words(rest);
        for (const v of list) {
          if (v.trim() === '') throw invalidArgument('VOLUME specified can not be an empty string');
          cfg.Volumes[v] = {};
        }
        break;
      }
      case 'stopsignal':
        cfg.StopSignal = rest;
        break;
      case 'onbuild':
        cfg.OnBuild = [...(cfg.OnBuild ?? []), rest];
        break;
      default:
        throw invalidArgument(`${instr} is not a valid change command`);
    }
  }
  return cfg;
}

function joinContinuations(changes: readonly string[]): string[] {
  const out: string[] = [];
  for (const change of changes) {
    let cur = '';
    for (const raw of change.split('\n')) {
      if (raw.endsWith('\\')) cur += raw.slice(0, -1);
      else {
        out.push(cur + raw);
        cur = '';
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

function jsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

/** JSON (exec) form as is; shell form → ["/bin/sh", "-c", …]. */
function commandForm(s: string): string[] {
  return jsonArray(s) ?? ['/bin/sh', '-c', s];
}

/** Splits on unquoted whitespace, honouring "…", '…' and backslash escapes. */
export function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw invalidArgument(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) out.push(cur);
  return out;
}

/** `k=v k2="v 2"`, or the legacy `k v with spaces` form. */
function keyValues(rest: string, instr: string): Array<[string, string]> {
  const first = /^\S+/.exec(rest)?.[0] ?? '';
  if (first === '') throw invalidArgument(`${instr} requires at least one argument`);
  if (!first.includes('=')) {
    const value = rest.slice(first.length).trim();
    if (value === '' && instr === 'ENV') throw invalidArgument('ENV must have two arguments');
    return [[first, words(value).join(' ') || value]];
  }
  return words(rest).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw invalidArgument(`${instr} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

function expandPort(p: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(p);
  if (!m) throw invalidArgument(`invalid containerPort: ${p}`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (end < start || end > 65535) throw invalidArgument(`invalid range specified for container port: ${p}`);
  const out: string[] = [];
  for (let n = start; n <= end; n++) out.push(`${n}/${proto}`);
  return out;
}

function joinPosix(a: string, b: string): string {
  const parts: string[] = [];
  for (const seg of `${a}/${b}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}
