// `tabby node run`: the calico-node role in one process. Start-up (startup.ts), then Felix's loop:
//
//   datastore ──list+watch──► Syncer.snapshot ──► calculate() ──► managers.onUpdate()
//                                                   ▲                   │ throttled apply(), in order:
//   BGP speaker (backend bird) ── learned routes ───┘                   ▼ vxlan → ipip → routes → nat → sysctls → extra
//
// Nothing is written to the kernel before the syncer is in sync. A manager failure marks it for a kernel
// resync and the loop retries after a short delay; every `resyncIntervalMs` (plus up to a tenth, at random)
// all managers re-read the kernel (Felix's routeRefreshInterval), which also heals changes made behind the
// agent's back.
import { join } from 'node:path';
import type { BgpHandle } from '../bgp/node-integration.ts';
import { BGP_KINDS } from '../bgp/kinds.ts';
import { realClock, delay, type Clock, type TimerHandle } from '../clock.ts';
import { CNI_SOCKET_NAME } from '../cni/agent-client.ts';
import type { CniServer, InvocationRunner } from '../cni/agent-server.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import { calculateFromSnapshot, withLearnedRoutes, type CalcContext, type SnapshotState } from './calc/graph.ts';
import { AGENT_KINDS } from './calc/snapshot.ts';
import { affectsDesiredState } from './calc/relevance.ts';
import type { DesiredState, LearnedRoute, LearnedRouteSet } from './calc/types.ts';
import { IpipManager } from './dataplane/ipip.ts';
import type { Kernel } from './dataplane/kernel.ts';
import type { DataplaneManager } from './dataplane/manager.ts';
import { NatManager } from './dataplane/nat.ts';
import { RouteTable } from './dataplane/route-table.ts';
import { SysctlManager } from './dataplane/sysctls.ts';
import { VxlanManager } from './dataplane/vxlan.ts';
import { ensureDefaultResources } from './default-resources.ts';
import { DatastoreMonitor, type DatastoreMonitorOptions } from './datastore-monitor.ts';
import { BGP_NOT_RUNNING, type BgpStatus } from '../bgp/status.ts';
import { HealthAggregator, jsonRoute } from './health.ts';
import { AgentMetrics } from './metrics.ts';
import {
  addressFromConfig, detectAddress, ensureDefaultPool, ensureTunnelAddresses, hostMtu, markClusterReady,
  registerNode, writeStateFile, type DetectedAddress, type PoolEnv, type TunnelAllocator,
} from './startup.ts';
import { Syncer } from './syncer.ts';
import { UnenforcedReporter } from '../api/unenforced.ts';

/** Configuration kinds whose accepted-but-unenforced settings the agent logs (BGP kinds: node-integration.ts). */
const UNENFORCED_KINDS = ['FelixConfiguration', 'IPPool', 'NetworkPolicy', 'GlobalNetworkPolicy', 'Profile', 'NetworkSet', 'GlobalNetworkSet', 'HostEndpoint'];

export type NetworkingBackend = 'bird' | 'vxlan' | 'none';

