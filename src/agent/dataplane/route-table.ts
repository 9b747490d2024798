// The one owner of the main routing table's Calico-style routes. It recognises as its own: proto 80 (the
// agent's remote and blackhole routes), proto bird (12, BGP-learned) and any route out of a workload
// interface (cali*). Everything else (kernel subnet routes, the default route, other daemons) is invisible
// to it and never touched.
//
// Adoption: a workload /32 the CNI plugin created (proto boot, or whatever it used) satisfies the desired
// workload route whatever its protocol, so it is never deleted and re-added. Grace: a cali route the
// agent has no workload for yet (CNI wrote the route, the WorkloadEndpoint event has not arrived) is kept
// for `graceMs` after it was first seen before being removed (Felix's routeCleanupGracePeriod).
import type { Logger } from '../../log.ts';
import type { DesiredRoute, DesiredState } from '../calc/types.ts';
import { PROTO_AGENT, PROTO_BIRD } from '../calc/types.ts';
import { DeltaTracker } from './delta-tracker.ts';
import type { Kernel, KernelRoute } from './kernel.ts';
import type { DataplaneManager } from './manager.ts';

export interface RouteTableOptions {
  workloadIfacePrefix?: string;
  /** How long an unknown workload-interface route survives (ms). Default 10 s. */
  graceMs?: number | undefined;
  now?: () => number;
  /** Writes in flight at once (netlink requests are cheap; keep well under the socket's limits). */
  concurrency?: number;
  /** From this many pending writes on, use the kernel's bulk path when it has one. Default 256. */
  bulkThreshold?: number;
}

export interface RouteTableStats {
  routesProgrammed: number;
  routesDeleted: number;
  errors: number;
}

export function routeInSync(d: DesiredRoute, o: KernelRoute): boolean {
  if (d.type !== o.type) return false;
  if (d.type === 'blackhole') return o.proto === d.proto;
  if (d.class === 'workload') return o.dev === d.dev && !o.gateway; // any protocol: adopt the CNI's route
  if (o.proto !== d.proto) return false;
  if ((d.gateway ?? undefined) !== (o.gateway ?? undefined)) return false;
  if (d.dev !== undefined && o.dev !== d.dev) return false;
  if (!!d.onlink !== o.onlink) return false;
  return true;
}

export class RouteTable implements DataplaneManager {
  readonly name = 'routes';
  private readonly tracker = new DeltaTracker<string, DesiredRoute, KernelRoute>(routeInSync);
  private needResync = true;
  private readonly firstSeen = new Map<string, number>();
  private readonly prefix: string;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly bulkThreshold: number;
  readonly stats: RouteTableStats = { routesProgrammed: 0, routesDeleted: 0, errors: 0 };
  /** While set, BGP-learned routes (proto bird, unicast) are not deleted: a restarted agent's speaker has not
   *  re-learned them yet (graceful restart), and deleting them would black-hole traffic until it has. */
  keepBgpRoutes = false;

  constructor(private readonly kernel: Kernel, private readonly log: Logger, opts: RouteTableOptions = {}) {
    this.prefix = opts.workloadIfacePrefix ?? 'cali';
    this.graceMs = opts.graceMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.concurrency = opts.concurrency ?? 64;
    this.bulkThreshold = opts.bulkThreshold ?? 256;
  }

  onUpdate(state: DesiredState): void { this.tracker.setDesired(state.routes); }
  requestResync(): void { this.needResync = true; }

  /** Number of routes the agent currently believes are programmed. */
  programmedCount(): number { return this.tracker.dataplaneSize(); }
  desiredCount(): number { return this.tracker.desiredSize(); }

  owns(r: KernelRoute): boolean {
    if (r.proto === PROTO_AGENT || r.proto === PROTO_BIRD) return true;
    return r.dev !== undefined && r.dev.startsWith(this.prefix) && r.type === 'unicast' && !r.gateway;
  }

