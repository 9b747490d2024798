// The seam between the calculation and kernel writers. Every manager records the new desired state in
// onUpdate (cheap, no I/O) and does the kernel work in apply(), which the main loop calls in a fixed order
// (VXLAN device + ARP/FDB before routes, so no route exists without its VTEP). Other components (the
// nftables policy manager) plug in through this same interface: AgentOptions.extraManagers, which the
// agent's composition (src/agent/node.ts) fills; they run after the agent's own managers on every apply.
import type { DesiredState } from '../calc/types.ts';
import type { Snapshot } from '../calc/snapshot.ts';

export interface DataplaneManager {
  readonly name: string;
  /** Record the new desired state. Must not do I/O. */
  onUpdate(state: DesiredState, snapshot: Snapshot): void;
  /** Converge the kernel to the last recorded state. Throwing marks the dataplane for a retry + resync. */
  apply(): Promise<void>;
  /** The next apply re-reads the kernel before computing what to change. */
  requestResync(): void;
}

export interface ApplyStats {
  added: number;
  deleted: number;
}
