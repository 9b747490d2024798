// The root of the command line, its global options as calicoctl has them; shared by the whole program
// (program.ts) and the node process's own (node-run.ts).
import { Command } from 'commander';
import { applyLogLevelFlag } from './log-level.ts';

export function rootCommand(): Command {
  return new Command('tabby')
    .description('Kubernetes pod networking, Calico-compatible (calicoctl role)')
    .option('-c, --config <file>', 'client config file (CalicoAPIConfig YAML)')
    .option('-l, --log-level <level>', 'log level: panic, fatal, error, warn, info, debug (calicoctl\'s)', 'panic')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (root) => applyLogLevelFlag(root));
}
