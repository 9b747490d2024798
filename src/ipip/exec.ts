// Running iproute2/tc for the IPIP dataplane: rare, setup-time operations, so a process per call is fine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ExecResult { stdout: string; stderr: string }

export class CommandError extends Error {
  constructor(readonly argv: string[], readonly stderr: string, readonly code: number | string | undefined) {
    super(`${argv.join(' ')} failed: ${stderr.trim() || `exit ${code}`}`);
    this.name = 'CommandError';
  }
}

export type Runner = (argv: string[]) => Promise<ExecResult>;

export const execRunner: Runner = async (argv) => {
  try {
    const { stdout, stderr } = await run(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
    return { stdout, stderr };
  } catch (e: any) {
    throw new CommandError(argv, String(e.stderr ?? e.message ?? ''), e.code);
  }
};