export interface AgentOptions {
  ds: Datastore;
  nodeName: string;
  log: Logger;
  kernel: Kernel;
  stateDir: string;
  /** CALICO_IPV4POOL_*, NO_DEFAULT_POOLS, IP, IP_AUTODETECTION_METHOD, AS, CLUSTER_TYPE. */
  env?: PoolEnv & { IP?: string | undefined; IP_AUTODETECTION_METHOD?: string | undefined; AS?: string | undefined; CLUSTER_TYPE?: string | undefined };
  backend?: NetworkingBackend;
  /** 0 disables. Default 9099. */
  healthPort?: number;
  healthHost?: string;
  /** 0 disables. Default 9091. */
  metricsPort?: number;
  metricsHost?: string;
  /** Kernel re-read period (Felix routeRefreshInterval), default 90 s. */
  resyncIntervalMs?: number;
  /** Delay coalescing bursts of datastore events into one apply. Default 5 ms. */
  throttleMs?: number;
  /** Tunnel address allocator; default the IPAM allocator on `ds`. */
  ipam?: TunnelAllocator;
  /** Other managers (policy, …) run after the agent's own on every apply. */
  extraManagers?: DataplaneManager[];
  /** Further kinds those managers read (the syncer watches them into the same snapshot). */
  extraKinds?: readonly string[];
  /** Set when the kernel handle targets another namespace (in-process tests): skips IPIP and BGP. */
  foreignNetns?: boolean;
  bgpListenPort?: number;
  /** Directory of BGP password secrets, <dir>/<secret name>/<key> (default /etc/tabby/secrets). */
  bgpSecretsDir?: string;
  /** Grace period for unknown workload routes (ms). */
  routeGraceMs?: number;
  /** Run CNI invocations for the plugin on <stateDir>/cni.sock (default true; never with foreignNetns). */
  cniServer?: boolean;
  /** Datastore probe timing (tests shorten it); defaults in datastore-monitor.ts. */
  datastoreMonitor?: Pick<DatastoreMonitorOptions, 'intervalMs' | 'timeoutMs' | 'graceMs'>;
  /** Time source for the loop's timers, the syncer and the BGP speaker (tests pass a manual clock). */
  clock?: Clock;
  /**
   * kube-controllers' leakGracePeriod, for this node: an address no endpoint, tunnel or ADD in flight uses for
   * longer than this is released, and so is a block empty for longer than this unless it is the node's last.
   * Default 15 minutes; 0 disables both.
   */
  ipamLeakGracePeriodMs?: number;
  /**
   * What runs the CNI invocations served on the socket (default: the plugin on this host's kernel). With one,
   * the socket is served even with foreignNetns: tests serve ADDs on a fake dataplane.
   */
  cniRunner?: InvocationRunner & { close(): Promise<void> };
}


export class Agent {
  readonly metrics = new AgentMetrics();
  readonly health = new HealthAggregator();
  syncer!: Syncer;
  routeTable!: RouteTable;
  address!: DetectedAddress;
  hostMtu = 1500;
  podMtu = 0;
  lastDesired: DesiredState | undefined;
  applies = 0;
  private managers: DataplaneManager[] = [];
  private learned: LearnedRouteSet = new Set<LearnedRoute>();
  /** Something calculate() reads changed since the last calculation (datastore, or a resync). */
  private calcStale = true;
  private lastCalc: { desired: DesiredState; base: SnapshotState; learned: Iterable<LearnedRoute> | undefined; baseKey: string; ctxKey: string } | undefined;
  /** False until the BGP speaker handed over its first complete route set (after End-of-RIB from every peer or
   *  its deferral timer): until then routes learned so far are programmed, and the kernel's BGP routes from
   *  before a restart are kept besides, as BIRD's kernel protocol does during graceful restart, so a restarted
   *  agent does not cut its pods off for a moment. */
  private bgpRoutesSynced = false;
  /** BGP is this node's backend but its speaker is not started yet: no apply pass (it would drop BGP routes). */
  private bgpPending = false;
  private bgp: BgpHandle | undefined;
  private cni: { server: CniServer; runner: { close(): Promise<void> } } | undefined;
  /** Cached host default route (null: not read yet; undefined: there is none). */
  private defaultRoute: { gateway: string; dev: string } | undefined | null = null;
  private applyTimer: TimerHandle | undefined;
  private applying = false;
  private pending = false;
  private needsRetry = false;
  private firstApplyOk = false;
  private heartbeat: number;
  private timers: TimerHandle[] = [];
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;
  private poolsKey = '';
  private waiters: (() => void)[] = [];
  private datastoreMonitor: DatastoreMonitor | undefined;
  private readonly unenforced: UnenforcedReporter;

  private readonly clock: Clock;

  constructor(readonly opts: AgentOptions) {
    this.clock = opts.clock ?? realClock;
    this.heartbeat = this.clock.now();
    this.unenforced = new UnenforcedReporter(opts.log);
  }

  get backend(): NetworkingBackend { return this.opts.backend ?? 'bird'; }

