// The tables bench/bgp.ts feeds (and bench/profile-bgp-memory.ts rebuilds in process): /24 prefixes from
// 11.0.0.0 up and, for the "realistic" table, attribute sets drawn like a public full table's.
import type { PathAttributes } from '../src/bgp/codec.ts';

export const FEEDER_AS = 65100;

export function prefixAt(i: number): { bytes: number[]; text: string } {
  const v = (11 << 24) + i * 256; // /24s from 11.0.0.0 up
  const o = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255];
  return { bytes: o, text: `${o.join('.')}.0/24` };
}

/** A deterministic generator (xorshift32), so every run and every target gets the same table. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}
// AS-path lengths as seen in public full tables (share per length 1…9; mean about 4).
const PATH_LENGTHS = [0.02, 0.14, 0.31, 0.27, 0.14, 0.07, 0.03, 0.01, 0.01];
const NEXT_HOPS = ['10.91.0.1', '10.91.0.2', '10.91.0.3', '10.91.0.4'];

export function realisticAttrs(set: number): PathAttributes {
  const r = rng(set * 2654435761 + 7);
  let u = r(), len = 1;
  for (const p of PATH_LENGTHS) { if ((u -= p) <= 0) break; len++; }
  const asns = [FEEDER_AS, ...Array.from({ length: Math.min(len, 9) - 1 }, () => (r() < 0.3 ? 131072 + Math.floor(r() * 300_000) : 1 + Math.floor(r() * 64_000)))];
  const communities = Array.from({ length: Math.floor(r() * 7) }, () => ((asns[Math.floor(r() * asns.length)]! & 0xffff) << 16) | Math.floor(r() * 1000));
  return { origin: r() < 0.9 ? 0 : 2, asPath: [{ type: 2, asns }], nextHop: NEXT_HOPS[set % NEXT_HOPS.length]!, ...(r() < 0.3 ? { med: Math.floor(r() * 1000) } : {}), ...(communities.length ? { communities } : {}) };
}
