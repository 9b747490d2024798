// Routing information bases (RFC 4271 §3.2, §9): Adj-RIB-In per peer, the Loc-RIB with the decision
// process, and the export rules that fill each peer's Adj-RIB-Out (iBGP split horizon, route reflection
// per RFC 4456, eBGP AS prepend / next-hop self, well-known communities). Pure data structures: the
// speaker feeds received routes in and asks which best routes changed.
import { AsPathSegType, Community, Origin, type PathAttributes } from './codec.ts';
import { evaluateFilter, type FilterRule } from './filter.ts';
import { cidrContains, tryParseCIDR, type CIDR } from '../net/ip.ts';

export interface PeerInfo {
  /** Stable key: "address" or "address:port". */
  id: string;
  address: string;
  asn: number;
  routerId: string;
  ibgp: boolean;
  /** We reflect to this peer as its route reflector (RFC 4456 client). */
  rrClient: boolean;
  /** How many times our own AS may appear in a path from this (eBGP) peer (BIRD `allow local as`); default 0. */
  allowLocalAs?: number;
}

export interface LocalSpeaker {
  asn: number;
  routerId: string;
  /** Route-reflector cluster ID; set when this speaker reflects routes. */
  clusterId?: string;
}

/**
 * One route: where it came from and its attributes. One Path is shared by the prefixes of an UPDATE that
 * were decided alike (a full table carries ~4 prefixes per UPDATE), so it is never changed in place but for
 * `stale`, which always applies to all of a peer's routes at once; a prefix decided differently gets its own.
 * `attrs` is shared likewise (never mutate it); for received routes attrs.nextHop holds the next hop of
 * either family. `source` is undefined for local routes.
 */
export interface Path {
  source?: PeerInfo;
  attrs: PathAttributes;
  /** Received from a restarting peer and not yet refreshed (RFC 4724). */
  stale: boolean;
  /** Passed the import loop checks; only eligible paths take part in the decision process. */
  eligible: boolean;
  /** Why the path is not eligible, for logs. */
  rejected?: string | undefined;
}

export const DEFAULT_LOCAL_PREF = 100;

function asPathLength(a: PathAttributes): number {
  let n = 0;
  for (const s of a.asPath ?? []) {
    if (s.type === AsPathSegType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AsPathSegType.AS_SET) n += 1; // RFC 4271 §9.1.2.2 a: a set counts as 1; confederation segments don't count
  }
  return n;
}

function ownAsCount(a: PathAttributes, asn: number): number {
  let n = 0;
  for (const s of a.asPath ?? []) for (const x of s.asns) if (x === asn) n++;
  return n;
}

function firstAs(a: PathAttributes): number | undefined {
  const s = a.asPath?.find((x) => x.type === AsPathSegType.AS_SEQUENCE || x.type === AsPathSegType.AS_SET);
  return s?.asns[0];
}

const ipKey = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);

/**
 * The decision process as a ladder of comparators; each returns <0 when a is better, >0 when b is, 0 on a tie.
 * Order: LOCAL_PREF, locally originated, AS_PATH length, ORIGIN, MED (same neighbour AS), eBGP over iBGP,
 * router ID (ORIGINATOR_ID when reflected), CLUSTER_LIST length (RFC 4456 §9), peer address.
 */
const ladder: ((a: Path, b: Path) => number)[] = [
  (a, b) => (b.attrs.localPref ?? DEFAULT_LOCAL_PREF) - (a.attrs.localPref ?? DEFAULT_LOCAL_PREF),
  (a, b) => (a.source ? 1 : 0) - (b.source ? 1 : 0),
  (a, b) => asPathLength(a.attrs) - asPathLength(b.attrs),
  (a, b) => (a.attrs.origin ?? Origin.INCOMPLETE) - (b.attrs.origin ?? Origin.INCOMPLETE),
  (a, b) => (firstAs(a.attrs) === firstAs(b.attrs) ? (a.attrs.med ?? 0) - (b.attrs.med ?? 0) : 0),
  (a, b) => (a.source?.ibgp ? 1 : 0) - (b.source?.ibgp ? 1 : 0),
  (a, b) => ipKey(a.attrs.originatorId ?? a.source?.routerId ?? '0.0.0.0') - ipKey(b.attrs.originatorId ?? b.source?.routerId ?? '0.0.0.0'),
  (a, b) => (a.attrs.clusterList?.length ?? 0) - (b.attrs.clusterList?.length ?? 0),
  (a, b) => ipKey(a.source?.address.includes(':') ? '0.0.0.0' : a.source?.address ?? '0.0.0.0') - ipKey(b.source?.address.includes(':') ? '0.0.0.0' : b.source?.address ?? '0.0.0.0'),
];

