// IPReservation (projectcalico.org/v3): addresses IPAM never hands out automatically. Like libcalico-go
// (ipam/reserved.go, addr_filter.go), every reservation's `reservedCIDRs` entry is an address or a CIDR whose
// host bits may be set; a malformed entry is logged and skipped (validation keeps them out). Reservations
// only stop new automatic assignments: addresses already allocated stay (`tabby ipam check` lists them), and
// a specific address asked for by CNI_ARGS IP= / the ipAddrs annotation is still assigned, as Calico's
// AssignIP does not consult reservations either.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { tryParseCIDROrIP } from '../net/ip.ts';
import { cidr4ContainsIP, cidr4Size, formatCidr4, maskOf, type Cidr4 } from '../net/ipv4.ts';
import { log } from './log.ts';

export const KIND_RESERVATION = 'IPReservation';

/** The IPv4 ranges some IPReservation covers, as [first, last] address intervals, merged and sorted. */
export class ReservedRanges {
  private readonly ranges: Array<[number, number]>;

  constructor(cidrs: Cidr4[]) {
    const sorted = cidrs.map((c): [number, number] => [c.base, c.base + cidr4Size(c) - 1]).sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether the address is reserved (Calico's MatchesIP). */
  matchesIP(addr: number): boolean {
    for (const [lo, hi] of this.ranges) if (addr >= lo && addr <= hi) return true;
    return false;
  }

  /** How many addresses of the CIDR are reserved. */
  countIn(c: Cidr4): number {
    const lo = c.base;
    const hi = c.base + cidr4Size(c) - 1;
    let n = 0;
    for (const [a, b] of this.ranges) {
      const from = Math.max(a, lo);
      const to = Math.min(b, hi);
      if (from <= to) n += to - from + 1;
    }
    return n;
  }

  /** Whether reservations, together, cover every address of the CIDR (Calico's MatchesWholeCIDR). */
  matchesWholeCidr(c: Cidr4): boolean {
    return !this.empty && this.countIn(c) === cidr4Size(c);
  }
}

/** The IPv4 CIDRs of the reservations' `reservedCIDRs` (IPv6 entries are outside this IPv4 IPAM). */
export function reservedCidrs(reservations: Resource[]): Cidr4[] {
  const out: Cidr4[] = [];
  for (const r of reservations) {
    const entries = (r.spec as { reservedCIDRs?: unknown } | undefined)?.reservedCIDRs;
    for (const entry of Array.isArray(entries) ? entries : []) {
      const text = typeof entry === 'string' ? entry.trim() : '';
      if (!text) continue;
      const c = tryParseCIDROrIP(text);
      if (!c) {
        log.error({ reservation: r.metadata.name, cidr: text }, 'ignoring malformed CIDR in IPReservation');
        continue;
      }
      if (c.family !== 4) continue;
      out.push({ base: (Number(c.ip) & maskOf(c.prefix)) >>> 0, prefix: c.prefix });
    }
  }
  return out;
}

export async function loadReservations(ds: Datastore): Promise<ReservedRanges> {
  const { items } = await ds.list(KIND_RESERVATION);
  return new ReservedRanges(reservedCidrs(items));
}

/** The reservation (name and entry) that covers `addr`, for messages and `ipam check`. */
export function reservationFor(reservations: Resource[], addr: number): { name: string; cidr: string } | undefined {
  for (const r of reservations) {
    for (const c of reservedCidrs([r])) if (cidr4ContainsIP(c, addr)) return { name: r.metadata.name, cidr: formatCidr4(c) };
  }
  return undefined;
}
