// The Kernel interface over src/netlink (rtnetlink) plus `nft` and `ip -d -j` for what netlink does not
// parse for us. One socket, bound to the namespace given at construction (default: this process's).
import { writeFileSync, unlinkSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AF_BRIDGE, AF_INET, Netlink, isNetlinkError, readSysctl, withNetns, writeSysctl } from '../../netlink/index.ts';
import { replaceRoutesBatched, type BatchRoute } from '../../netlink/route-batch.ts';
import { mustRun, runCommand, type CommandResult, type RunOptions } from '../../exec.ts';
import type { Kernel, KernelFdb, KernelLink, KernelNeighbor, KernelRoute, RouteWrite, VxlanParams } from './kernel.ts';

export class NetlinkKernel implements Kernel {
  private readonly nl: Netlink;
  private indexes = new Map<string, number>();

  /** `netns`: a namespace path such as /run/netns/x; omitted = the process's own namespace. */
  constructor(private readonly netns?: string) {
    this.nl = Netlink.open(netns ? { netns } : {});
  }

  /** Helper programs (ip, nft) run in the kernel's namespace, so in-process tests can target another one. */
  private runOptions(timeoutMs: number): RunOptions {
    const netns = this.netns;
    return { timeoutMs, ...(netns ? { within: (start) => withNetns(netns, start) } : {}) };
  }

  private exec(argv: string[], timeoutMs = 30_000): Promise<CommandResult> { return runCommand(argv, this.runOptions(timeoutMs)); }

  private mustExec(argv: string[], timeoutMs = 30_000): Promise<string> { return mustRun(argv, this.runOptions(timeoutMs)); }

  close(): void { this.nl.close(); }

  private async refreshLinks(): Promise<KernelLink[]> {
    const links = (await this.nl.listLinks()).map((l) => ({ index: l.index, name: l.name, mtu: l.mtu, mac: l.mac, up: l.up, kind: l.kind }));
    this.indexes = new Map(links.map((l) => [l.name, l.index]));
    return links;
  }

  private refreshing: Promise<KernelLink[]> | undefined;

  private async indexOf(name: string): Promise<number> {
    let i = this.indexes.get(name);
    if (i === undefined) {
      // Writes applied in parallel that all miss the cache share one dump.
      this.refreshing ??= this.refreshLinks().finally(() => { this.refreshing = undefined; });
      await this.refreshing;
      i = this.indexes.get(name);
    }
    if (i === undefined) throw Object.assign(new Error(`link ${name} not found`), { code: 'ENODEV' });
    return i;
  }

  /** A stale name→index cache shows up as ENODEV: refresh once and retry. */
  private async withIndex<T>(name: string, fn: (index: number) => Promise<T>): Promise<T> {
    const idx = await this.indexOf(name);
    try { return await fn(idx); } catch (e) {
      if (!isNetlinkError(e, 'ENODEV')) throw e;
      this.indexes.delete(name);
      return fn(await this.indexOf(name));
    }
  }

  /**
   * The main table through `ip -N -j route show`: about 4x faster than parsing the netlink dump in JS for
   * 10k routes (the resync a restarted agent does before it decides it has nothing to write).
   */
  async listRoutes(): Promise<KernelRoute[]> {
    const out = await this.mustExec(['ip', '-N', '-j', 'route', 'show', 'table', 'main']);
    return parseIpRouteJson(out);
  }

  async replaceRoute(r: RouteWrite): Promise<void> {
    const spec = { dst: r.dst, type: r.type, gateway: r.gateway, onlink: r.onlink, scope: r.scope, protocol: r.proto } as const;
    if (r.dev) await this.withIndex(r.dev, (oif) => this.nl.replaceRoute({ ...spec, oif }));
    else await this.nl.replaceRoute(spec);
  }

