// Whether the agent can reach its datastore, probed on a timer. A watch alone cannot say: the etcd client
// reconnects quietly and reports nothing while etcd is dead or frozen, so an agent would stay "in sync"
// (and ready) through an outage in which no pod can be created. Readiness turns false once the datastore
// has been unreachable for longer than a short grace; liveness never depends on it (a process that works
// but cannot reach etcd should not be restarted in a loop).
import { realClock, type Clock, type TimerHandle } from '../clock.ts';

export interface DatastoreMonitorOptions {
  /** Time between probes. */
  intervalMs?: number;
  /** A probe that has not answered by then counts as failed (a frozen etcd never answers). */
  timeoutMs?: number;
  /** How long the datastore may be unreachable before readiness turns false. */
  graceMs?: number;
  clock?: Clock;
  /** Told on every change of connectivity (for the log and the gauge). */
  onChange?: (connected: boolean, error: string | undefined) => void;
}

export interface DatastoreHealth {
  connected: boolean;
  /** False once unreachable for longer than the grace. */
  ready: boolean;
  detail: string;
}

export class DatastoreMonitor {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** Unknown (no probe answered yet) counts as unreachable since start. */
  private connected = false;
  private downSince: number;
  private lastError: string | undefined = 'not probed yet';

  constructor(private readonly probe: () => Promise<unknown>, private readonly opts: DatastoreMonitorOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.graceMs = opts.graceMs ?? 10_000;
    this.clock = opts.clock ?? realClock;
    this.downSince = this.clock.now();
  }

  start(): void { void this.tick(); }

  stop(): void {
    this.stopped = true;
    this.clock.clear(this.timer);
  }

  /** One probe; exported for tests that step time themselves. */
  async check(): Promise<void> {
    let timeout: TimerHandle | undefined;
    try {
      await Promise.race([
        this.probe(),
        new Promise((_, reject) => { timeout = this.clock.setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs); }),
      ]);
      this.record(true, undefined);
    } catch (e) {
      this.record(false, (e as Error).message);
    } finally {
      this.clock.clear(timeout);
    }
  }

  health(): DatastoreHealth {
    if (this.connected) return { connected: true, ready: true, detail: 'datastore connected' };
    const downMs = this.clock.now() - this.downSince;
    const ready = downMs < this.graceMs;
    return { connected: false, ready, detail: `datastore unreachable for ${Math.round(downMs / 1000)} s: ${this.lastError}` };
  }

  private record(ok: boolean, error: string | undefined): void {
    const changed = ok !== this.connected;
    if (!ok && this.connected) this.downSince = this.clock.now();
    this.connected = ok;
    this.lastError = error;
    if (changed) this.opts.onChange?.(ok, error);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await this.check();
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.tick(), this.intervalMs);
  }
}
