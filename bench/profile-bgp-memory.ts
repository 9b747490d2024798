// Where the BGP speaker's memory per route goes (issue 16's "≤ 1.5× BIRD per route"): the table
// bench/bgp.ts feeds, rebuilt in this process the way the speaker receives it — UPDATEs encoded and decoded
// by our codec (one attribute object per UPDATE, shared by its prefixes), then put in our Rib — with the V8
// heap measured after a full GC at each step. Not a benchmark: no anchor, no verdict; it prints a breakdown.
// The bench's figure is VmRSS, which also holds what the heap has not given back, code and buffers.
//   node --expose-gc --import tsx bench/profile-bgp-memory.ts [--size N] [--table realistic|single]
import { Rib, type PeerInfo } from '../src/bgp/rib.ts';
import { decodeUpdate, encodeUpdate } from '../src/bgp/codec-update.ts';
import type { PathAttributes } from '../src/bgp/codec.ts';
import { benchOptions, numberFlag, stringFlag } from './harness.ts';
import { FEEDER_AS, prefixAt, realisticAttrs, rng } from './bgp-table.ts';

const opts = benchOptions();
const SIZE = numberFlag(opts.args, 'size', 1_000_000);
const TABLE = stringFlag(opts.args, 'table', 'realistic');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) { console.error('run with node --expose-gc'); process.exit(2); }

function heapAfterGc(): number { gc!(); gc!(); return process.memoryUsage().heapUsed; }

/** The table's prefixes grouped by attribute set, as the feeder packs them (bench/bgp.ts's writeMrt). */
function groups(): Map<number, string[]> {
  const sets = Math.max(100_000, Math.ceil(SIZE / 4));
  const out = new Map<number, string[]>();
  for (let i = 0; i < SIZE; i++) {
    const set = TABLE === 'single' ? 0 : i < sets ? i : Math.floor(rng(i)() * sets);
    const g = out.get(set) ?? [];
    g.push(prefixAt(i).text);
    out.set(set, g);
  }
  return out;
}

/**
 * Encoded UPDATEs (at most ~1000 prefixes each, like a 4096-byte message holds), kept outside the measure.
 * A function of its own so that nothing of the table's text stays reachable from main's frame (a loop
 * variable there kept the single table's million prefix strings alive into the first reading).
 */
function encodeTable(): Uint8Array[] {
  const wire: Uint8Array[] = [];
  for (const [set, prefixes] of groups()) {
    const attrs: PathAttributes = TABLE === 'single' ? { origin: 0, asPath: [{ type: 2, asns: [FEEDER_AS] }], nextHop: '10.91.0.1' } : realisticAttrs(set);
    for (let k = 0; k < prefixes.length; k += 900) wire.push(encodeUpdate({ type: 'update', withdrawn: [], attrs, nlri: prefixes.slice(k, k + 900) }));
  }
  return wire;
}

function main(): void {
  const wire = encodeTable();
  const peer: PeerInfo = { id: '10.91.0.1', address: '10.91.0.1', asn: FEEDER_AS, routerId: '10.91.0.1', ibgp: false, rrClient: false };
  const rib = new Rib({ asn: 64512, routerId: '10.91.0.2' });
  const h0 = heapAfterGc();
  const decoded = wire.map((b) => decodeUpdate(b.subarray(19)));
  const h1 = heapAfterGc();
  for (const u of decoded) for (const p of u.nlri) rib.receive(peer, p, u.attrs);
  rib.takeChanges();
  const h2 = heapAfterGc();
  decoded.length = 0; // the Rib keeps what it needs (attributes and prefix strings)
  const h3 = heapAfterGc();
  const per = (bytes: number) => (bytes / SIZE).toFixed(0).padStart(5);
  console.log(`${SIZE.toLocaleString('en-US')} prefixes, ${TABLE} table, ${wire.length.toLocaleString('en-US')} UPDATEs (one attribute object each)`);
  console.log(`  ${per(h1 - h0)} B/route  decoded UPDATEs: attribute objects + prefix strings + NLRI arrays`);
  console.log(`  ${per(h2 - h1)} B/route  Rib structures on top: a Loc-RIB map entry per route, a Path object per UPDATE`);
  console.log(`  ${per(h3 - h0)} B/route  what the Rib holds in all (V8 heap after GC), against the bench's VmRSS per route`);
  console.log(`  heap used ${(h3 / 1048576).toFixed(0)} MiB, RSS of this process ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  if (rib.loc.size !== SIZE) throw new Error(`the Rib holds ${rib.loc.size} of ${SIZE} prefixes`);
}

main();
