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
