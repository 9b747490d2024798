// The seam the node agent calls: feed it snapshots of plain resources (cheap), then apply() (one atomic nft
// transaction). Shape as Felix's dataplane managers: OnUpdate is cheap, the work happens in apply().
// Nothing is written to the kernel before the first update() (Felix: no writes before in-sync).
import type { Logger } from '../log.ts';
import { PolicyCalculator, SET_WL_ADDRS_V4, SET_WL_ADDRS_V6, type CalcOptions, type CalcStats, type HostInterfaces, type RulesetModel } from './calc.ts';
import type { Resource } from '../api/resource.ts';
import type { PolicySnapshot } from './model.ts';
import { applyTransaction, driftReason, execRunner, readKernel, renderDiff, renderFull, type NftRunner } from './nft.ts';

export interface PolicyManagerOptions {
  nodeName: string;
  log: Logger;
  /** How to run nft (default: `nft` in this process's namespace). Tests pass netnsRunner(ns). */
  run?: NftRunner;
  /**
   * How to run `conntrack` (default: in this process's namespace). Used, as Felix does, to forget the flows
   * of endpoints that went away, so that a pod reusing the address does not inherit "established" state.
   */
  runConntrack?: NftRunner;
  /**
   * How to run `ip` (default: in this process's namespace). Used while this node has HostEndpoints, to
   * learn its interfaces and their addresses (HostEndpoints matched by expectedIPs), as Felix's interface
   * monitor does.
   */
  runIp?: NftRunner;
  endpointToHostAction?: CalcOptions['endpointToHostAction'];
  allowVXLANFromWorkloads?: boolean;
  allowIPIPFromWorkloads?: boolean;
}

export interface ApplyResult {
  /** 'none' when nothing changed. */
  mode: 'none' | 'incremental' | 'full';
  /** Milliseconds spent computing and applying (wall clock). */
  calcMs: number;
  /** CPU milliseconds of the calculation (wall clock inflates on a loaded machine; this does not). */
  calcCpuMs: number;
  applyMs: number;
  stats: CalcStats;
}

export interface PolicyManager {
  /**
   * Record the latest resources; cheap. Resources are treated as immutable: hand over a new object for a
   * changed resource (as the agent's syncer does); unchanged objects are recognised and cost nothing.
   */
  update(snapshot: PolicySnapshot): void;
  /** Bring the kernel to the latest snapshot in one atomic transaction (incremental when possible). */
  apply(): Promise<ApplyResult>;
  /** Read the kernel back; if it drifted from what we applied, rewrite the table in full. Returns the drift found. */
  resync(): Promise<string | undefined>;
  /** Delete our table (for tests and `node run --cleanup`; normal shutdown leaves rules in place: fail closed). */
  removeTable(): Promise<void>;
  /** Problems from the last calculation: invalid policies/endpoints that were skipped or made to deny. */
  readonly problems: readonly string[];
  /** The last ruleset applied to the kernel, if any. */
  readonly applied: RulesetModel | undefined;
}

export function createPolicyManager(opts: PolicyManagerOptions): PolicyManager {
  return new NftPolicyManager(opts);
}

/** Local workload addresses of a ruleset (from the anti-spoofing sets). */
function workloadAddresses(rs: RulesetModel): Set<string> {
  return new Set([SET_WL_ADDRS_V4, SET_WL_ADDRS_V6].flatMap((n) => [...(rs.sets.get(n)?.elements ?? [])].map((e) => e.split(' . ')[1]!)));
}

/** Delete the conntrack entries of local workload addresses that are gone (Felix does the same). */
async function forgetFlows(runConntrack: NftRunner, log: Logger, prev: RulesetModel, next: RulesetModel): Promise<void> {
  const now = workloadAddresses(next);
  const gone = [...workloadAddresses(prev)].filter((ip) => !now.has(ip));
  if (gone.length === 0) return;
  // One dump, then deletes only for addresses that have flows: thousands of endpoints can go at once.
  let withFlows: string[];
  try {
    const dump = await runConntrack(['-L']);
    const seen = new Set<string>();
    for (const m of dump.matchAll(/\b(?:src|dst)=([0-9a-fA-F:.]+)/g)) seen.add(m[1]!);
    withFlows = gone.filter((ip) => seen.has(ip));
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'conntrack listing failed; deleting flows per address');
    withFlows = gone;
  }
  for (const ip of withFlows) {
    for (const dir of ['-s', '-d']) {
      try {
        await runConntrack(['-D', dir, ip]);
      } catch (e) {
        // Exit status 1 with "0 flow entries" just means there was nothing to delete.
        if (!/0 flow entries/.test((e as Error).message)) log.warn({ ip, err: (e as Error).message }, 'conntrack cleanup failed');
      }
    }
  }
}