export function comparePaths(a: Path, b: Path): number {
  // Stale paths lose to fresh ones (RFC 4724 leaves this open; fresh information is preferred).
  if (a.stale !== b.stale) return a.stale ? 1 : -1;
  for (const c of ladder) { const r = c(a, b); if (r !== 0) return r; }
  return 0;
}

/**
 * A Loc-RIB entry: the single path itself (the common case, no extra objects), or all paths with the
 * best one at index 0 once the decision process has run.
 */
export type Destination = Path | Path[];

/** A destination's best path (the first, once the decision process has run). */
export const bestOf = (d: Destination): Path => (Array.isArray(d) ? d[0]! : d);

export class Rib {
  /**
   * The Loc-RIB: each prefix's eligible paths, the best one first once the decision process has run. It is
   * also where the Adj-RIBs-In keep their accepted routes (a path knows its source), so a route costs one
   * map entry, not two; only rejected routes are kept apart, per peer, for re-evaluation.
   */
  readonly loc = new Map<string, Destination>();
  private readonly rejectedIn = new Map<string, Map<string, Path>>();
  private readonly local = new Map<string, Path>();
  /** Prefixes touched since the last decision run, with the best path they had before. */
  private dirty = new Map<string, Path | undefined>();
  /** Per-peer counters kept up to date so status queries stay O(1) with large tables. */
  private readonly counts = new Map<string, PeerCounts>();
  /** The path made for the last received route, reused while the same UPDATE's prefixes come in. */
  private lastPath: Path | undefined;

  constructor(public self: LocalSpeaker) {}

  private count(peerId: string): PeerCounts {
    let c = this.counts.get(peerId);
    if (!c) { c = { received: 0, accepted: 0, stale: 0 }; this.counts.set(peerId, c); }
    return c;
  }

  /** Import checks (RFC 4271 §9.1.2 AS loop; RFC 4456 §8 ORIGINATOR_ID / CLUSTER_LIST loops). */
  importCheck(peer: PeerInfo, attrs: PathAttributes): string | undefined {
    if (!peer.ibgp) {
      const own = ownAsCount(attrs, this.self.asn);
      if (own > (peer.allowLocalAs ?? 0)) {
        return peer.allowLocalAs ? `AS path contains our AS ${this.self.asn} ${own} times (at most ${peer.allowLocalAs} allowed)` : `AS path contains our AS ${this.self.asn}`;
      }
    }
    if (attrs.originatorId === this.self.routerId) return 'ORIGINATOR_ID is our router id';
    const cid = this.self.clusterId ?? this.self.routerId;
    if (peer.ibgp && attrs.clusterList?.includes(cid)) return `CLUSTER_LIST contains our cluster id ${cid}`;
    return undefined;
  }

  /** A route from a peer (replaces any earlier one for the prefix). */
  receive(peer: PeerInfo, prefix: string, attrs: PathAttributes, rejected = this.importCheck(peer, attrs)): void {
    let path = this.lastPath;
    if (!path || path.source !== peer || path.attrs !== attrs || path.rejected !== rejected || path.stale) {
      path = { source: peer, attrs, stale: false, eligible: rejected === undefined, rejected };
      this.lastPath = path;
    }
    const old = this.received(peer.id, prefix);
    if (old) this.removeRoute(peer.id, prefix, old);
    this.addRoute(peer.id, prefix, path);
  }

  withdraw(peer: PeerInfo, prefix: string): void {
    const old = this.received(peer.id, prefix);
    if (old) this.removeRoute(peer.id, prefix, old);
  }

