import type { Command } from 'commander';

export function registerNodeCommands(program: Command): void {
  void program;
}
