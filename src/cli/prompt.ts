import type { CommandIO } from './command.js';

/** Docker's confirmation prompt: "… [y/N] ", yes only for "y"/"Y" (and "yes"). */
export async function confirm(io: CommandIO, message: string): Promise<boolean> {
  io.out(`${message} [y/N] `);
  const line = await readLine(io.stdin);
  return /^(y|yes)$/i.test(line.trim());
}

function readLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (c: Buffer | string): void => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl));
    };
    const onEnd = (): void => finish(buf);
    const finish = (s: string): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(s);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}