  /** The route a peer sent for a prefix, accepted or rejected. */
  received(peerId: string, prefix: string): Path | undefined {
    const d = this.loc.get(prefix);
    if (d !== undefined) {
      if (!Array.isArray(d)) { if (d.source?.id === peerId) return d; }
      else for (const p of d) if (p.source?.id === peerId) return p;
    }
    return this.rejectedIn.get(peerId)?.get(prefix);
  }

  /** A peer's Adj-RIB-In (accepted and rejected routes), built on demand: for status and tests. */
  adjRibIn(peerId: string): Map<string, Path> {
    const out = new Map<string, Path>();
    this.forEachReceived(peerId, (prefix, p) => out.set(prefix, p));
    return out;
  }

  private addRoute(peerId: string, prefix: string, path: Path): void {
    const c = this.count(peerId);
    c.received++;
    if (path.stale) c.stale++;
    if (path.eligible) { c.accepted++; this.addToDest(prefix, path); return; }
    let rejected = this.rejectedIn.get(peerId);
    if (!rejected) { rejected = new Map(); this.rejectedIn.set(peerId, rejected); }
    rejected.set(prefix, path);
  }

  private removeRoute(peerId: string, prefix: string, path: Path): void {
    const c = this.count(peerId);
    c.received--;
    if (path.stale) c.stale--;
    if (path.eligible) { c.accepted--; this.removeFromDest(prefix, path); return; }
    this.rejectedIn.get(peerId)?.delete(prefix);
  }

  /**
   * Calls fn for each route received from a peer. fn may replace or remove that prefix's route (never
   * another's); rejected routes are listed before any is visited, so a route fn moves is not seen twice.
   */
  private forEachReceived(peerId: string, fn: (prefix: string, path: Path) => void): void {
    const rejected = [...(this.rejectedIn.get(peerId) ?? [])];
    for (const [prefix, d] of this.loc) {
      if (!Array.isArray(d)) { if (d.source?.id === peerId) fn(prefix, d); continue; }
      const p = d.find((x) => x.source?.id === peerId);
      if (p) fn(prefix, p);
    }
    for (const [prefix, p] of rejected) fn(prefix, p);
  }

  /** Originate a prefix from this speaker (next hop self when exported). */
  originate(prefix: string, attrs: PathAttributes = { origin: Origin.IGP, asPath: [] }): void {
    const old = this.local.get(prefix);
    if (old && sameAttrs(old.attrs, attrs)) return;
    const path: Path = { attrs, stale: false, eligible: true };
    this.local.set(prefix, path);
    if (old) this.removeFromDest(prefix, old);
    this.addToDest(prefix, path);
  }

  unoriginate(prefix: string): void {
    const old = this.local.get(prefix);
    if (!old) return;
    this.local.delete(prefix);
    this.removeFromDest(prefix, old);
  }

  localPrefixes(): string[] { return [...this.local.keys()]; }

  /** Graceful restart: the peer went away without a NOTIFICATION; keep its routes but mark them stale. */
  markStale(peerId: string): number {
    const c = this.counts.get(peerId);
    if (!c) return 0;
    const marked = new Set<Path>(); // a shared path marked for one prefix is still news for the others
    this.forEachReceived(peerId, (prefix, p) => {
      if (p.stale && !marked.has(p)) return;
      if (p.eligible) this.touch(prefix);
      if (!p.stale) { p.stale = true; marked.add(p); }
      c.stale++;
    });
    if (this.lastPath?.stale) this.lastPath = undefined;
    return c.received;
  }

  /** Drop the peer's routes that are still stale (End-of-RIB arrived, or the restart timer ran out). */
  sweepStale(peerId: string): number {
    if ((this.counts.get(peerId)?.stale ?? 0) === 0) return 0;
    let n = 0;
    this.forEachReceived(peerId, (prefix, p) => {
      if (!p.stale) return;
      this.removeRoute(peerId, prefix, p);
      n++;
    });
    return n;
  }

  /**
   * The import policy toward a peer changed: decide each of its paths again (they are all kept, rejected
   * ones included, so no route refresh is needed). Returns how many changed eligibility.
   */
  reevaluate(peerId: string, decide: (prefix: string, attrs: PathAttributes) => string | undefined): number {
    let changed = 0;
    this.forEachReceived(peerId, (prefix, p) => {
      const rejected = decide(prefix, p.attrs);
      if (rejected === p.rejected) return;
      // Not changed in place: the path may be shared with prefixes decided otherwise.
      const next: Path = { ...p, eligible: rejected === undefined, rejected };
      if (next.eligible !== p.eligible) changed++;
      this.removeRoute(peerId, prefix, p);
      this.addRoute(peerId, prefix, next);
    });
    return changed;
  }