/** `ip -j addr show` → interface name → addresses. */
export function parseIpAddrJson(json: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const parsed = JSON.parse(json) as Array<{ ifname?: string; addr_info?: Array<{ local?: string }> }>;
  for (const link of parsed) {
    if (!link.ifname) continue;
    out.set(link.ifname, (link.addr_info ?? []).map((a) => a.local).filter((a): a is string => !!a));
  }
  return out;
}

function sameInterfaces(a: HostInterfaces | undefined, b: HostInterfaces | undefined): boolean {
  return JSON.stringify(a && [...a].sort()) === JSON.stringify(b && [...b].sort());
}

class NftPolicyManager implements PolicyManager {
  private readonly log: Logger;
  private readonly run: NftRunner;
  private readonly runConntrack: NftRunner;
  private readonly runIp: NftRunner;
  private readonly nodeName: string;
  private readonly calc: PolicyCalculator;
  private lastSnapshot: PolicySnapshot | undefined;
  private interfaces: HostInterfaces | undefined;
  private pending: PolicySnapshot | undefined;
  private lastApplied: RulesetModel | undefined;
  private lastProblems = '';
  /** Serialises apply/resync: overlapping nft transactions would diff against a stale model. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PolicyManagerOptions) {
    this.log = opts.log;
    this.run = opts.run ?? execRunner();
    this.runConntrack = opts.runConntrack ?? execRunner([], 'conntrack');
    this.runIp = opts.runIp ?? execRunner([], 'ip');
    this.nodeName = opts.nodeName;
    this.calc = new PolicyCalculator({
      nodeName: opts.nodeName,
      endpointToHostAction: opts.endpointToHostAction,
      allowVXLANFromWorkloads: opts.allowVXLANFromWorkloads,
      allowIPIPFromWorkloads: opts.allowIPIPFromWorkloads,
    });
  }

  get problems(): readonly string[] { return this.calc.problems; }
  get applied(): RulesetModel | undefined { return this.lastApplied; }

  update(snapshot: PolicySnapshot): void { this.pending = snapshot; }

  apply(): Promise<ApplyResult> { return this.serial(() => this.doApply()); }

  resync(): Promise<string | undefined> {
    return this.serial(async () => {
      const applied = this.lastApplied;
      if (!applied) return undefined;
      // Interfaces come and go without a datastore event: recalculate when they changed.
      if (this.lastSnapshot && !this.pending && await this.refreshInterfaces(this.lastSnapshot)) {
        this.pending = this.lastSnapshot;
        await this.doApply();
        return 'host interfaces changed';
      }
      const k = await readKernel(this.run, applied.family, applied.table);
      const reason = k ? driftReason(applied, k) : 'table missing';
      if (reason) {
        this.log.warn({ reason }, 'nftables drift detected; rewriting the table');
        await this.full(applied);
      }
      return reason;
    });
  }

  removeTable(): Promise<void> {
    return this.serial(async () => {
      const family = this.lastApplied?.family ?? 'inet';
      const table = this.lastApplied?.table ?? 'tabby';
      await applyTransaction(this.run, `add table ${family} ${table}\ndelete table ${family} ${table}\n`);
      this.lastApplied = undefined;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async full(rs: RulesetModel): Promise<void> {
    await applyTransaction(this.run, renderFull(rs));
    this.lastApplied = rs;
  }

  private async doApply(): Promise<ApplyResult> {
    const t0 = performance.now();
    const calc = this.calc;
    if (!this.pending) return { mode: 'none', calcMs: 0, calcCpuMs: 0, applyMs: 0, stats: calc.stats };
    const cpu0 = process.cpuUsage();
    const snapshot = this.pending;
    await this.refreshInterfaces(snapshot);
    calc.update(snapshot);
    this.lastSnapshot = snapshot;
    this.pending = undefined;
    const rs = calc.ruleset();
    this.logProblems();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const previous = this.lastApplied;
    let mode: ApplyResult['mode'];
    try {
      mode = await this.write(rs);
    } catch (e) {
      // Retry on the next apply(), with a full rewrite: we no longer know what the kernel holds.
      this.pending ??= snapshot;
      this.lastApplied = undefined;
      throw e;
    }
    if (previous) await forgetFlows(this.runConntrack, this.log, previous, rs);
    const t2 = performance.now();
    if (mode !== 'none') this.log.info({ mode, ...calc.stats, calcMs: Math.round(t1 - t0), applyMs: Math.round(t2 - t1) }, 'policy dataplane updated');
    return { mode, calcMs: t1 - t0, calcCpuMs: (cpu.user + cpu.system) / 1000, applyMs: t2 - t1, stats: calc.stats };
  }

  /**
   * Re-reads the node's interfaces while it has HostEndpoints (none: nothing to read). Returns whether they
   * changed. A failure is logged; named HostEndpoints still work without the list.
   */
  private async refreshInterfaces(snapshot: PolicySnapshot): Promise<boolean> {
    let next: HostInterfaces | undefined;
    if ((snapshot.hostEndpoints ?? []).some((h) => h.spec?.node === this.nodeName)) {
      try {
        next = parseIpAddrJson(await this.runIp(['-j', 'addr', 'show']));
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'listing host interfaces failed; host endpoints matched by name only');
      }
    }
    if (sameInterfaces(next, this.interfaces)) return false;
    this.interfaces = next;
    this.calc.setHostInterfaces(next);
    return true;
  }

  /** Log the calculation's problems when they change (not on every apply). */
  private logProblems(): void {
    const problems = this.calc.problems.join('\n');
    if (problems === this.lastProblems) return;
    for (const p of this.calc.problems) this.log.warn({ problem: p }, 'policy problem');
    this.lastProblems = problems;
  }

  /** Bring the kernel to `rs`: incrementally when possible, else (or when that fails) in full. */
  private async write(rs: RulesetModel): Promise<ApplyResult['mode']> {
    if (!this.lastApplied) {
      await this.full(rs);
      return 'full';
    }
    if (rs === this.lastApplied) return 'none'; // the calculator reused the ruleset: nothing it reads changed
    const diff = renderDiff(this.lastApplied, rs);
    if (diff.needsFull) {
      await this.full(rs);
      return 'full';
    }
    if (!diff.text) {
      this.lastApplied = rs;
      return 'none';
    }
    try {
      await applyTransaction(this.run, diff.text);
      this.lastApplied = rs;
      this.log.debug({ changes: diff.changes }, 'policy applied incrementally');
      return 'incremental';
    } catch (e) {
      // The kernel is not what we think (someone edited our table?): replace it in one transaction.
      this.log.warn({ err: (e as Error).message }, 'incremental nft update failed; resyncing the whole table');
      await this.full(rs);
      return 'full';
    }
  }
}

