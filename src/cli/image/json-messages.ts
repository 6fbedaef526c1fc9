import type { Readable } from 'node:stream';
import { readJsonLines, type JsonMessage } from '../../client/index.js';
import type { CommandIO } from '../command.js';
import { StatusError } from '../command.js';

/**
 * jsonmessage.DisplayJSONMessagesStream without a terminal: `stream` text as is, `status` lines as
 * "<id>: <status> <progress>", and the first `error` ends the command with its message.
 */
export async function displayJsonMessages(io: CommandIO, res: Readable, write: (s: string) => void = (t) => io.out(t)): Promise<void> {
  for await (const msg of readJsonLines<JsonMessage>(res)) {
    if (msg.errorDetail || msg.error) throw new StatusError(msg.errorDetail?.message ?? msg.error ?? 'unknown error', 1);
    // without a terminal docker drops progress-bar updates
    if (msg.progressDetail && (msg.progressDetail.current || msg.progressDetail.total)) continue;
    if (msg.stream !== undefined) write(msg.stream);
    else if (msg.status !== undefined) {
      write(`${msg.id ? `${msg.id}: ` : ''}${msg.status}${msg.progress ? ` ${msg.progress}` : ''}\n`);
    }
  }
}