  /**
   * Many routes in a few sendmsg() calls (src/netlink/route-batch.ts): about twice as fast as `ip -batch`, which
   * waits for an ACK per route. Returns the indexes of the routes the kernel rejected. Interface names are
   * resolved from one fresh link dump; a route whose device is gone counts as rejected.
   */
  async replaceRoutesBulk(routes: RouteWrite[]): Promise<Set<number>> {
    await this.refreshLinks();
    const failed = new Set<number>();
    const batch: BatchRoute[] = [];
    const indexOfBatch: number[] = [];
    routes.forEach((r, i) => {
      const oif = r.dev ? this.indexes.get(r.dev) : undefined;
      if (r.dev && oif === undefined) { failed.add(i); return; }
      batch.push({ dst: r.dst, type: r.type, oif, gateway: r.gateway, onlink: r.onlink, scope: r.scope, proto: r.proto });
      indexOfBatch.push(i);
    });
    for (const f of await replaceRoutesBatched(batch, this.netns)) failed.add(indexOfBatch[f.index]!);
    return failed;
  }

  async deleteRoute(r: KernelRoute): Promise<void> {
    const oif = r.dev ? await this.indexOf(r.dev).catch(() => undefined) : undefined;
    try {
      await this.nl.delRoute({
        dst: r.dst, protocol: r.proto, type: r.type === 'blackhole' ? 'blackhole' : r.type === 'unicast' ? 'unicast' : undefined,
        ...(oif !== undefined ? { oif } : {}), ...(r.gateway ? { gateway: r.gateway } : {}), ...(r.metric !== undefined ? { metric: r.metric } : {}),
      });
    } catch (e) {
      if (isNetlinkError(e, 'ESRCH', 'ENOENT')) return; // already gone (e.g. its interface was deleted)
      throw e;
    }
  }

  async getLink(name: string): Promise<KernelLink | undefined> {
    const l = await this.nl.getLink(name);
    if (!l) return undefined;
    this.indexes.set(name, l.index);
    return { index: l.index, name: l.name, mtu: l.mtu, mac: l.mac, up: l.up, kind: l.kind };
  }

  listLinks(): Promise<KernelLink[]> { return this.refreshLinks(); }

  async vxlanParams(name: string): Promise<VxlanParams | undefined> {
    const r = await this.exec(['ip', '-d', '-j', 'link', 'show', 'dev', name]);
    if (r.code !== 0) return undefined;
    const info = (JSON.parse(r.stdout) as any[])[0]?.linkinfo;
    if (info?.info_kind !== 'vxlan') return undefined;
    const d = info.info_data ?? {};
    const parentIndex = typeof d.link === 'string' ? await this.indexOf(d.link).catch(() => undefined) : undefined;
    return { vni: d.id, port: d.port, local: d.local, parentIndex, learning: d.learning !== false };
  }

  async createVxlan(o: { name: string; vni: number; port: number; local: string; parentIndex: number; mac: string; mtu: number }): Promise<void> {
    const l = await this.nl.createVxlan({ name: o.name, vni: o.vni, port: o.port, local: o.local, link: o.parentIndex, learning: false, mac: o.mac, mtu: o.mtu });
    this.indexes.set(o.name, l.index);
  }

  async deleteLink(name: string): Promise<void> {
    await this.nl.deleteLinkByName(name);
    this.indexes.delete(name);
  }

  async setLinkUp(name: string): Promise<void> { await this.withIndex(name, (i) => this.nl.setLinkUp(i, true)); }
  async setLinkMtu(name: string, mtu: number): Promise<void> { await this.withIndex(name, (i) => this.nl.setMtu(i, mtu)); }
  async setLinkMac(name: string, mac: string): Promise<void> { await this.withIndex(name, (i) => this.nl.setMac(i, mac)); }

  async listAddresses(name: string): Promise<string[]> {
    const idx = await this.indexOf(name);
    return (await this.nl.listAddresses({ index: idx, family: 4 })).map((a) => a.cidr);
  }
  async addAddress(name: string, cidr: string): Promise<void> { await this.withIndex(name, (i) => this.nl.addAddress(i, cidr, { replace: true })); }
  async delAddress(name: string, cidr: string): Promise<void> { await this.withIndex(name, (i) => this.nl.delAddress(i, cidr)); }