/** The resource kinds the policy manager reads; the agent's syncer must watch these. */
export const POLICY_KINDS = [
  'WorkloadEndpoint', 'NetworkPolicy', 'GlobalNetworkPolicy', 'Profile', 'NetworkSet', 'GlobalNetworkSet', 'Tier',
  'HostEndpoint', 'FelixConfiguration', 'Node', 'IPPool',
] as const;

/** Anything that lists resources by kind (the agent's Snapshot has this shape). */
export interface ResourceStore { items(kind: string): Iterable<Resource> }

/** Build a PolicySnapshot from a kind-indexed store of plain resources. */
export function snapshotFromStore(store: ResourceStore): PolicySnapshot {
  const list = <T>(kind: string) => [...store.items(kind)] as T[];
  return {
    workloadEndpoints: list('WorkloadEndpoint'),
    networkPolicies: list('NetworkPolicy'),
    globalNetworkPolicies: list('GlobalNetworkPolicy'),
    profiles: list('Profile'),
    networkSets: list('NetworkSet'),
    globalNetworkSets: list('GlobalNetworkSet'),
    tiers: list('Tier'),
    hostEndpoints: list('HostEndpoint'),
    felixConfigurations: list('FelixConfiguration'),
    nodes: list('Node'),
    ipPools: list('IPPool'),
  };
}

/**
 * The policy manager in the node agent's DataplaneManager shape (onUpdate cheap, apply does the I/O,
 * requestResync makes the next apply re-read the kernel), for the Agent's `extraManagers` option.
 */
export function asDataplaneManager(pm: PolicyManager): {
  readonly name: string;
  onUpdate(state: unknown, store: ResourceStore): void;
  apply(): Promise<void>;
  requestResync(): void;
} {
  let resync = false;
  let lastVersion: number | undefined;
  return {
    name: 'policy',
    onUpdate(_state, store) {
      // Skip rebuilding the snapshot when the store says none of the policy kinds changed (an IPAM block's
      // allocations change with every pod, and are none of policy's business).
      const s = store as { version?: number; versionOf?: (kinds: readonly string[]) => number };
      const version = s.versionOf ? s.versionOf(POLICY_KINDS) : s.version;
      if (version !== undefined && version === lastVersion) return;
      lastVersion = version;
      pm.update(snapshotFromStore(store));
    },
    async apply() {
      await pm.apply();
      if (resync) {
        resync = false;
        await pm.resync();
      }
    },
    requestResync() { resync = true; },
  };
}
