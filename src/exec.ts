// Running a helper program (ip, nft, tc, clang, sysctl): the one helper and the one CommandError. Async for
// daemons (the agent, IPIP set-up), sync for the lab's step-by-step scripts. A caller that must run the child
// in another network namespace passes `within` (e.g. netlink's withNetns): the child is spawned while the
// thread sits in that namespace, so it lives there for its whole life.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { TabbyError } from './errors.ts';

export interface CommandResult { code: number; stdout: string; stderr: string }

export interface RunOptions {
  input?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Default 60 s. */
  timeoutMs?: number | undefined;
  /** Wraps the spawn, e.g. to start the child inside another network namespace. */
  within?: (start: () => ChildProcess) => ChildProcess;
}

/** A command that could not start or exited non-zero; its output is kept for the message and callers. */
export class CommandError extends TabbyError {
  constructor(readonly argv: readonly string[], readonly status: number | null, readonly stdout: string, readonly stderr: string) {
    super('CommandFailed', `${argv.join(' ')} failed (${status === null ? 'did not run' : `exit ${status}`}): ${(stderr || stdout).trim()}`);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 512 << 20;

/** Runs argv and resolves with its exit code and output (non-zero is not an error here). */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const start = () => spawn(argv[0]!, argv.slice(1), {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    let child: ChildProcess;
    try { child = opts.within ? opts.within(start) : start(); } catch (e) { reject(new CommandError(argv, null, '', (e as Error).message)); return; }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new CommandError(argv, null, '', e.message)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Runs argv and returns its stdout; throws CommandError when it cannot start or exits non-zero. */
export async function mustRun(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCommand(argv, opts);
  if (r.code !== 0) throw new CommandError(argv, r.code, r.stdout, r.stderr);
  return r.stdout;
}

/** mustRun, synchronously (the lab's scripted steps). */
export function mustRunSync(argv: readonly string[], opts: Omit<RunOptions, 'within'> = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT,
  });
  if (r.error) throw new CommandError(argv, null, '', r.error.message);
  if (r.status !== 0) throw new CommandError(argv, r.status, r.stdout ?? '', r.stderr ?? '');
  return r.stdout ?? '';
}

/** The runner shape IPIP set-up takes, so tests can script the commands. */
export type Runner = (argv: string[]) => Promise<{ stdout: string; stderr: string }>;

export const execRunner: Runner = async (argv) => ({ stdout: await mustRun(argv, { timeoutMs: 30_000 }), stderr: '' });