  staleCount(peerId: string): number { return this.counts.get(peerId)?.stale ?? 0; }

  /** Forget every route from a peer. */
  dropPeer(peerId: string): void {
    this.forEachReceived(peerId, (prefix, p) => { if (p.eligible) this.removeFromDest(prefix, p); });
    this.rejectedIn.delete(peerId);
    this.counts.delete(peerId);
    if (this.lastPath?.source?.id === peerId) this.lastPath = undefined;
  }

  receivedCount(peerId: string): number { return this.counts.get(peerId)?.received ?? 0; }
  acceptedCount(peerId: string): number { return this.counts.get(peerId)?.accepted ?? 0; }

  best(prefix: string): Path | undefined {
    const d = this.loc.get(prefix);
    return d === undefined ? undefined : bestOf(d);
  }

  /** Run the decision process for every touched prefix; returns the prefixes whose best path changed. */
  takeChanges(): string[] {
    const changed: string[] = [];
    for (const [prefix, oldBest] of this.dirty) {
      const d = this.loc.get(prefix);
      let best: Path | undefined;
      if (Array.isArray(d)) {
        let at = 0;
        for (let i = 0; i < d.length; i++) if (!best || comparePaths(d[i]!, best) < 0) { best = d[i]; at = i; }
        if (at !== 0) { d[at] = d[0]!; d[0] = best!; }
      } else best = d;
      if (best !== oldBest) changed.push(prefix);
    }
    this.dirty = new Map();
    return changed;
  }

  hasChanges(): boolean { return this.dirty.size > 0; }

  /** Calls fn with each prefix and its best path. */
  forEachBest(fn: (prefix: string, best: Path) => void): void {
    for (const [prefix, d] of this.loc) fn(prefix, bestOf(d));
  }

  /** Remember the best path a prefix had before its first change in this round. */
  private touch(prefix: string): void {
    if (!this.dirty.has(prefix)) this.dirty.set(prefix, this.best(prefix));
  }

  private addToDest(prefix: string, path: Path): void {
    this.touch(prefix);
    const d = this.loc.get(prefix);
    if (d === undefined) this.loc.set(prefix, path);
    else if (Array.isArray(d)) d.push(path);
    else this.loc.set(prefix, [d, path]);
  }

  private removeFromDest(prefix: string, path: Path): void {
    const d = this.loc.get(prefix);
    if (d === undefined) return;
    this.touch(prefix);
    if (!Array.isArray(d)) {
      if (d === path) this.loc.delete(prefix);
      return;
    }
    const i = d.indexOf(path);
    if (i >= 0) d.splice(i, 1);
    if (d.length === 1) this.loc.set(prefix, d[0]!);
    else if (d.length === 0) this.loc.delete(prefix);
  }
}

interface PeerCounts { received: number; accepted: number; stale: number }

function sameAttrs(a: PathAttributes, b: PathAttributes): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- export (Adj-RIB-Out) --------------------------------------------------------------------------

export interface ExportTarget {
  info: PeerInfo;
  /** Our address on the session toward this peer (next hop self), per family. */
  localAddressV4?: string;
  localAddressV6?: string;
  /** eBGP: pass the received next hop on unchanged (Calico keepOriginalNextHop / nextHopMode Keep). */
  keepOriginalNextHop: boolean;
  /** Per-source-attributes cache of the attributes sent, so prefixes sharing an UPDATE stay grouped. */
  cache: WeakMap<PathAttributes, PathAttributes | null>;
  /** BGPFilter export rules toward this peer, checked per prefix after the protocol's own rules. */
  exportRules?: readonly FilterRule[] | undefined;
  /** Where learned routes may go when no filter rule decides (SpeakerConfig.exportPools); undefined: anywhere. */
  exportPools?: readonly CIDR[] | undefined;
}

