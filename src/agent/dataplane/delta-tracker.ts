// Desired vs. dataplane views of one kernel table, and the difference between them (Felix's DeltaTracker).
//
//        desired                dataplane
//    ┌──────────────┬────────┬──────────────┐
//    │ pending      │ in sync│ pending      │
//    │ updates      │ (equal)│ deletions    │
//    └──────────────┴────────┴──────────────┘
//   keys only in desired, or in both but unequal → update; keys only in the dataplane → delete.
// A resync replaces the dataplane view with what the kernel reports; applying walks the pending sets.
export class DeltaTracker<K, D, O = D> {
  private desired = new Map<K, D>();
  private dataplane = new Map<K, O>();

  /** `inSync(d, o)`: does the kernel's `o` already satisfy the desired `d`? */
  constructor(private readonly inSync: (d: D, o: O) => boolean) {}

  setDesired(all: Map<K, D>): void { this.desired = all; }
  replaceDataplane(all: Map<K, O>): void { this.dataplane = all; }

  getDesired(k: K): D | undefined { return this.desired.get(k); }
  getDataplane(k: K): O | undefined { return this.dataplane.get(k); }
  desiredSize(): number { return this.desired.size; }
  dataplaneSize(): number { return this.dataplane.size; }

  *pendingUpdates(): Generator<[K, D]> {
    for (const [k, d] of this.desired) {
      const o = this.dataplane.get(k);
      if (o === undefined || !this.inSync(d, o)) yield [k, d];
    }
  }

  *pendingDeletions(): Generator<[K, O]> {
    for (const [k, o] of this.dataplane) if (!this.desired.has(k)) yield [k, o];
  }

  /** Record that the kernel now holds `o` for `k` (after a successful write). */
  setDataplane(k: K, o: O): void { this.dataplane.set(k, o); }
  deleteDataplane(k: K): void { this.dataplane.delete(k); }

  /** Nothing to do. */
  inSyncAll(): boolean {
    for (const _ of this.pendingUpdates()) return false;
    for (const _ of this.pendingDeletions()) return false;
    return true;
  }
}
