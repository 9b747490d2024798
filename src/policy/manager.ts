// The seam the node agent calls: feed it snapshots of plain resources (cheap), then apply() (one atomic nft
// transaction). Shape as Felix's dataplane managers: OnUpdate is cheap, the work happens in apply().
// Nothing is written to the kernel before the first update() (Felix: no writes before in-sync).
import type { Logger } from '../log.ts';
import { PolicyCalculator, SET_WL_ADDRS_V4, SET_WL_ADDRS_V6, type CalcOptions, type CalcStats, type RulesetModel } from './calc.ts';
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
  const log = opts.log;
  const run = opts.run ?? execRunner();
  const runConntrack = opts.runConntrack ?? execRunner([], 'conntrack');
  const calc = new PolicyCalculator({
    nodeName: opts.nodeName,
    endpointToHostAction: opts.endpointToHostAction,
    allowVXLANFromWorkloads: opts.allowVXLANFromWorkloads,
    allowIPIPFromWorkloads: opts.allowIPIPFromWorkloads,
  });
  let pending: PolicySnapshot | undefined;
  let applied: RulesetModel | undefined;
  let lastProblems = '';
  // Serialise apply/resync: overlapping nft transactions would diff against a stale model.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };

  async function full(rs: RulesetModel): Promise<void> {
    await applyTransaction(run, renderFull(rs));
    applied = rs;
  }

  /** Delete conntrack entries of local workload addresses that are gone. */
  async function forgetFlows(prev: RulesetModel, next: RulesetModel): Promise<void> {
    const addrs = (rs: RulesetModel) => new Set([SET_WL_ADDRS_V4, SET_WL_ADDRS_V6]
      .flatMap((n) => [...(rs.sets.get(n)?.elements ?? [])].map((e) => e.split(' . ')[1]!)));
    const now = addrs(next);
    const gone = [...addrs(prev)].filter((ip) => !now.has(ip));
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

  async function doApply(): Promise<ApplyResult> {
    const t0 = performance.now();
    if (!pending) return { mode: 'none', calcMs: 0, calcCpuMs: 0, applyMs: 0, stats: calc.stats };
    const cpu0 = process.cpuUsage();
    const snapshot = pending;
    calc.update(snapshot);
    pending = undefined;
    const rs = calc.ruleset();
    const problems = calc.problems.join('\n');
    if (problems !== lastProblems) {
      for (const p of calc.problems) log.warn({ problem: p }, 'policy problem');
      lastProblems = problems;
    }
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const calcCpuMs = (cpu.user + cpu.system) / 1000;
    const previous = applied;
    let mode: ApplyResult['mode'] = 'full';
    try {
      mode = await write(rs);
    } catch (e) {
      // Retry on the next apply(), with a full rewrite: we no longer know what the kernel holds.
      pending ??= snapshot;
      applied = undefined;
      throw e;
    }
    if (previous) await forgetFlows(previous, rs);
    const t2 = performance.now();
    if (mode !== 'none') log.info({ mode, ...calc.stats, calcMs: Math.round(t1 - t0), applyMs: Math.round(t2 - t1) }, 'policy dataplane updated');
    return { mode, calcMs: t1 - t0, calcCpuMs, applyMs: t2 - t1, stats: calc.stats };
  }

  /** Bring the kernel to `rs`: incrementally when possible, else (or when that fails) in full. */
  async function write(rs: RulesetModel): Promise<ApplyResult['mode']> {
    let mode: ApplyResult['mode'] = 'full';
    if (!applied) {
      await full(rs);
    } else {
      const diff = renderDiff(applied, rs);
      if (diff.needsFull) {
        await full(rs);
      } else if (!diff.text) {
        mode = 'none';
        applied = rs;
      } else {
        try {
          await applyTransaction(run, diff.text);
          applied = rs;
          mode = 'incremental';
          log.debug({ changes: diff.changes }, 'policy applied incrementally');
        } catch (e) {
          // The kernel is not what we think (someone edited our table?): replace it in one transaction.
          log.warn({ err: (e as Error).message }, 'incremental nft update failed; resyncing the whole table');
          await full(rs);
        }
      }
    }
    return mode;
  }

  return {
    update(snapshot) { pending = snapshot; },
    apply: () => serial(doApply),
    resync: () => serial(async () => {
      if (!applied) return undefined;
      const k = await readKernel(run, applied.family, applied.table);
      const reason = k ? driftReason(applied, k) : 'table missing';
      if (reason) {
        log.warn({ reason }, 'nftables drift detected; rewriting the table');
        await full(applied);
      }
      return reason;
    }),
    removeTable: () => serial(async () => {
      const family = applied?.family ?? 'inet';
      const table = applied?.table ?? 'tabby';
      await applyTransaction(run, `add table ${family} ${table}\ndelete table ${family} ${table}\n`);
      applied = undefined;
    }),
    get problems() { return calc.problems; },
    get applied() { return applied; },
  };
}

/** The resource kinds the policy manager reads; the agent's syncer must watch these. */
export const POLICY_KINDS = [
  'WorkloadEndpoint', 'NetworkPolicy', 'GlobalNetworkPolicy', 'Profile', 'NetworkSet', 'GlobalNetworkSet', 'Tier',
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
  };
}

/**
 * The policy manager in the node agent's DataplaneManager shape (onUpdate cheap, apply does the I/O,
 * requestResync makes the next apply re-read the kernel). src/agent/node.ts passes it to the Agent as one
 * of its extraManagers, with POLICY_KINDS as extraKinds.
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
      // Skip rebuilding the snapshot when the store says nothing changed.
      const version = (store as { version?: number }).version;
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
