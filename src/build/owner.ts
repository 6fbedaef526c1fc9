import { invalidArgument } from '../errdefs/index.js';
import type { LayeredFs } from './layered-fs.js';

/**
 * `--chown=user[:group]`: numbers as they are, names looked up in the image's /etc/passwd and
 * /etc/group. A user without a group gets the user's number as its group too, as Docker does.
 */
export async function lookupOwner(view: LayeredFs, spec: string): Promise<{ uid: number; gid: number }> {
  const [user = '', group] = spec.split(':');
  const uid = /^\d+$/.test(user) ? Number(user) : await lookup(view, '/etc/passwd', user, 'user');
  const gid = group === undefined || group === '' ? uid : /^\d+$/.test(group) ? Number(group) : await lookup(view, '/etc/group', group, 'group');
  return { uid, gid };
}

async function lookup(view: LayeredFs, file: string, name: string, what: string): Promise<number> {
  const text = (await view.readFile(file).catch(() => undefined))?.toString('utf8') ?? '';
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  throw invalidArgument(`unable to convert uid/gid chown string to host mapping: can't find uid for ${what} ${name}: no such ${what}: ${name}`);
}