  async listNeighbors(dev: string): Promise<KernelNeighbor[]> {
    const idx = await this.indexOf(dev);
    return (await this.nl.listNeighbors(AF_INET, idx))
      .filter((n) => n.dst && n.lladdr)
      .map((n) => ({ ip: n.dst!, mac: n.lladdr!, permanent: n.permanent }));
  }
  async replaceNeighbor(dev: string, ip: string, mac: string): Promise<void> {
    await this.withIndex(dev, (ifindex) => this.nl.replaceNeighbor({ family: AF_INET, ifindex, dst: ip, lladdr: mac, permanent: true }));
  }
  async deleteNeighbor(dev: string, ip: string): Promise<void> {
    await this.withIndex(dev, (ifindex) => this.nl.delNeighbor({ family: AF_INET, ifindex, dst: ip }));
  }
  async listFdb(dev: string): Promise<KernelFdb[]> {
    const idx = await this.indexOf(dev);
    return (await this.nl.listNeighbors(AF_BRIDGE, idx))
      .filter((n) => n.dst && n.lladdr && n.self)
      .map((n) => ({ mac: n.lladdr!, dst: n.dst! }));
  }
  async replaceFdb(dev: string, mac: string, dst: string): Promise<void> {
    await this.withIndex(dev, (i) => this.nl.replaceFdb(i, mac, dst));
  }
  async deleteFdb(dev: string, mac: string, dst: string): Promise<void> {
    await this.withIndex(dev, (ifindex) => this.nl.delNeighbor({ family: AF_BRIDGE, ifindex, lladdr: mac, dst, self: true }));
  }

  async routeGet(ip: string): Promise<{ dev?: string | undefined; src?: string | undefined } | undefined> {
    const r = await this.exec(['ip', '-j', 'route', 'get', ip]);
    if (r.code !== 0) return undefined;
    const first = (JSON.parse(r.stdout) as { dev?: string; prefsrc?: string }[])[0];
    return first ? { dev: first.dev, src: first.prefsrc } : undefined;
  }

  async readSysctl(key: string): Promise<string | undefined> {
    try { return readSysctl(key, this.netns); } catch { return undefined; }
  }
  async writeSysctl(key: string, value: string): Promise<void> { writeSysctl(key, value, this.netns); }

  async nftApply(script: string): Promise<void> {
    // nft cannot read a Node pipe as /dev/stdin (machine-and-tools.md §2): go through a private temp file.
    const dir = mkdtempSync(join(tmpdir(), 'tabby-nft-'));
    const file = join(dir, 'rules.nft');
    try {
      writeFileSync(file, script);
      await this.mustExec(['nft', '-f', file]);
    } finally {
      try { unlinkSync(file); rmdirSync(dir); } catch { /* best effort */ }
    }
  }

  async nftListTable(family: string, name: string): Promise<unknown[] | undefined> {
    const r = await this.exec(['nft', '-j', 'list', 'table', family, name]);
    if (r.code !== 0) return undefined;
    return (JSON.parse(r.stdout) as { nftables: unknown[] }).nftables;
  }
}

/** `ip -N -j route show` → KernelRoute (numeric protocol/scope/type thanks to -N). */
export function parseIpRouteJson(text: string): KernelRoute[] {
  const rows = JSON.parse(text || '[]') as Record<string, any>[];
  return rows.map((r) => {
    const dst = r.dst === 'default' ? '0.0.0.0/0' : String(r.dst).includes('/') ? String(r.dst) : `${r.dst}/32`;
    const type = r.type === undefined || r.type === 'unicast' || r.type === '1' ? 'unicast' : r.type === 'blackhole' || r.type === '6' ? 'blackhole' : 'other';
    const scope = r.scope === undefined || r.scope === 'global' || r.scope === '0' ? 'universe' : r.scope === 'link' || r.scope === '253' ? 'link' : 'other';
    const proto = r.protocol === undefined ? 3 : r.protocol === 'boot' ? 3 : r.protocol === 'kernel' ? 2 : r.protocol === 'bird' ? 12 : Number(r.protocol);
    return {
      dst, type, scope, proto: Number.isFinite(proto) ? proto : -1,
      dev: r.dev, gateway: r.gateway, onlink: Array.isArray(r.flags) && r.flags.includes('onlink'),
      metric: r.metric,
    } satisfies KernelRoute;
  });
}