  async resync(): Promise<void> {
    const observed = new Map<string, KernelRoute>();
    for (const r of await this.kernel.listRoutes()) {
      if (!this.owns(r)) continue;
      if (r.metric) continue; // metric'd routes are a different kernel key; never ours
      observed.set(r.dst, r);
    }
    this.tracker.replaceDataplane(observed);
    for (const k of [...this.firstSeen.keys()]) if (!observed.has(k)) this.firstSeen.delete(k);
    this.needResync = false;
  }

  async apply(): Promise<void> {
    if (this.needResync) await this.resync();
    const failures: string[] = [];
    const now = this.now();

    const deletions: KernelRoute[] = [];
    for (const [dst, o] of this.tracker.pendingDeletions()) {
      if (this.keepBgpRoutes && o.proto === PROTO_BIRD && o.type === 'unicast') continue;
      const isWorkloadRoute = o.dev?.startsWith(this.prefix) && o.proto !== PROTO_AGENT && o.proto !== PROTO_BIRD;
      if (isWorkloadRoute) {
        const seen = this.firstSeen.get(dst) ?? now;
        this.firstSeen.set(dst, seen);
        if (now - seen < this.graceMs) continue;
      }
      deletions.push(o);
    }
    await this.parallel(deletions, async (o) => {
      try {
        await this.kernel.deleteRoute(o);
        this.tracker.deleteDataplane(o.dst);
        this.firstSeen.delete(o.dst);
        this.stats.routesDeleted++;
        this.log.debug({ route: describe(o) }, 'deleted route');
      } catch (e) { failures.push(`delete ${describe(o)}: ${(e as Error).message}`); }
    });

    const updates = [...this.tracker.pendingUpdates()].map(([, d]) => d);
    const written = (d: DesiredRoute) => {
      this.tracker.setDataplane(d.dst, {
        dst: d.dst, type: d.type, dev: d.dev, gateway: d.gateway, onlink: !!d.onlink,
        scope: d.scope === 'link' ? 'link' : 'universe', proto: d.proto,
      });
      this.firstSeen.delete(d.dst);
      this.stats.routesProgrammed++;
    };
    if (this.kernel.replaceRoutesBulk && updates.length >= this.bulkThreshold) {
      const failed = await this.kernel.replaceRoutesBulk(updates);
      updates.forEach((d, i) => { if (failed.has(i)) failures.push(`replace ${describe(d)}: rejected by the kernel`); else written(d); });
    } else {
      await this.parallel(updates, async (d) => {
        try {
          await this.kernel.replaceRoute(d);
          written(d);
        } catch (e) { failures.push(`replace ${describe(d)}: ${(e as Error).message}`); }
      });
    }
    if (updates.length || deletions.length) this.log.debug({ updates: updates.length, deletions: deletions.length }, 'routes applied');

    if (failures.length) {
      this.stats.errors += failures.length;
      this.needResync = true;
      throw new Error(`${failures.length} route operation(s) failed: ${failures.slice(0, 3).join('; ')}`);
    }
  }

  /** Earliest time a grace-protected route could expire (so the loop can come back then), or undefined. */
  nextGraceExpiry(): number | undefined {
    let min: number | undefined;
    for (const t of this.firstSeen.values()) min = min === undefined ? t + this.graceMs : Math.min(min, t + this.graceMs);
    return min;
  }

  private async parallel<T>(items: T[], fn: (t: T) => Promise<void>): Promise<void> {
    let i = 0;
    const worker = async () => { while (i < items.length) await fn(items[i++]!); };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }
}

export function describe(r: { dst: string; type: string; gateway?: string | undefined; dev?: string | undefined; onlink?: boolean | undefined; proto: number }): string {
  const parts = [r.type === 'blackhole' ? `blackhole ${r.dst}` : r.dst];
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  parts.push(`proto ${r.proto}`);
  if (r.onlink) parts.push('onlink');
  return parts.join(' ');
}
