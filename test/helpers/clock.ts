// A manual clock for tests: time stands still until the test advances it, then due timers fire in order.
// `advance` is synchronous; `tick` lets promise chains and I/O callbacks started by each timer settle before
// the next one fires (what async code under test, like the agent's apply pass, needs).
import type { Clock, TimerHandle } from '../../src/clock.ts';

interface Scheduled { id: number; due: number; ms: number; fn: () => void; repeat: boolean }

export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Scheduled>();

  constructor(start = Date.UTC(2026, 0, 1)) { this.current = start; }

  now(): number { return this.current; }

  setTimeout(fn: () => void, ms: number): TimerHandle { return this.schedule(fn, ms, false); }
  setInterval(fn: () => void, ms: number): TimerHandle { return this.schedule(fn, ms, true); }

  clear(handle: TimerHandle | undefined): void {
    if (handle instanceof ManualTimer) this.timers.delete(handle.id);
  }

  /** Timers waiting to fire. */
  get pending(): number { return this.timers.size; }

  /** Milliseconds until the next timer fires (undefined: none scheduled). */
  nextDue(): number | undefined {
    const s = this.earliest(Infinity);
    return s ? s.due - this.current : undefined;
  }

  /** Move time forward by `ms`, firing every timer that falls due, synchronously and in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let s = this.earliest(target); s; s = this.earliest(target)) this.fire(s);
    this.current = target;
  }

  /** As advance(), but after each timer lets the work it started (promises, socket callbacks) settle. */
  async tick(ms = 0): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (let s = this.earliest(target); s; s = this.earliest(target)) {
      this.fire(s);
      await settle();
    }
    this.current = target;
    await settle();
  }

  private schedule(fn: () => void, ms: number, repeat: boolean): TimerHandle {
    const delay = Math.max(1, Math.ceil(ms)); // as Node: a 0 ms timer still waits for the next turn
    const s: Scheduled = { id: this.nextId++, due: this.current + delay, ms: delay, fn, repeat };
    this.timers.set(s.id, s);
    return new ManualTimer(s.id, () => { const t = this.timers.get(s.id); if (t) t.due = this.current + t.ms; });
  }

  private earliest(limit: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.timers.values()) if (s.due <= limit && (!best || s.due < best.due || (s.due === best.due && s.id < best.id))) best = s;
    return best;
  }

  private fire(s: Scheduled): void {
    this.current = Math.max(this.current, s.due);
    if (s.repeat) s.due = this.current + s.ms;
    else this.timers.delete(s.id);
    s.fn();
  }
}

class ManualTimer implements TimerHandle {
  constructor(readonly id: number, private readonly restart: () => void) {}
  refresh(): this { this.restart(); return this; }
  unref(): this { return this; }
}

/** Let queued microtasks and immediate callbacks run (a few event-loop turns, no wall-clock wait). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
