// Waiting on state the test does not drive: another process's writes, a watch fed over the network, the
// kernel. The condition is re-checked every `everyMs` until it holds or `timeoutMs` passes; the caller then
// asserts on the state itself, so a failure shows what was seen rather than just "timed out".
export interface WaitOptions { timeoutMs?: number; everyMs?: number }

/** Resolves true once `cond()` holds, false when `timeoutMs` (default 5 s) passed first. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 10));
  }
}

/** Resolves once a child's stdout or stderr has printed `pattern` (e.g. tcpdump's "listening on"); rejects if it exits or `timeoutMs` passes first. */
export function waitForOutput(child: import('node:child_process').ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData); child.stderr?.off('data', onData); child.off('exit', onExit);
      if (err) reject(err); else resolve();
    };
    const onData = (d: Buffer | string) => { seen += d; if (pattern.test(seen)) done(); };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before printing ${pattern}: ${seen}`));
    const timer = setTimeout(() => done(new Error(`did not print ${pattern} in ${timeoutMs} ms: ${seen}`)), timeoutMs);
    child.stdout?.on('data', onData); child.stderr?.on('data', onData); child.once('exit', onExit);
  });
}