  /** The BGP speaker's sessions (empty without BGP), for `tabby trace`'s explanation of missing routes. */
  bgpPeers(): { address: string; state: string }[] { return this.bgp?.status().peers ?? []; }

  /** The speaker's status as `tabby node status` reads it (BGP_NOT_RUNNING without BGP). */
  bgpStatus(): BgpStatus { return this.bgp?.status() ?? BGP_NOT_RUNNING; }

  async start(): Promise<void> {
    const { ds, log, kernel, nodeName } = this.opts;
    const env = this.opts.env ?? {};
    // Health first: an agent started during a datastore outage must answer its probes (live, not ready)
    // while start-up waits for the datastore, or a liveness probe would restart it in a loop.
    await this.startHealth();
    // --- start-up (calico-node) ---
    this.address = env.IP && env.IP !== 'autodetect'
      ? await addressFromConfig(kernel, env.IP)
      : await detectAddress(kernel, env.IP_AUTODETECTION_METHOD || 'first-found');
    log.info({ node: nodeName, address: this.address.cidr, iface: this.address.iface }, 'using node address');
    await retryUnavailable(log, this.clock, () => registerNode(ds, nodeName, this.address, env.AS), () => this.stopped);
    await retryUnavailable(log, this.clock, () => ensureDefaultPool(ds, env, log), () => this.stopped);
    const clusterType = env.CLUSTER_TYPE || (this.backend === 'bird' ? 'tabby,bgp' : 'tabby');
    await retryUnavailable(log, this.clock, () => markClusterReady(ds, clusterType), () => this.stopped);
    await retryUnavailable(log, this.clock, () => ensureDefaultResources(ds, log), () => this.stopped);
    const ipam = this.opts.ipam ?? (await import('../ipam/index.ts')).createIpam(ds);
    const tunnels = await retryUnavailable(log, this.clock, () => ensureTunnelAddresses(ds, ipam, nodeName), () => this.stopped);
    if (tunnels.vxlan || tunnels.ipip) log.info(tunnels, 'tunnel addresses');
    this.hostMtu = await hostMtu(kernel);
    writeStateFile(this.opts.stateDir, 'nodename', nodeName);
    if (this.opts.cniServer !== false && (!this.opts.foreignNetns || this.opts.cniRunner)) await this.startCniServer();

    // --- dataplane ---
    this.routeTable = new RouteTable(kernel, log.child({ mod: 'routes' }), { graceMs: this.opts.routeGraceMs, now: () => this.clock.now() });
    this.managers = [new VxlanManager(kernel, log.child({ mod: 'vxlan' }))];
    if (!this.opts.foreignNetns) this.managers.push(new IpipManager(kernel, log.child({ mod: 'ipip' }), this.address.iface, this.hostMtu));
    this.managers.push(this.routeTable, new NatManager(kernel, log.child({ mod: 'nat' })), new SysctlManager(kernel, log.child({ mod: 'sysctls' })));
    this.managers.push(...(this.opts.extraManagers ?? []));
    for (const m of this.managers) this.metrics.failures.inc({ manager: m.name }, 0); // export zeros from the start

    // --- main loop --- (one syncer, one datastore watch: the BGP speaker's resources come from it too)
    const bgp = this.backend === 'bird' && !this.opts.foreignNetns;
    this.bgpPending = bgp;
    const kinds = [...new Set([...AGENT_KINDS, ...(bgp ? BGP_KINDS : []), ...(this.opts.extraKinds ?? [])])];
    this.syncer = new Syncer(ds, log.child({ mod: 'syncer' }), { kinds, clock: this.clock });
    this.syncer.on('changed', (kind, change) => {
      this.metrics.datastoreEvents.inc();
      this.onSnapshotChanged(kind);
      if (kind === undefined || change === undefined || affectsDesiredState(kind, change, this.syncer.snapshot, { nodeName: this.opts.nodeName, bgpEnabled: this.bgp !== undefined })) this.calcStale = true;
      this.scheduleApply();
    });
    this.syncer.on('status', (s) => log.info({ status: s }, 'datastore sync status'));
    this.syncer.on('rejected', (kind, reason) => this.metrics.datastoreRejected.inc({ kind, reason }));
    this.syncer.start();
    if (bgp) await this.startBgp();
    this.scheduleResync();
    await this.startIpamGc();
  }

