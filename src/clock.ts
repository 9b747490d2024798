// Time as a dependency. The agent loop, the syncer and the BGP speaker and sessions take a Clock instead of
// calling Date.now/setTimeout themselves, so tests can drive hold timers, backoffs and deferrals with a
// manual clock (test/helpers/clock.ts) instead of sleeping and hoping.

/** A scheduled callback. `refresh()` restarts its countdown (the BGP hold timer on every message). */
export interface TimerHandle {
  refresh(): unknown;
  /** Do not keep the process alive for this timer alone. */
  unref(): unknown;
}

export interface Clock {
  /** Milliseconds since the epoch (Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timeout or an interval; undefined is ignored. */
  clear(handle: TimerHandle | undefined): void;
}

/** The process's own clock and timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clear: (handle) => { if (handle) clearTimeout(handle as NodeJS.Timeout); },
};

/** Resolves after `ms` on `clock` (a real sleep only with the real clock). */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => { clock.setTimeout(resolve, ms); });
}

/**
 * A retry delay spread over [ms/2, ms) ("equal jitter"): when the datastore comes back, the nodes that lost
 * it at the same moment do not all retry at the same moment (no thundering herd), and none waits less than
 * half the backoff. `random` is Math.random unless a test fixes it.
 */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms / 2 + random() * (ms / 2));
}
