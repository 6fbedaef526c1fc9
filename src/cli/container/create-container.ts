import { existsSync, writeFileSync } from 'node:fs';
import { ApiError, type CreateResponse, type EngineClient, progressMessages } from '../../client/index.js';
import { familiarString, parseReference, withDefaultTag } from '../../oci/index.js';
import type { CommandContext } from '../command.js';
import { UsageError } from '../command.js';
import type { CreateRequest } from './create-options.js';

/**
 * Creates a container the way `docker run`/`docker create` do: with --pull missing a 404 from the
 * daemon prints "Unable to find image '<ref>' locally" to stderr, pulls, and tries once more.
 */
export async function createContainer(ctx: CommandContext, req: CreateRequest, pull: string, quiet: boolean, cidfile = ''): Promise<CreateResponse> {
  if (cidfile && existsSync(cidfile)) {
    throw new UsageError(`container ID file found, make sure the other container isn't running or delete ${cidfile}`);
  }
  const created = await createOnce(ctx, req, pull, quiet);
  if (cidfile) writeFileSync(cidfile, created.Id);
  return created;
}

async function createOnce(ctx: CommandContext, req: CreateRequest, pull: string, quiet: boolean): Promise<CreateResponse> {
  if (!['always', 'missing', 'never'].includes(pull)) {
    throw new UsageError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
  const client = ctx.client();
  const image = req.body.Image;
  let tagged = image;
  try {
    tagged = familiarString(withDefaultTag(parseReference(image)));
  } catch {
    /* an ID or something the daemon will reject with its own message */
  }
  if (pull === 'always') await pullImage(ctx, client, tagged, quiet);
  try {
    return await client.containerCreate(req.body, req.name, req.platform);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404 || pull !== 'missing' || !/no such image/i.test(err.message)) throw err;
    ctx.err(`Unable to find image '${tagged}' locally\n`);
    await pullImage(ctx, client, tagged, quiet);
    return client.containerCreate(req.body, req.name, req.platform);
  }
}

/** Pulls and prints the progress as the docker CLI does without a terminal: one line per message. */
export async function pullImage(ctx: CommandContext, client: EngineClient, ref: string, quiet: boolean, toStdout = false): Promise<void> {
  let fromImage = ref;
  let tag: string | undefined;
  try {
    const r = parseReference(ref);
    fromImage = familiarString({ ...r, tag: undefined, digest: undefined });
    tag = r.digest ?? r.tag;
  } catch {
    /* let the daemon judge */
  }
  const res = await client.imagePull(fromImage, tag);
  const write = (s: string): void => (toStdout ? ctx.out(s) : ctx.err(s));
  for await (const msg of progressMessages(res)) {
    if (msg.error || msg.errorDetail) throw new Error(msg.errorDetail?.message ?? msg.error ?? 'unknown error');
    if (quiet || !msg.status) continue;
    if (msg.progressDetail && (msg.progressDetail.current || msg.progressDetail.total)) continue;
    write(msg.id ? `${msg.id}: ${msg.status}${msg.progress ? ` ${msg.progress}` : ''}\n` : `${msg.status}\n`);
  }
}
