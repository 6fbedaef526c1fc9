import os from 'node:os';
import { ConnectionError, type VersionResponse } from '../../client/index.js';
import { type CommandDef, StatusError } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';
import { renderFormat } from '../format/templates.js';
import { CLI_VERSION } from '../version-info.js';

/**
 * docker runs --format over Go structs: `{{.Server.APIVersion}}` by Go field name, while `{{json .}}`
 * prints the JSON names (ApiVersion). Non-enumerable aliases give both.
 */
function goNames<T extends object>(o: T): T {
  const aliases: Record<string, string> = { APIVersion: 'ApiVersion', MinAPIVersion: 'MinAPIVersion' };
  const out = { ...o };
  for (const [goName, jsonName] of Object.entries(aliases)) {
    if (jsonName in out && !(goName in out)) Object.defineProperty(out, goName, { get: () => (out as Record<string, unknown>)[jsonName], enumerable: false });
  }
  return out;
}

/** `version`: Client and Server sections laid out like docker's (tabwriter minwidth 20, padding 1). */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

function clientInfo(apiVersion: string) {
  return {
    Platform: { Name: '' },
    Version: CLI_VERSION.version,
    ApiVersion: apiVersion,
    DefaultAPIVersion: CLI_VERSION.apiVersion,
    NodeVersion: process.version,
    GitCommit: CLI_VERSION.gitCommit,
    BuildTime: CLI_VERSION.built,
    Os: process.platform,
    Arch: GOARCH[os.arch()] ?? os.arch(),
    Context: 'default',
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** docker reformats the server's RFC3339 build time as Go's time.ANSIC ("Thu May  7 21:09:36 2026"). */
export function ansic(buildTime: string): string {
  const d = new Date(buildTime);
  if (!buildTime || Number.isNaN(d.getTime())) return buildTime;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

function serverText(s: VersionResponse): string {
  let out = `\nServer:${s.Platform?.Name ? ` ${s.Platform.Name}` : ''}\n`;
  const components = s.Components?.length
    ? s.Components
    : [
        {
          Name: 'Engine',
          Version: s.Version,
          Details: {
            ApiVersion: s.ApiVersion,
            MinAPIVersion: s.MinAPIVersion ?? '',
            GoVersion: s.GoVersion ?? '',
            GitCommit: s.GitCommit ?? '',
            BuildTime: s.BuildTime ?? '',
            Os: s.Os,
            Arch: s.Arch,
            Experimental: String(!!s.Experimental),
          },
        },
      ];
  for (const c of components) {
    out += ` ${c.Name}:\n`;
    const d = c.Details ?? {};
    if (c.Name === 'Engine') {
      out += `  Version:\t${c.Version}\n`;
      out += `  API version:\t${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})\n`;
      out += `  Go version:\t${d.GoVersion ?? ''}\n`;
      out += `  Git commit:\t${d.GitCommit ?? ''}\n`;
      out += `  Built:\t${ansic(d.BuildTime ?? '')}\n`;
      out += `  OS/Arch:\t${d.Os ?? ''}/${d.Arch ?? ''}\n`;
      out += `  Experimental:\t${d.Experimental ?? ''}\n`;
    } else {
      out += `  Version:\t${c.Version}\n`;
      for (const k of Object.keys(d).sort()) out += `  ${k}:\t${d[k]}\n`;
    }
  }
  return out;
}

export const versionCommand: CommandDef = {
  path: ['version'],
  usage: '[OPTIONS]',
  short: 'Show the Docker version information',
  args: { max: 0 },
  flags: [{ name: 'format', short: 'f', type: 'string', description: 'Format output using a custom template' }],
  async run(ctx, flags) {
    const client = ctx.client();
    let server: VersionResponse | undefined;
    let failure: unknown;
    try {
      server = await client.version();
    } catch (e) {
      failure = e;
    }
    // after the first request: the version may have been negotiated down
    const c = clientInfo(client.transport.version);
    const format = flags.string('format');
    if (format) {
      const body = format === 'json' ? '{{json .}}' : format;
      const out = renderFormat(body, { Client: goNames(c), Server: server ? goNames(server) : null });
      ctx.out(`${out}\n`);
    } else {
      let text = `Client:\n Version:\t${c.Version}\n API version:\t${c.ApiVersion}${c.ApiVersion !== c.DefaultAPIVersion ? ` (downgraded from ${c.DefaultAPIVersion})` : ''}\n`;
      text += ` Node version:\t${c.NodeVersion}\n Git commit:\t${c.GitCommit}\n Built:\t${c.BuildTime}\n OS/Arch:\t${c.Os}/${c.Arch}\n Context:\t${c.Context}\n`;
      if (server) text += serverText(server);
      ctx.out(tabwrite(text, { minwidth: 20, padding: 1 }));
    }
    if (failure) {
      if (failure instanceof ConnectionError) throw new StatusError(failure.message, 1);
      throw failure;
    }
  },
};
