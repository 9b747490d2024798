// Kernel settings the agent keeps applied: forwarding for the node, and per workload interface the set the
// CNI plugin wrote at ADD time (Felix re-applies them so a tampered or raced value heals):
// proxy_arp (answers the pod's ARP for 169.254.1.1), forwarding, route_localnet, rp_filter (strict),
// neigh proxy_delay 0. Values are read first and written only when different.
import type { Logger } from '../../log.ts';
import type { DesiredState } from '../calc/types.ts';
import type { Kernel } from './kernel.ts';
import type { DataplaneManager } from './manager.ts';

export function workloadSysctls(iface: string): [string, string][] {
  return [
    [`net.ipv4.conf.${iface}.forwarding`, '1'],
    [`net.ipv4.conf.${iface}.proxy_arp`, '1'],
    [`net.ipv4.conf.${iface}.route_localnet`, '1'],
    [`net.ipv4.conf.${iface}.rp_filter`, '1'],
    [`net.ipv4.neigh.${iface}.proxy_delay`, '0'],
  ];
}

export const GLOBAL_SYSCTLS: [string, string][] = [['net.ipv4.ip_forward', '1']];

export class SysctlManager implements DataplaneManager {
  readonly name = 'sysctls';
  private ifaces: string[] = [];
  private done = new Set<string>();
  private globalsDone = false;

  constructor(private readonly kernel: Kernel, private readonly log: Logger) {}

  onUpdate(state: DesiredState): void {
    this.ifaces = state.workloadInterfaces;
    const live = new Set(this.ifaces);
    for (const i of [...this.done]) if (!live.has(i)) this.done.delete(i);
  }

  requestResync(): void { this.done.clear(); this.globalsDone = false; }

  async apply(): Promise<void> {
    if (!this.globalsDone) {
      for (const [k, v] of GLOBAL_SYSCTLS) await this.ensure(k, v);
      this.globalsDone = true;
    }
    for (const iface of this.ifaces) {
      if (this.done.has(iface)) continue;
      let present = true;
      for (const [k, v] of workloadSysctls(iface)) {
        if (!(await this.ensure(k, v))) { present = false; break; }
      }
      // An interface that does not exist yet (WorkloadEndpoint seen before the veth) is retried next resync.
      if (present) this.done.add(iface);
    }
  }

  /** Returns false when the key does not exist (interface absent). */
  private async ensure(key: string, value: string): Promise<boolean> {
    const cur = await this.kernel.readSysctl(key);
    if (cur === undefined) return false;
    if (cur !== value) {
      await this.kernel.writeSysctl(key, value);
      this.log.debug({ key, from: cur, to: value }, 'sysctl set');
    }
    return true;
  }
}
