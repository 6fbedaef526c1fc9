/**
 * Docker's flag syntax (spf13/pflag as the docker CLI configures it), hand-written:
 *   --name value, --name=value, -n value, -nvalue, -n=value, combined booleans -it / -itd,
 *   a boolean takes no separate value (--rm=false to unset), repeated flags accumulate (-e A -e B),
 *   `--` ends the flags, `-` alone is an argument. With `interspersed: false` (run, create, exec)
 *   the first positional argument ends the flags, so `run busybox ls -l` leaves `-l` to the command.
 * Errors use pflag's wording, which the CLI prints and exits 125 on.
 */
export type FlagType = 'bool' | 'string' | 'int' | 'list';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  description?: string;
  /** Default shown in help and used when the flag is absent. */
  default?: string | number | boolean;
  /** Value placeholder for help output. */
  valueName?: string;
  hidden?: boolean;
}

export type FlagValue = string | number | boolean | string[];

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export class ParsedFlags {
  readonly values = new Map<string, FlagValue>();
  readonly changed = new Set<string>();
  constructor(private readonly specs: readonly FlagSpec[]) {
    for (const s of specs) {
      if (s.type === 'list') this.values.set(s.name, []);
      else if (s.default !== undefined) this.values.set(s.name, s.default);
      else if (s.type === 'bool') this.values.set(s.name, false);
      else if (s.type === 'int') this.values.set(s.name, 0);
      else this.values.set(s.name, '');
    }
  }
  bool(name: string): boolean {
    return this.get(name) === true;
  }
  string(name: string): string {
    return String(this.get(name) ?? '');
  }
  int(name: string): number {
    return Number(this.get(name) ?? 0);
  }
  list(name: string): string[] {
    const v = this.get(name);
    return Array.isArray(v) ? v : [];
  }
  isSet(name: string): boolean {
    return this.changed.has(name);
  }
  private get(name: string): FlagValue | undefined {
    if (!this.specs.some((s) => s.name === name)) throw new Error(`flag ${name} is not declared`);
    return this.values.get(name);
  }
}

export interface ParseResult {
  flags: ParsedFlags;
  args: string[];
  help: boolean;
}

function flagTitle(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

function parseGoBool(spec: FlagSpec, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new FlagError(`invalid argument "${v}" for "${flagTitle(spec)}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function setValue(pf: ParsedFlags, spec: FlagSpec, raw: string): void {
  pf.changed.add(spec.name);
  switch (spec.type) {
    case 'bool':
      pf.values.set(spec.name, parseGoBool(spec, raw));
      break;
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) {
        throw new FlagError(`invalid argument "${raw}" for "${flagTitle(spec)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      }
      pf.values.set(spec.name, Number(raw));
      break;
    }
    case 'list': {
      const cur = pf.values.get(spec.name) as string[];
      pf.values.set(spec.name, [...cur, raw]);
      break;
    }
    default:
      pf.values.set(spec.name, raw);
  }
}

export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], opts: { interspersed?: boolean } = {}): ParseResult {
  const interspersed = opts.interspersed ?? true;
  const pf = new ParsedFlags(specs);
  const args: string[] = [];
  let help = false;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  let i = 0;
  while (i < argv.length) {
    const a = argv[i++];
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      if (!interspersed) {
        args.push(...argv.slice(i));
        break;
      }
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byName.get(name);
      if (!spec) {
        if (name === 'help') {
          help = true;
          continue;
        }
        throw new FlagError(`unknown flag: --${name}`);
      }
      if (eq >= 0) setValue(pf, spec, a.slice(eq + 1));
      else if (spec.type === 'bool') setValue(pf, spec, 'true');
      else {
        if (i >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        setValue(pf, spec, argv[i++]);
      }
      continue;
    }
    // short flags, possibly combined: -it, -e=A, -eA, -e A
    const shorts = a.slice(1);
    for (let j = 0; j < shorts.length; j++) {
      const c = shorts[j];
      const spec = byShort.get(c);
      if (!spec) {
        if (c === 'h' && !byShort.has('h')) {
          help = true;
          continue;
        }
        throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
      }
      const rest = shorts.slice(j + 1);
      if (spec.type === 'bool') {
        if (rest.startsWith('=')) {
          setValue(pf, spec, rest.slice(1));
          break;
        }
        setValue(pf, spec, 'true');
        continue;
      }
      if (rest.length > 0) {
        setValue(pf, spec, rest.startsWith('=') ? rest.slice(1) : rest);
      } else {
        if (i >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        setValue(pf, spec, argv[i++]);
      }
      break;
    }
  }
  return { flags: pf, args, help };
}

/** Help text for the flags, in the docker CLI's layout. */
export function flagUsages(specs: readonly FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'bool' ? '' : ` ${s.valueName ?? (s.type === 'int' ? 'int' : s.type === 'list' ? 'list' : 'string')}`}`;
      let desc = s.description ?? '';
      if (s.default !== undefined && s.default !== '' && s.default !== false && s.default !== 0) {
        desc += ` (default ${typeof s.default === 'string' ? `"${s.default}"` : s.default})`;
      }
      return { left, desc };
    });
  const w = Math.max(0, ...rows.map((r) => r.left.length));
  return rows.map((r) => `  ${r.left.padEnd(w)}   ${r.desc}`).join('\n');
}
