// process.exit() does not wait for a pipe: output past the pipe's buffer (~64 KB) is cut off. Everything
// that exits on purpose after printing goes through here.

/** Exits with `code` once everything written to stdout and stderr so far has left the process. */
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
