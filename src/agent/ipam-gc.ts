// IPAM garbage collection on the node agent (kube-controllers' IPAM controller role, for this node only):
// every half grace period, release the addresses leaked on this node (src/ipam/leak-gc.ts: no endpoint, no ADD
// in flight, for longer than the grace period) and then this node's empty blocks once empty for as long
// (src/ipam/block-gc.ts). Calico uses the one leakGracePeriod for both; so does Tabby.
import type { Clock, TimerHandle } from '../clock.ts';
import type { Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import { blockGcIntervalMs, EmptyBlockReleaser } from '../ipam/block-gc.ts';
import { LeakCollector } from '../ipam/leak-gc.ts';
import type { AgentMetrics } from './metrics.ts';

export interface IpamGcOptions {
  ds: Datastore;
  node: string;
  /** Grace period (leaks) and cool-down (empty blocks); 0 or less: nothing is released. */
  gracePeriodMs: number;
  clock: Clock;
  log: Logger;
  metrics: AgentMetrics;
  /** Container IDs whose ADD the agent is running now. */
  inFlight: () => ReadonlySet<string>;
}

export class IpamGc {
  private readonly leaks: LeakCollector;
  private readonly blocks: EmptyBlockReleaser;
  private running: Promise<void> | undefined;

  constructor(private readonly o: IpamGcOptions) {
    const now = () => o.clock.now();
    this.leaks = new LeakCollector(o.ds, { node: o.node, gracePeriodMs: o.gracePeriodMs, now, inFlight: o.inFlight });
    this.blocks = new EmptyBlockReleaser(o.ds, { gracePeriodMs: o.gracePeriodMs, now, node: o.node });
  }

  /** Syncs every half grace period (kube-controllers' period). */
  start(): TimerHandle { return this.o.clock.setInterval(() => void this.sync(), blockGcIntervalMs(this.o.gracePeriodMs)); }

  /** One pass (a pass still running is not started twice); failures are logged and retried next time. */
  sync(): Promise<void> {
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { log, metrics } = this.o;
    try {
      const r = await this.leaks.sync();
      metrics.ipamLeakCandidates.set(r.candidates);
      metrics.ipamLeaksReleased.inc(r.released.length);
      if (r.released.length) log.info({ released: r.released }, 'released leaked IPAM addresses');
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'IPAM leak collection failed; will retry');
    }
    try {
      const released = await this.blocks.sync();
      metrics.ipamBlocksReleased.inc(released.length);
      if (released.length) log.info({ released }, 'released empty IPAM blocks');
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'empty block release failed; will retry');
    }
  }
}
