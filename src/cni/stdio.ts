// Process plumbing shared by the two executables.
import { readFileSync } from 'node:fs';

/** The whole of stdin (the netconf). Runtimes always close it; VERSION does not need it. */
export function readStdin(): string {
  try { return readFileSync(0, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EOF') return '';
    throw e;
  }
}

/** Writes the output and exits once it is flushed (a pipe may be slower than process.exit). */
export function finish(stdout: string, exitCode: number, stderr?: string): void {
  if (stderr) process.stderr.write(stderr);
  const done = () => process.exit(exitCode);
  if (stdout) process.stdout.write(stdout.endsWith('\n') ? stdout : stdout + '\n', done);
  else done();
}

/** Log level/file straight from the raw netconf, before validation (so validation errors get logged too). */
export function peekLogConfig(stdin: string): { level?: string | undefined; file?: string | undefined } {
  try {
    const o = JSON.parse(stdin) as { log_level?: unknown; log_file_path?: unknown };
    return {
      level: typeof o.log_level === 'string' ? o.log_level : undefined,
      file: typeof o.log_file_path === 'string' && o.log_file_path ? o.log_file_path : undefined,
    };
  } catch { return {}; }
}
