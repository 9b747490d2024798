// An in-memory Kernel with fail-next switches (Felix's mocknetlink idea) and an operation log, so the
// reconcilers' decisions (what they add, replace, delete, and what they leave alone) are visible.
import type { Kernel, KernelFdb, KernelLink, KernelNeighbor, KernelRoute, RouteWrite, VxlanParams } from '../../src/agent/dataplane/kernel.ts';

export class FakeKernel implements Kernel {
  routes = new Map<string, KernelRoute>();
  links = new Map<string, KernelLink & { vxlan?: VxlanParams; addrs: string[] }>();
  neigh = new Map<string, KernelNeighbor[]>();
  fdb = new Map<string, KernelFdb[]>();
  sysctls = new Map<string, string>();
  nftTables = new Map<string, string>();
  ops: string[] = [];
  failNext = new Set<'replaceRoute' | 'deleteRoute' | 'listRoutes' | 'nftApply' | 'createVxlan'>();
  private nextIndex = 1;

  addLink(name: string, extra: Partial<KernelLink> = {}): void {
    this.links.set(name, { index: this.nextIndex++, name, mtu: 1500, mac: '02:00:00:00:00:01', up: true, addrs: [], ...extra });
  }

  private fail(op: Parameters<FakeKernel['failNext']['add']>[0]): void {
    if (this.failNext.delete(op)) throw new Error(`injected failure: ${op}`);
  }

  async listRoutes(): Promise<KernelRoute[]> { this.fail('listRoutes'); return [...this.routes.values()].map((r) => ({ ...r })); }
  async replaceRoute(r: RouteWrite): Promise<void> {
    this.fail('replaceRoute');
    if (r.dev && !this.links.has(r.dev)) throw new Error(`ENODEV ${r.dev}`);
    this.ops.push(`replace ${r.dst}`);
    this.routes.set(r.dst, { dst: r.dst, type: r.type, dev: r.dev, gateway: r.gateway, onlink: !!r.onlink, scope: r.scope === 'link' ? 'link' : 'universe', proto: r.proto });
  }
  bulkCalls = 0;
  /** Destinations the bulk path rejects. */
  bulkReject = new Set<string>();
  async replaceRoutesBulk(routes: RouteWrite[]): Promise<Set<number>> {
    this.bulkCalls++;
    const failed = new Set<number>();
    for (const [i, r] of routes.entries()) {
      if (this.bulkReject.has(r.dst)) { failed.add(i); continue; }
      await this.replaceRoute(r);
    }
    return failed;
  }
  async deleteRoute(r: KernelRoute): Promise<void> { this.fail('deleteRoute'); this.ops.push(`delete ${r.dst}`); this.routes.delete(r.dst); }

  async getLink(name: string): Promise<KernelLink | undefined> { const l = this.links.get(name); return l ? { ...l } : undefined; }
  async listLinks(): Promise<KernelLink[]> { return [...this.links.values()].map((l) => ({ ...l })); }
  async vxlanParams(name: string): Promise<VxlanParams | undefined> { return this.links.get(name)?.vxlan; }
  async createVxlan(o: { name: string; vni: number; port: number; local: string; parentIndex: number; mac: string; mtu: number }): Promise<void> {
    this.fail('createVxlan');
    if (this.links.has(o.name)) throw new Error('EEXIST');
    this.ops.push(`create ${o.name}`);
    this.addLink(o.name, { mac: o.mac, mtu: o.mtu, up: false, kind: 'vxlan' });
    this.links.get(o.name)!.vxlan = { vni: o.vni, port: o.port, local: o.local, parentIndex: o.parentIndex, learning: false };
  }
  async deleteLink(name: string): Promise<void> {
    this.ops.push(`delete link ${name}`);
    this.links.delete(name);
    for (const [k, r] of this.routes) if (r.dev === name) this.routes.delete(k);
    this.neigh.delete(name); this.fdb.delete(name);
  }
  async setLinkUp(name: string): Promise<void> { this.links.get(name)!.up = true; }
  async setLinkMtu(name: string, mtu: number): Promise<void> { this.ops.push(`mtu ${name} ${mtu}`); this.links.get(name)!.mtu = mtu; }
  async setLinkMac(name: string, mac: string): Promise<void> { this.ops.push(`mac ${name} ${mac}`); this.links.get(name)!.mac = mac; }
  async listAddresses(name: string): Promise<string[]> { return [...(this.links.get(name)?.addrs ?? [])]; }
  async addAddress(name: string, cidr: string): Promise<void> { this.ops.push(`addr add ${cidr}`); this.links.get(name)!.addrs.push(cidr); }
  async delAddress(name: string, cidr: string): Promise<void> { this.ops.push(`addr del ${cidr}`); const l = this.links.get(name)!; l.addrs = l.addrs.filter((a) => a !== cidr); }

  async listNeighbors(dev: string): Promise<KernelNeighbor[]> { return [...(this.neigh.get(dev) ?? [])]; }
  async replaceNeighbor(dev: string, ip: string, mac: string): Promise<void> {
    this.ops.push(`neigh ${ip} ${mac}`);
    const l = (this.neigh.get(dev) ?? []).filter((n) => n.ip !== ip);
    l.push({ ip, mac, permanent: true });
    this.neigh.set(dev, l);
  }
  async deleteNeighbor(dev: string, ip: string): Promise<void> { this.ops.push(`neigh del ${ip}`); this.neigh.set(dev, (this.neigh.get(dev) ?? []).filter((n) => n.ip !== ip)); }
  async listFdb(dev: string): Promise<KernelFdb[]> { return [...(this.fdb.get(dev) ?? [])]; }
  async replaceFdb(dev: string, mac: string, dst: string): Promise<void> {
    this.ops.push(`fdb ${mac} ${dst}`);
    const l = (this.fdb.get(dev) ?? []).filter((f) => f.mac !== mac);
    l.push({ mac, dst });
    this.fdb.set(dev, l);
  }
  async deleteFdb(dev: string, mac: string, dst: string): Promise<void> { this.ops.push(`fdb del ${mac}`); this.fdb.set(dev, (this.fdb.get(dev) ?? []).filter((f) => !(f.mac === mac && f.dst === dst))); }

  async routeGet(): Promise<{ dev?: string; src?: string } | undefined> { return undefined; }
  async readSysctl(key: string): Promise<string | undefined> { return this.sysctls.get(key); }
  async writeSysctl(key: string, value: string): Promise<void> { this.ops.push(`sysctl ${key}=${value}`); this.sysctls.set(key, value); }
  async nftApply(script: string): Promise<void> { this.fail('nftApply'); this.ops.push('nft'); this.nftTables.set('last', script); }
  async nftListTable(): Promise<unknown[] | undefined> { return undefined; }
  close(): void {}
}