  /** kube-controllers' IPAM GC for this node: leaked addresses, then empty blocks (src/agent/ipam-gc.ts). */
  private async startIpamGc(): Promise<void> {
    const { DEFAULT_LEAK_GRACE_PERIOD_MS } = await import('../ipam/block-gc.ts');
    const gracePeriodMs = this.opts.ipamLeakGracePeriodMs ?? DEFAULT_LEAK_GRACE_PERIOD_MS;
    if (gracePeriodMs <= 0) return;
    const { IpamGc } = await import('./ipam-gc.ts');
    const gc = new IpamGc({
      ds: this.opts.ds, node: this.opts.nodeName, gracePeriodMs, clock: this.clock, log: this.opts.log.child({ mod: 'ipam-gc' }),
      metrics: this.metrics, inFlight: () => this.cni?.server.addsInFlight() ?? new Set(),
    });
    this.timers.push(gc.start());
  }

  /** Health and metrics ports, the liveness heartbeat and the datastore monitor: up before anything waits. */
  private async startHealth(): Promise<void> {
    const { ds, log } = this.opts;
    this.timers.push(this.clock.setInterval(() => { this.heartbeat = this.clock.now(); }, 1000));
    this.datastoreMonitor = new DatastoreMonitor(() => ds.get('ClusterInformation', 'default'), {
      ...this.opts.datastoreMonitor,
      clock: this.clock,
      onChange: (connected, error) => {
        this.metrics.datastoreConnected.set(connected ? 1 : 0);
        if (connected) log.info('datastore connected');
        else log.warn({ err: error }, 'datastore unreachable');
      },
    });
    this.datastoreMonitor.start();
    // Served whatever the backend, as calicoctl's `node status` works on every node: without a BGP speaker
    // (backend vxlan or none, or a speaker that is not running) it reports that none runs.
    this.health.mount('/bgp/status', jsonRoute(() => this.bgp?.status() ?? BGP_NOT_RUNNING));
    this.health.register('agent', () => {
      const live = this.clock.now() - this.heartbeat < 30_000;
      const ready = this.syncer?.status === 'in-sync' && this.firstApplyOk;
      const phase = this.syncer ? `datastore ${this.syncer.status}` : 'starting';
      return { live, ready, detail: `${phase}; ${this.firstApplyOk ? 'dataplane programmed' : 'dataplane not yet programmed'}` };
    });
    this.health.register('datastore', () => {
      const h = this.datastoreMonitor!.health();
      return { live: true, ready: h.ready, detail: h.detail };
    });
    if ((this.opts.healthPort ?? 9099) > 0) await this.health.listen(this.opts.healthPort ?? 9099, this.opts.healthHost ?? '127.0.0.1');
    if ((this.opts.metricsPort ?? 9091) > 0) await this.metrics.listen(this.opts.metricsPort ?? 9091, this.opts.metricsHost ?? '0.0.0.0');
  }

  /** The plugin's fast path (src/cni/agent-client.ts): pods start without loading a whole plugin per pod. */
  private async startCniServer(): Promise<void> {
    const { CniServer, pluginRunner } = await import('../cni/agent-server.ts');
    const runner = this.opts.cniRunner ?? pluginRunner();
    const server = new CniServer({
      socketPath: join(this.opts.stateDir, CNI_SOCKET_NAME), log: this.opts.log.child({ mod: 'cni' }), run: runner,
      onServed: (command, exitCode, seconds) => {
        this.metrics.cniServed.inc({ command, result: exitCode === 0 ? 'ok' : 'error' });
        this.metrics.cniServeTime.observe({ command }, seconds);
      },
    });
    try {
      if (await server.start()) this.cni = { server, runner };
      else await runner.close();
    } catch (e) {
      // Not fatal: the plugin does the work itself when no agent answers.
      this.opts.log.warn({ err: (e as Error).message }, 'cannot serve CNI requests; the plugin will run them itself');
      await runner.close();
    }
  }

