// Seam to the IPIP dataplane (src/ipip owns tunl0 and, without the kernel module, its eBPF encapsulation).
// The agent only says whether tunl0 should exist, with which address and MTU; the routes through it are
// the route table's. Loaded lazily so a VXLAN-only node never loads the eBPF tooling.
import type { Logger } from '../../log.ts';
import type { DesiredState, IpipDevice } from '../calc/types.ts';
import type { Kernel } from './kernel.ts';
import type { DataplaneManager } from './manager.ts';

export class IpipManager implements DataplaneManager {
  readonly name = 'ipip';
  private desired: IpipDevice | undefined;
  private applied: string | undefined;
  private handle: { stop(): Promise<void>; remove(): Promise<void> } | undefined;
  private verify = false;

  constructor(private readonly kernel: Kernel, private readonly log: Logger, private readonly fabricInterface: string, private readonly hostMtu: number) {}

  onUpdate(state: DesiredState): void { this.desired = state.ipip; }
  /** A resync only checks that tunl0 is still there and up; the full set-up reruns when it is not. */
  requestResync(): void { this.verify = true; }

  async apply(): Promise<void> {
    const key = JSON.stringify(this.desired ?? null);
    if (key === this.applied && this.verify && this.desired) {
      const link = await this.kernel.getLink('tunl0');
      if (!link || !link.up) { this.log.warn('tunl0 missing or down; setting it up again'); this.applied = undefined; }
    }
    this.verify = false;
    if (key === this.applied) return;
    const { ensureIpipDataplane } = await import('../../ipip/index.ts');
    if (this.desired) {
      await this.handle?.stop();
      this.handle = await ensureIpipDataplane({ fabricInterface: this.fabricInterface, tunnelAddress: this.desired.tunnelIp, hostMtu: this.hostMtu, log: this.log });
    } else if (this.handle) {
      await this.handle.remove();
      this.handle = undefined;
      this.log.info('removed IPIP device (no IPIP pool)');
    }
    this.applied = key;
  }

  async stop(): Promise<void> { await this.handle?.stop(); }
}
