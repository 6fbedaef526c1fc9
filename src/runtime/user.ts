import { invalidArgument } from '../errdefs/index.js';
import { readFileInRoot } from './root-path.js';

/**
 * Resolves a container's `User` the way Docker does (moby/sys/user GetExecUser): '' (root), `name`, `uid`,
 * `name:group`, `uid:gid`; names come from the rootfs's /etc/passwd and /etc/group, read safely inside
 * the root; supplementary groups are the /etc/group memberships of the matched user name.
 */
export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function parseId(s: string | undefined): number {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN;
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((f) => ({ name: f[0] ?? '', uid: parseId(f[2]), gid: parseId(f[3]) }));
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).map((f) => ({
    name: f[0] ?? '',
    gid: parseId(f[2]),
    members: (f[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== ''),
  }));
}

/** A numeric id as Go's strconv.Atoi would accept it. */
function numeric(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/**
 * `user` ("name", "uid", "name:group", "uid:gid"…) against the image's /etc/passwd and /etc/group, plus
 * --group-add (`groupAdd`: group names or numeric ids) as supplementary groups, as Docker's getUser.
 */
export async function resolveUser(rootfs: string, user: string, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const colon = user.indexOf(':');
  const userArg = colon >= 0 ? user.slice(0, colon) : user;
  const groupArg = colon >= 0 ? user.slice(colon + 1) : '';
  const uidArg = numeric(userArg);
  const gidArg = numeric(groupArg);

  const passwdBuf = await readFileInRoot(rootfs, '/etc/passwd');
  const groupBuf = await readFileInRoot(rootfs, '/etc/group');
  const passwd = passwdBuf ? parsePasswd(passwdBuf.toString('utf8')) : [];
  const groups = groupBuf ? parseGroup(groupBuf.toString('utf8')) : [];

  let uid = 0;
  let gid = 0;
  const match = passwd.find((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  let matchedName = '';
  if (match) {
    matchedName = match.name;
    uid = match.uid;
    gid = Number.isNaN(match.gid) ? 0 : match.gid;
  } else if (userArg !== '') {
    if (uidArg === undefined) throw invalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
    if (uidArg < 0 || uidArg > MAX_ID) throw invalidArgument(`uids and gids must be in range 0-${MAX_ID}`);
    uid = uidArg;
  }

  const additionalGids: number[] = [];
  if (groupArg !== '') {
    const g = groups.find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
    if (g) gid = g.gid;
    else {
      if (gidArg === undefined) throw invalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
      if (gidArg < 0 || gidArg > MAX_ID) throw invalidArgument(`uids and gids must be in range 0-${MAX_ID}`);
      gid = gidArg;
    }
  } else if (matchedName !== '') {
    for (const g of groups) if (g.members.includes(matchedName) && !Number.isNaN(g.gid) && !additionalGids.includes(g.gid)) additionalGids.push(g.gid);
  }
  for (const wanted of groupAdd) {
    const asNumber = numeric(wanted);
    const g = groups.find((e) => e.name === wanted) ?? (asNumber !== undefined ? { gid: asNumber } : undefined);
    if (!g) throw invalidArgument(`Unable to find group ${wanted}: no matching entries in group file`);
    if (g.gid < 0 || g.gid > MAX_ID) throw invalidArgument(`uids and gids must be in range 0-${MAX_ID}`);
    if (!additionalGids.includes(g.gid)) additionalGids.push(g.gid);
  }
  return { uid, gid, additionalGids };
}
