// `tabby` command line: calicoctl's surface (resources, ipam, node) plus `cni install` and `lab` (program.ts).
// `tabby node run` gets a program of its own (node-run.ts): the node process runs for as long as the node
// does, and every module it loaded, the lab's, the web view's and the CLI's included, would stay in its memory.
import { exitCodeFor, formatError } from './errors.ts';
import { exitWhenDone } from './exit-when-done.ts';
import { exitWhenFlushed } from '../exit.ts';
import type { Command } from 'commander';

async function programFor(argv: string[]): Promise<Command> {
  if (argv[0] === 'node' && argv[1] === 'run') return (await import('./node-run.ts')).nodeRunProgram();
  return (await import('./program.ts')).buildProgram();
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await programFor(argv);
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    const code = exitCodeFor(err);
    const msg = formatError(err);
    if (msg) process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
    return code;
  }
}

const isEntry = process.argv[1] && /(?:main\.ts|tabby\.mjs)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // A command that used the datastore exits once its output is flushed, not when every client timer has
    // drained (commands that live on, like lab supervise, never open one through withDatastore).
    if (!exitWhenDone.value) return;
    exitWhenFlushed(code);
  });
}
