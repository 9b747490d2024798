// What a fault may leave behind, counted from the tools' own output: cali links and pod routes (`ip`), nft
// set elements (`nft -j list ruleset`), and the ping summary that gives a flow's loss. Pure parsers, so the
// unit test feeds them real outputs; the scenarios run the commands.

/** Links whose name starts with `cali` in `ip -o link` output (the host side of a pod's veth). */
export function countCaliLinks(ipOLink: string): number {
  return ipOLink.split('\n').filter((l) => /^\d+:\s+cali[0-9a-f]+[@:]/.test(l)).length;
}

/** Routes into the pool (`poolPrefix`, e.g. "10.244.") or through a cali link, in `ip route` output. */
export function countPodRoutes(ipRoute: string, poolPrefix: string): number {
  return ipRoute.split('\n').filter((l) => l.trim() && (l.startsWith(poolPrefix) || /\bdev cali[0-9a-f]+\b/.test(l))).length;
}

/** Elements of every nft set, by "family table set", from `nft -j list ruleset` (or `list sets`). */
export function nftSetElements(json: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!json.trim()) return out;
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, any>> };
  for (const item of doc.nftables ?? []) {
    const set = item.set ?? item.map;
    if (!set) continue;
    out.set(`${set.family} ${set.table} ${set.name}`, Array.isArray(set.elem) ? set.elem.length : 0);
  }
  return out;
}

/** Elements present now beyond a baseline (sets that grew, and new sets' elements). */
export function nftElementsBeyond(baseline: Map<string, number>, now: Map<string, number>): number {
  let extra = 0;
  for (const [k, n] of now) extra += Math.max(0, n - (baseline.get(k) ?? 0));
  return extra;
}

export interface PingSummary { transmitted: number; received: number; lost: number; lossPercent: number }

/** The summary line of iputils ping ("N packets transmitted, M received, …"); null when there is none. */
export function parsePing(output: string): PingSummary | null {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  if (!m) return null;
  const transmitted = Number(m[1]), received = Number(m[2]);
  return { transmitted, received, lost: transmitted - received, lossPercent: transmitted ? ((transmitted - received) / transmitted) * 100 : 0 };
}

export interface LeakCounts {
  /** Addresses still allocated in IPAM blocks. */
  addresses: number;
  /** Problems `tabby ipam check` reports (leaked or unallocated in-use addresses, orphaned handles …). */
  ipamCheckProblems: number;
  handles: number;
  links: number;
  routes: number;
  endpoints: number;
  nftElements: number;
  /** Pod namespaces that still hold an eth0. */
  podInterfaces: number;
}

export function totalLeaks(l: LeakCounts): number {
  return l.addresses + l.ipamCheckProblems + l.handles + l.links + l.routes + l.endpoints + l.nftElements + l.podInterfaces;
}

/** "addresses 0, handles 0, …" in a fixed order, for the log and the failure reason. */
export function describeLeaks(l: LeakCounts): string {
  return (Object.keys(l) as Array<keyof LeakCounts>).map((k) => `${k} ${l[k]}`).join(', ');
}