/**
 * The attributes to advertise `path` with to `to`, or null when it must not be advertised there
 * (split horizon, iBGP/RR rules, NO_EXPORT/NO_ADVERTISE, no usable next hop).
 */
export function exportPath(self: LocalSpeaker, to: ExportTarget, prefix: string, path: Path): PathAttributes | null {
  const src = path.source;
  if (src && src.id === to.info.id) return null; // never back to where it came from
  let out = to.cache.get(path.attrs);
  if (out === undefined) {
    out = computeExport(self, to, path, prefix.includes(':'));
    to.cache.set(path.attrs, out);
  }
  if (!out) return null;
  // As BIRD: the protocol's checks come first (a filter cannot make split horizon or NO_EXPORT advertise a
  // route); then the BGPFilter rules, first match deciding; then Calico's default, which passes on learned
  // routes only inside the IP pools (a node is no transit between its external peers).
  if (to.exportRules?.length) {
    const verdict = evaluateFilter(to.exportRules, { prefix, learned: src !== undefined, attrs: path.attrs }, to.info.ibgp);
    if (verdict) return verdict.action === 'accept' ? out : null;
  }
  if (src && to.exportPools && !inPools(prefix, to.exportPools)) return null;
  return out;
}

function inPools(prefix: string, pools: readonly CIDR[]): boolean {
  const c = tryParseCIDR(prefix);
  return c !== undefined && pools.some((p) => cidrContains(p, c));
}

function computeExport(self: LocalSpeaker, to: ExportTarget, path: Path, v6: boolean): PathAttributes | null {
  const src = path.source;
  const a = path.attrs;
  if (a.communities?.includes(Community.NO_ADVERTISE)) return null;
  if (!to.info.ibgp && (a.communities?.includes(Community.NO_EXPORT) || a.communities?.includes(Community.NO_EXPORT_SUBCONFED))) return null;
  const reflecting = !!src && src.ibgp && to.info.ibgp;
  if (reflecting) {
    // RFC 4456 §6: only a reflector passes iBGP routes to iBGP peers: from a client to everyone, from a
    // non-client to clients only.
    if (self.clusterId === undefined) return null;
    if (!src!.rrClient && !to.info.rrClient) return null;
  }
  const selfHop = v6 ? to.localAddressV6 : to.localAddressV4;
  const out: PathAttributes = { origin: a.origin ?? Origin.IGP };
  if (to.info.ibgp) {
    out.asPath = a.asPath ?? [];
    out.localPref = a.localPref ?? DEFAULT_LOCAL_PREF;
    if (a.med !== undefined) out.med = a.med;
    // iBGP keeps the next hop of learned routes; local routes get ours.
    const hop = src ? a.nextHop : selfHop;
    if (hop !== undefined) out.nextHop = hop;
    if (reflecting) {
      out.originatorId = a.originatorId ?? src!.routerId;
      out.clusterList = [self.clusterId!, ...(a.clusterList ?? [])];
    }
  } else {
    out.asPath = prependAs(a.asPath ?? [], self.asn);
    // MED is not passed from one neighbouring AS to another (RFC 4271 §5.1.4); local routes may carry one.
    if (!src && a.med !== undefined) out.med = a.med;
    const hop = to.keepOriginalNextHop && src && a.nextHop ? a.nextHop : selfHop;
    if (hop !== undefined) out.nextHop = hop;
  }
  if (out.nextHop === undefined) return null;
  if (a.atomicAggregate) out.atomicAggregate = true;
  if (a.aggregator) out.aggregator = a.aggregator;
  if (a.communities?.length) out.communities = a.communities;
  if (a.unknown?.length) out.unknown = a.unknown;
  return out;
}

function prependAs(path: { type: number; asns: number[] }[], asn: number): { type: number; asns: number[] }[] {
  const first = path[0];
  if (first && first.type === AsPathSegType.AS_SEQUENCE && first.asns.length < 255) return [{ type: first.type, asns: [asn, ...first.asns] }, ...path.slice(1)];
  return [{ type: AsPathSegType.AS_SEQUENCE, asns: [asn] }, ...path];
}

/** What was last advertised to one peer: prefix → attributes sent. */
export class AdjRibOut {
  readonly sent = new Map<string, PathAttributes>();
}
