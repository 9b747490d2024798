// The whole command line: calicoctl's surface (resources, ipam, node) plus `cni install`, `lab`, `trace`, `ui`.
// Each component registers its own subcommands; this file only wires them together.
import type { Command } from 'commander';
import { registerResourceCommands } from './resources.ts';
import { registerIpamCommands } from './ipam.ts';
import { registerNodeCommands } from './node.ts';
import { registerCniCommands } from './cni.ts';
import { registerLabCommands } from './lab.ts';
import { registerTraceCommand } from './trace.ts';
import { registerUiCommand } from './ui.ts';
import { registerConvertCommand } from './convert.ts';
import { rootCommand } from './root.ts';

export function buildProgram(): Command {
  const program = rootCommand();
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
