// What the speaker hands to the agent: its best learned routes, as a view of the Loc-RIB.
import { bestOf, type Rib } from './rib.ts';

export interface LearnedRoute { prefix: string; nextHop: string; peer: string }

/**
 * The best routes learned from peers, as handed to the agent: not a copy. Reading it walks the Loc-RIB as
 * it is then (a table can hold a million routes; a copy per hand-over was a second table of short-lived
 * objects). Each hand-over is a new object, so a consumer can tell one from the last; `size` is as of then.
 */
export class LearnedRoutes implements Iterable<LearnedRoute> {
  readonly size: number;

  constructor(private readonly rib: Rib) {
    let n = 0;
    rib.forEachBest((_, p) => { if (p.source && p.attrs.nextHop) n++; });
    this.size = n;
  }

  *[Symbol.iterator](): Iterator<LearnedRoute> {
    for (const [prefix, d] of this.rib.loc) {
      const p = bestOf(d);
      if (p.source && p.attrs.nextHop) yield { prefix, nextHop: p.attrs.nextHop, peer: p.source.address };
    }
  }

  toArray(): LearnedRoute[] { return [...this]; }
}
