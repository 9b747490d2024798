// `tabby node …`: `node run` starts the node agent (calico-node: start-up, Felix's dataplane loop and, with
// backend bird, the BGP speaker, policy) in this process's network namespace (node-run.ts reads its flags);
// `node status` comes from the BGP CLI.
import type { Command } from 'commander';
import { registerNodeStatus } from './node-status.ts';
import { registerNodeChecksystem } from './node-checksystem.ts';
import { registerNodeDiags } from './node-diags.ts';
import { registerNodeRun } from './node-run.ts';

export function registerNodeCommands(program: Command): void {
  const nodeCmd = program.command('node').description('Run or inspect the node agent (calico-node role)');
  registerNodeRun(nodeCmd, program);
  registerNodeStatus(nodeCmd);
  registerNodeDiags(nodeCmd);
  registerNodeChecksystem(nodeCmd);
}
