import type { Command } from 'commander';

export function registerIpamCommands(program: Command): void {
  void program;
}