  private async startBgp(): Promise<void> {
    const { ds, nodeName, log } = this.opts;
    const { startBgp } = await import('../bgp/node-integration.ts');
    const resources = this.syncer.asSource();
    const bgp = await startBgp({
      ds, resources, nodeName, log: log.child({ mod: 'bgp' }), clock: this.clock,
      ...(this.opts.bgpListenPort !== undefined ? { listenPort: this.opts.bgpListenPort } : {}),
      ...(this.opts.bgpSecretsDir !== undefined ? { secretsDir: this.opts.bgpSecretsDir } : {}),
      onRoutes: (routes: LearnedRouteSet, complete: boolean) => {
        this.learned = routes;
        if (complete) this.bgpRoutesSynced = true;
        this.metrics.bgpRoutes.set(routes.size);
        // No throttle of our own: the speaker has already gathered the burst (and paces large tables).
        this.scheduleApply(0);
      },
    });
    // The speaker hands over routes at the latest after its 30 s deferral; if it never runs (no BGP
    // configuration) stop holding stale BGP routes after that too.
    this.timers.push(this.clock.setTimeout(() => { if (!this.bgpRoutesSynced) { this.bgpRoutesSynced = true; this.scheduleApply(); } }, 40_000));
    this.bgp = bgp;
    this.bgpPending = false;
    this.scheduleApply();
    // BIRD-style readiness: with peers configured, at least one session must be Established.
    this.health.register('bgp', () => {
      const st = bgp.status();
      const down = st.peers.filter((p) => p.state !== 'Established').map((p) => p.address);
      const ready = st.peers.length === 0 || down.length < st.peers.length;
      return { live: true, ready, detail: down.length ? `BGP not established with ${down.join(',')}` : `${st.peers.length} peer(s) established` };
    });
  }

  /**
   * Logs newly accepted-but-unenforced settings, and re-runs allocate-tunnel-addrs when pools change (a pool
   * switched to VXLAN needs a tunnel address). `kind` undefined: after a (re)list, anything may have changed.
   */
  private onSnapshotChanged(kind?: string): void {
    const snap = this.syncer.snapshot;
    if (kind === undefined || UNENFORCED_KINDS.includes(kind)) this.unenforced.check(UNENFORCED_KINDS.flatMap((k) => [...snap.items(k)]));
    if (kind !== undefined && kind !== 'IPPool') return;
    const pools = [...this.syncer.snapshot.items('IPPool')].map((p) => `${p.metadata.name}:${p.metadata.resourceVersion}`).sort().join(',');
    if (pools === this.poolsKey) return;
    const first = this.poolsKey === '';
    this.poolsKey = pools;
    if (first) return; // start-up just did it
    const ipam = this.opts.ipam;
    void (async () => {
      try {
        const i = ipam ?? (await import('../ipam/index.ts')).createIpam(this.opts.ds);
        await ensureTunnelAddresses(this.opts.ds, i, this.opts.nodeName);
      } catch (e) { this.opts.log.warn({ err: (e as Error).message }, 'tunnel address allocation failed'); }
    })();
  }

