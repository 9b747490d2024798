// Releasing addresses (by address or by handle) and listing a handle's addresses.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { blockFor, cidr4ContainsIP, compareIPv4, formatCidr4, parseCidr4, parseIPv4 } from '../net/ipv4.ts';
import { isConflict, MAX_CAS_RETRIES, tooManyRetries } from './cas.ts';
import { changeHandle, setHandleCount } from './handles.ts';
import {
  blockName, KIND_BLOCK, KIND_HANDLE, ordinalsOfHandle, ordinalToIP, releaseOrdinals, type IPAMBlockSpec, type IPAMHandleSpec,
} from './model.ts';
import { listPools } from './pools.ts';

/** Release addresses; returns those that were not allocated. Handle counts follow what each block released. */
export async function releaseIPs(ds: Datastore, ips: string[]): Promise<string[]> {
  const pools = await listPools(ds);
  const byBlock = new Map<string, number[]>();
  const notAllocated: string[] = [];
  let allBlocks: Array<IPAMBlockSpec> | undefined;
  for (const ipText of ips) {
    const addr = parseIPv4(ipText.split('/')[0]!);
    let cidr: string | undefined;
    const pool = pools.find((p) => cidr4ContainsIP(p.net, addr));
    if (pool) cidr = formatCidr4(blockFor(addr, pool.blockSize));
    else {
      // The pool may be gone while its blocks remain: find the block that holds the address.
      allBlocks ??= (await ds.list(KIND_BLOCK)).items.map((r) => r.spec as IPAMBlockSpec);
      cidr = allBlocks.find((b) => cidr4ContainsIP(parseCidr4(b.cidr), addr))?.cidr;
    }
    if (!cidr) {
      notAllocated.push(ipText);
      continue;
    }
    const list = byBlock.get(cidr) ?? [];
    list.push(addr);
    byBlock.set(cidr, list);
  }
  for (const [cidr, addrs] of byBlock) {
    const base = parseCidr4(cidr).base;
    const released = await releaseFromBlock(ds, cidr, (spec) => addrs.map((a) => a - base).filter((o) => spec.allocations[o] !== null));
    const releasedAddrs = new Set([...released.keys()].map((o) => base + o));
    for (const a of addrs) if (!releasedAddrs.has(a)) notAllocated.push(ips.find((t) => parseIPv4(t.split('/')[0]!) === a)!);
    const perHandle = new Map<string, number>();
    for (const h of released.values()) if (h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
    for (const [h, n] of perHandle) await changeHandle(ds, h, cidr, -n);
  }
  return notAllocated;
}

/** CAS-release the ordinals `pick` chooses from the current block; returns ordinal → handle released. */
async function releaseFromBlock(ds: Datastore, cidr: string, pick: (spec: IPAMBlockSpec) => number[]): Promise<Map<number, string | undefined>> {
  for (let i = 0; i < MAX_CAS_RETRIES; i++) {
    const res = (await ds.get(KIND_BLOCK, blockName(cidr))) as Resource<IPAMBlockSpec> | undefined;
    if (!res) return new Map();
    const ords = pick(res.spec!);
    if (!ords.length) return new Map();
    const released = releaseOrdinals(res.spec!, ords);
    try {
      await ds.update(res);
      return released;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
  throw tooManyRetries(`IPAMBlock ${cidr}`);
}

/** Release every address the handle holds, block by block; returns how many. A missing handle is 0. */
export async function releaseByHandle(ds: Datastore, handleId: string): Promise<number> {
  const h = (await ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
  if (!h) return 0;
  let total = 0;
  const cidrs = Object.keys(h.spec!.block);
  for (const [i, cidr] of cidrs.entries()) {
    const released = await releaseFromBlock(ds, cidr, (spec) => ordinalsOfHandle(spec, handleId));
    total += released.size;
    // Whatever the handle's count said, the block now holds no address for it.
    await setHandleCount(ds, handleId, cidr, 0, i === 0 ? h : undefined);
  }
  return total;
}

/** The addresses the blocks attribute to a handle (block-masked CIDRs), in address order. */
export async function ipsByHandle(ds: Datastore, handleId: string): Promise<string[]> {
  const h = (await ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
  if (!h) return [];
  const out: string[] = [];
  for (const cidr of Object.keys(h.spec!.block)) {
    const b = (await ds.get(KIND_BLOCK, blockName(cidr)))?.spec as IPAMBlockSpec | undefined;
    if (!b) continue;
    const prefix = parseCidr4(cidr).prefix;
    for (const o of ordinalsOfHandle(b, handleId)) out.push(`${ordinalToIP(b, o)}/${prefix}`);
  }
  return out.sort(compareIPv4);
}

/** An address to release only while the block still holds it for `handle` under sequence number `seq`. */
export interface ExpectedAllocation { ip: string; handle: string; block: string; seq: number }

/**
 * Release addresses as Calico's ReleaseIPs with a handle and sequence number does: an address is freed only
 * if its block still attributes it to the same handle and its allocation's sequence number is unchanged (it
 * was not released and allocated again since it was read). Returns those released; the rest are left as they are.
 */
export async function releaseAllocations<T extends ExpectedAllocation>(ds: Datastore, allocs: T[]): Promise<T[]> {
  const byBlock = new Map<string, T[]>();
  for (const a of allocs) byBlock.set(a.block, [...(byBlock.get(a.block) ?? []), a]);
  const out: T[] = [];
  for (const [cidr, list] of byBlock) {
    const base = parseCidr4(cidr).base;
    const byOrdinal = new Map(list.map((a) => [parseIPv4(a.ip) - base, a]));
    const released = await releaseFromBlock(ds, cidr, (spec) => [...byOrdinal].filter(([o, a]) => {
      const idx = spec.allocations[o];
      return idx !== null && idx !== undefined && spec.attributes[idx]?.handle_id === a.handle && (spec.sequenceNumberForAllocation[String(o)] ?? -1) === a.seq;
    }).map(([o]) => o));
    const perHandle = new Map<string, number>();
    for (const [o, h] of released) {
      out.push(byOrdinal.get(o)!);
      if (h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
    }
    for (const [h, n] of perHandle) await changeHandle(ds, h, cidr, -n);
  }
  return out;
}
