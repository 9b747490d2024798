// vxlan.calico and its neighbour tables. The device: VNI 4096, UDP 4789, local = node IP, bound to the
// node's interface, no learning, MAC = this node's VTEP MAC, address = tunnel IP/32, MTU = host − 50.
// Per remote VTEP: a permanent ARP entry (tunnel IP → VTEP MAC) and an FDB entry (VTEP MAC → node IP), so
// the kernel never floods or learns. Device parameters that cannot be changed in place (VNI, port, local,
// parent) make the device be recreated. Without a local VTEP the device is removed.
import type { Logger } from '../../log.ts';
import { VXLAN_DEVICE, type DesiredState, type LocalVtep, type Vtep } from '../calc/types.ts';
import type { Kernel } from './kernel.ts';
import type { DataplaneManager } from './manager.ts';

export class VxlanManager implements DataplaneManager {
  readonly name = 'vxlan';
  private local: LocalVtep | undefined;
  private vteps = new Map<string, Vtep>();
  private dirty = true;
  private lastApplied = '';

  constructor(private readonly kernel: Kernel, private readonly log: Logger, private readonly device = VXLAN_DEVICE) {}

  onUpdate(state: DesiredState): void {
    this.local = state.localVtep;
    this.vteps = state.vteps;
    const key = JSON.stringify([this.local, [...this.vteps.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))]);
    if (key !== this.lastApplied) this.dirty = true;
  }

  requestResync(): void { this.dirty = true; }

  async apply(): Promise<void> {
    if (!this.dirty) return;
    const key = JSON.stringify([this.local, [...this.vteps.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))]);
    if (!this.local) {
      const link = await this.kernel.getLink(this.device);
      if (link) { await this.kernel.deleteLink(this.device); this.log.info({ device: this.device }, 'removed VXLAN device (no VXLAN pool)'); }
    } else {
      await this.ensureDevice(this.local);
      await this.syncNeighbors();
    }
    this.lastApplied = key;
    this.dirty = false;
  }

  private async ensureDevice(v: LocalVtep): Promise<void> {
    const parent = await this.kernel.getLink(v.parentIface);
    if (!parent) throw new Error(`VXLAN parent interface ${v.parentIface} not found`);
    let link = await this.kernel.getLink(this.device);
    if (link) {
      const p = await this.kernel.vxlanParams(this.device);
      const ok = p && p.vni === v.vni && p.port === v.port && p.local === v.nodeIp && p.parentIndex === parent.index && !p.learning;
      if (!ok) {
        this.log.warn({ device: this.device, have: p, want: { vni: v.vni, port: v.port, local: v.nodeIp, parent: v.parentIface } }, 'VXLAN device has wrong parameters; recreating');
        await this.kernel.deleteLink(this.device);
        link = undefined;
      }
    }
    if (!link) {
      await this.kernel.createVxlan({ name: this.device, vni: v.vni, port: v.port, local: v.nodeIp, parentIndex: parent.index, mac: v.mac, mtu: v.mtu });
      this.log.info({ device: this.device, vni: v.vni, mac: v.mac, mtu: v.mtu }, 'created VXLAN device');
      link = await this.kernel.getLink(this.device);
      if (!link) throw new Error(`${this.device} vanished right after creation`);
    }
    if (link.mac !== v.mac) await this.kernel.setLinkMac(this.device, v.mac);
    if (link.mtu !== v.mtu) await this.kernel.setLinkMtu(this.device, v.mtu);
    if (!link.up) await this.kernel.setLinkUp(this.device);
    const want = `${v.tunnelIp}/32`;
    const addrs = await this.kernel.listAddresses(this.device);
    for (const a of addrs) if (a !== want) await this.kernel.delAddress(this.device, a);
    if (!addrs.includes(want)) await this.kernel.addAddress(this.device, want);
  }

  private async syncNeighbors(): Promise<void> {
    const wantArp = new Map<string, string>();
    const wantFdb = new Map<string, string>();
    for (const v of this.vteps.values()) { wantArp.set(v.tunnelIp, v.mac); wantFdb.set(v.mac, v.nodeIp); }

    const haveArp = await this.kernel.listNeighbors(this.device);
    const arpSeen = new Set<string>();
    for (const n of haveArp) {
      const mac = wantArp.get(n.ip);
      if (mac === undefined) { await this.kernel.deleteNeighbor(this.device, n.ip).catch(() => undefined); continue; }
      if (n.mac === mac && n.permanent) arpSeen.add(n.ip);
    }
    for (const [ip, mac] of wantArp) if (!arpSeen.has(ip)) await this.kernel.replaceNeighbor(this.device, ip, mac);

    const haveFdb = await this.kernel.listFdb(this.device);
    const fdbSeen = new Set<string>();
    for (const f of haveFdb) {
      const dst = wantFdb.get(f.mac);
      if (dst === f.dst) { fdbSeen.add(f.mac); continue; }
      await this.kernel.deleteFdb(this.device, f.mac, f.dst).catch(() => undefined);
    }
    for (const [mac, dst] of wantFdb) if (!fdbSeen.has(mac)) await this.kernel.replaceFdb(this.device, mac, dst);
  }
}
