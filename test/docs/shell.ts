// The shells the docs test runs snippets in: one long-lived bash per page (and per host of a real-host
// section), so variables and background services carry from one block to the next as they would in a user's
// terminal. Each block is sourced with its output in a file; `set -e -o pipefail` makes the first failing
// command end the shell, which the runner reports with the block's output. Processes are stopped by process
// group (the shell's own, started detached), never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BlockResult { ok: boolean; output: string; why?: string }

export class DocShell {
  private readonly child: ChildProcess;
  private stdout = '';
  private exitCode: number | null | undefined;
  private count = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly label: string, argv: string[], private readonly dir: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child.stdout!.on('data', (c: Buffer) => { this.stdout += c.toString(); this.wake(); });
    this.child.stderr!.on('data', (c: Buffer) => { this.stdout += c.toString(); });
    this.child.on('exit', (code) => { this.exitCode = code; this.wake(); });
    this.child.stdin!.write('set -e -o pipefail\n');
  }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  /** Source one block; resolves when it finished, the shell died (a command failed) or the timeout hit. */
  async run(body: string, timeoutMs = 240_000): Promise<BlockResult> {
    const n = ++this.count;
    const file = join(this.dir, `${this.label}-block-${n}.sh`);
    const out = join(this.dir, `${this.label}-block-${n}.out`);
    writeFileSync(file, body + '\n');
    const marker = `__DOC_DONE__ ${n}`;
    if (this.exitCode === undefined) this.child.stdin!.write(`source ${file} > ${out} 2>&1 < /dev/null; echo "${marker}"\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stdout.includes(`${marker}\n`)) return { ok: true, output: read(out) };
      if (this.exitCode !== undefined) return { ok: false, output: read(out), why: `a command failed (shell exited ${this.exitCode})${this.stdout ? `; shell said: ${this.stdout.trim().slice(-500)}` : ''}` };
      if (Date.now() > deadline) { this.kill(); return { ok: false, output: read(out), why: `timed out after ${timeoutMs / 1000} s` }; }
      // Woken by output or exit, else re-checked every half second.
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); this.waiters.delete(done); resolve(); };
        const timer = setTimeout(done, 500);
        this.waiters.add(done);
      });
    }
  }

  /** Stop the shell and everything it started (its process group). */
  kill(): void {
    if (this.child.pid === undefined) return;
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const pid = this.child.pid;
    setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 2000).unref();
  }
}

function read(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}
