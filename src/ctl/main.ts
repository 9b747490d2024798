// `tabby` command line: calicoctl's surface (resources, ipam, node) plus `cni install` and `lab`.
// Each component registers its own subcommands; this file only wires them together.
import { Command } from 'commander';
import { registerResourceCommands } from './resources.ts';
import { registerIpamCommands } from './ipam.ts';
import { registerNodeCommands } from './node.ts';
import { registerCniCommands } from './cni.ts';
import { registerLabCommands } from './lab.ts';
import { registerTraceCommand } from './trace.ts';
import { registerUiCommand } from './ui.ts';
import { registerConvertCommand } from './convert.ts';
import { exitCodeFor, formatError } from './errors.ts';
import { exitWhenDone } from './context.ts';
import { exitWhenFlushed } from '../exit.ts';
import { applyLogLevelFlag } from './log-level.ts';

export function buildProgram(): Command {
  const program = new Command('tabby')
    .description('Kubernetes pod networking, Calico-compatible (calicoctl role)')
    .option('-c, --config <file>', 'client config file (CalicoAPIConfig YAML)')
    .option('-l, --log-level <level>', 'log level: panic, fatal, error, warn, info, debug (calicoctl\'s)', 'panic')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (root) => applyLogLevelFlag(root));
  registerResourceCommands(program);
  registerConvertCommand(program);
  registerIpamCommands(program);
  registerNodeCommands(program);
  registerCniCommands(program);
  registerTraceCommand(program);
  registerUiCommand(program);
  registerLabCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