  /**
   * The periodic kernel re-read, as Felix's route refresh ticker (jitter.NewTicker(interval, interval/10)):
   * every interval plus up to a tenth more, at random, so that nodes started together (a cluster restarted
   * as a whole, a lab) do not all re-read their kernels, spawning `ip` and `nft`, at the same moment.
   */
  private scheduleResync(): void {
    const every = this.opts.resyncIntervalMs ?? 90_000;
    this.resyncTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.requestResync();
      this.scheduleResync();
    }, every + Math.random() * (every / 10));
  }

  requestResync(): void {
    this.defaultRoute = null;
    this.calcStale = true;
    for (const m of this.managers) m.requestResync();
    this.metrics.resyncs.inc();
    this.scheduleApply();
  }

  scheduleApply(delayMs = this.opts.throttleMs ?? 5): void {
    if (this.stopped) return;
    if (this.applying) { this.pending = true; return; }
    if (this.applyTimer) return;
    this.applyTimer = this.clock.setTimeout(() => void this.applyWhenCniIdle(), delayMs);
  }

  private async applyWhenCniIdle(): Promise<void> {
    // A pod's ADD/DEL served on this event loop waits for its reply: let it finish first (for at most 100 ms).
    // Its own endpoint is what the apply would program next anyway. applyTimer stays set meanwhile, so
    // scheduleApply() does not start a second wait.
    await this.cni?.server.idle(100);
    this.applyTimer = undefined;
    void this.applyNow();
  }

  /**
   * The host's default route (gateway and device), for BGP next hops beyond the local subnet. Read from the
   * kernel once and again after each resync request (it rarely changes; reading it spawns `ip`), not per apply.
   */
  private async underlayDefaultRoute(): Promise<{ gateway: string; dev: string } | undefined> {
    if (!this.learned.size) return undefined;
    if (this.defaultRoute !== null) return this.defaultRoute;
    try {
      const r = (await this.opts.kernel.listRoutes()).find((x) => x.dst === '0.0.0.0/0' && x.type === 'unicast' && x.gateway);
      this.defaultRoute = r?.gateway ? { gateway: r.gateway, dev: r.dev ?? this.address.iface } : undefined;
      return this.defaultRoute;
    } catch (e) {
      this.opts.log.warn({ err: (e as Error).message }, 'cannot read the default route');
      return undefined;
    }
  }

  /** Resolves after the next apply pass that started after this call completes. */
  waitForApply(): Promise<void> { return new Promise((r) => { this.waiters.push(r); this.scheduleApply(); }); }

  private async applyNow(): Promise<void> {
    if (this.stopped || this.syncer.status !== 'in-sync' || this.bgpPending) return;
    this.applying = true;
    this.pending = false;
    const waiters = this.waiters.splice(0);
    const { log } = this.opts;
    const ctx: CalcContext = {
      nodeName: this.opts.nodeName, parentIface: this.address.iface, hostMtu: this.hostMtu,
      bgpEnabled: this.bgp !== undefined, learnedRoutes: this.learned,
      underlayDefaultRoute: this.bgp !== undefined ? await this.underlayDefaultRoute() : undefined,
    };
    const endApply = this.metrics.applyTime.startTimer();
    let failed = false;
    try {
      const desired = this.desiredState(ctx);
      if (desired.problems.length && JSON.stringify(desired.problems) !== JSON.stringify(this.lastDesired?.problems)) {
        log.warn({ problems: desired.problems.slice(0, 20) }, 'skipped datastore objects');
      }
      this.lastDesired = desired;
      if (desired.podMtu !== this.podMtu) {
        writeStateFile(this.opts.stateDir, 'mtu', `${desired.podMtu}\n`);
        log.info({ podMtu: desired.podMtu, hostMtu: this.hostMtu }, 'pod MTU');
        this.podMtu = desired.podMtu;
      }
      this.metrics.localEndpoints.set(desired.workloadInterfaces.length);
      this.routeTable.keepBgpRoutes = this.bgp !== undefined && !this.bgpRoutesSynced;
      this.metrics.clusterHosts.set(this.syncer.snapshot.size('Node'));
      for (const m of this.managers) m.onUpdate(desired, this.syncer.snapshot);
      const before = { ...this.routeTable.stats };
      for (const m of this.managers) {
        try {
          if (m === this.routeTable) {
            const end = this.metrics.resyncTime.startTimer();
            await m.apply();
            end();
          } else await m.apply();
        } catch (e) {
          failed = true;
          this.metrics.failures.inc({ manager: m.name });
          m.requestResync();
          if (m === this.routeTable) this.defaultRoute = null; // a route via a default gateway that moved fails
          log.warn({ mod: m.name, err: (e as Error).message }, 'dataplane apply failed; will resync and retry');
        }
      }
      this.metrics.routesProgrammed.inc(this.routeTable.stats.routesProgrammed - before.routesProgrammed);
      this.metrics.routesDeleted.inc(this.routeTable.stats.routesDeleted - before.routesDeleted);
      this.metrics.routes.set(this.routeTable.programmedCount());
      this.applies++;
      if (!failed && !this.firstApplyOk) { this.firstApplyOk = true; log.info({ routes: this.routeTable.programmedCount() }, 'dataplane in sync'); }
    } catch (e) {
      failed = true;
      log.error({ err: (e as Error).stack }, 'apply failed');
    } finally {
      endApply();
      this.applying = false;
      for (const w of waiters) w();
    }
    if (failed) { this.needsRetry = true; this.clock.setTimeout(() => this.scheduleApply(), 1000).unref(); }
    else this.needsRetry = false;
    const grace = this.routeTable.nextGraceExpiry();
    if (grace !== undefined) this.clock.setTimeout(() => this.scheduleApply(), Math.max(10, grace - this.clock.now() + 10)).unref();
    if (this.pending) this.scheduleApply();
  }

  /**
   * The calculation, or the last result when nothing it reads changed since (relevance.ts: most datastore
   * changes are other nodes' pods, which change no route here). When only the BGP-learned routes changed (a
   * remote block's UPDATE, on every node of a mesh), only they are re-added to the snapshot's part.
   * The policy manager reads the snapshot itself.
   */
  private desiredState(ctx: CalcContext): DesiredState {
    const baseKey = JSON.stringify([ctx.parentIface, ctx.hostMtu, ctx.bgpEnabled]);
    const ctxKey = JSON.stringify([baseKey, ctx.underlayDefaultRoute]);
    const last = this.lastCalc;
    const snapshotUnchanged = !this.calcStale && last !== undefined && last.baseKey === baseKey;
    if (snapshotUnchanged && last.learned === ctx.learnedRoutes && last.ctxKey === ctxKey) {
      this.metrics.calcSkipped.inc();
      return last.desired;
    }
    const endCalc = this.metrics.calcTime.startTimer();
    const base = snapshotUnchanged ? last.base : calculateFromSnapshot(this.syncer.snapshot, ctx);
    if (snapshotUnchanged) this.metrics.calcLearnedOnly.inc();
    const desired = withLearnedRoutes(base, ctx);
    endCalc();
    // Only a calculation that completed stands for the snapshot (after a throw the next pass tries again).
    this.calcStale = false;
    this.lastCalc = { desired, base, learned: ctx.learnedRoutes, baseKey, ctxKey };
    return desired;
  }

  status(): { ready: boolean; syncStatus: string; routes: number; needsRetry: boolean } {
    return { ready: this.firstApplyOk, syncStatus: this.syncer?.status ?? 'not started', routes: this.routeTable?.programmedCount() ?? 0, needsRetry: this.needsRetry };
  }

  /** Stop the loop and the servers. Kernel state stays as it is (a restarted agent adopts it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clear(this.applyTimer);
    for (const t of this.timers) this.clock.clear(t);
    this.clock.clear(this.resyncTimer);
    this.datastoreMonitor?.stop();
    this.syncer?.stop();
    if (this.cni) { await this.cni.server.close(); await this.cni.runner.close(); this.cni = undefined; }
    await this.bgp?.stop();
    for (const m of this.managers) if (m instanceof IpipManager) await m.stop();
    await this.health.close();
    await this.metrics.close();
  }
}

/** Start-up must survive a datastore that is not up yet (etcd starting): retry Unavailable with backoff. */
async function retryUnavailable<T>(log: Logger, clock: Clock, fn: () => Promise<T>, stopped: () => boolean): Promise<T> {
  for (let retryMs = 250; ; retryMs = Math.min(retryMs * 2, 5000)) {
    try { return await fn(); } catch (e) {
      if (!isDatastoreError(e, 'Unavailable') || stopped()) throw e;
      log.warn({ err: (e as Error).message, retryMs }, 'datastore unavailable; retrying');
      await delay(clock, retryMs);
    }
  }
}
