import type { Command } from 'commander';

export function registerCniCommands(program: Command): void {
  void program;
}
