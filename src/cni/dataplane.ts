// The Linux dataplane of a pod attachment, exactly as Calico's DoNetworking builds it:
//   host:      cali<hash> (MAC ee:ee:ee:ee:ee:ee, up, proxy_arp/forwarding/route_localnet=1, proxy_delay=0)
//              route <ip>/32 dev cali<hash> scope link
//   container: eth0 (MTU, /32 address), 169.254.1.1 dev eth0 scope link, default via 169.254.1.1 dev eth0
// The plugin runs in the host namespace; the container side is reached through a netlink socket opened
// inside the pod's namespace (koffi setns), and the veth's container end is created straight in there.
import { closeSync, openSync } from 'node:fs';
import { AF_INET, isNetlinkError, Netlink, netnsExists, readSysctl, writeSysctl, type Link } from '../netlink/index.ts';
import { CNI_ERR, CniError } from './errors.ts';
import { hostCidr } from './wep.ts';

export const HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
export const GATEWAY_IP = '169.254.1.1';
/** The routes ADD creates in the container that a result lists (the link route to the gateway is implied). */
export const DEFAULT_ROUTES: Array<{ dst: string; gw: string }> = [{ dst: '0.0.0.0/0', gw: GATEWAY_IP }];

/** Steps of ADD where a test can inject a failure (TABBY_CNI_FAULT=<step>). */
export type FaultStep = 'ipam' | 'veth' | 'sysctl' | 'link-up' | 'address' | 'routes' | 'host-route' | 'wep' | 'result';
export type FaultHook = (step: FaultStep) => void;

export interface SetupRequest {
  netns: string;
  ifname: string;
  hostVeth: string;
  mtu: number;
  /** Addresses to put on the container interface (any prefix; forced to /32). */
  ips: string[];
  allowIpForwarding?: boolean;
  numQueues?: number | undefined;
  /** Skip the host route (Calico: IPAM returned no routes). */
  skipHostRoute?: boolean;
}

/** `timings`: ms since setup() began at each step, for the debug log. */
export interface SetupResult { containerMac: string; hostIndex: number; timings?: Record<string, number> }

export interface Dataplane {
  setup(req: SetupRequest, fault?: FaultHook): Promise<SetupResult>;
  /** Removes the container interface (and so the pair). Missing netns or link is success. */
  teardown(netns: string | undefined, ifname: string): Promise<void>;
  /** Removes a host veth left from a failed ADD (only when its peer is still in `netns` or gone). */
  removeHostVeth(name: string): Promise<void>;
  /** Whether `ifname` already exists in the container netns (a missing netns has none). */
  interfaceExists(netns: string, ifname: string): Promise<boolean>;
  /**
   * Differences between the kernel and what ADD made that is ours to guarantee; empty when all is well.
   * What a later chained plugin may change (MTU, container sysctls, extra addresses or routes) is not a
   * difference; `routes` are the routes of prevResult that we created.
   */
  check(req: SetupRequest & { routes?: Array<{ dst: string; gw?: string | undefined }> | undefined }): Promise<string[]>;
}

function openNetnsFd(path: string): number {
  try { return openSync(path, 'r'); } catch (e) {
    throw new CniError(CNI_ERR.ioFailure, `failed to open netns "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const HOST_SYSCTLS = (veth: string): Array<[string, string, boolean]> => [
  // [key, value, required] — Calico treats proxy_delay as a warning only.
  [`net.ipv4.conf.${veth}.route_localnet`, '1', true],
  [`net.ipv4.neigh.${veth}.proxy_delay`, '0', false],
  [`net.ipv4.conf.${veth}.proxy_arp`, '1', true],
  [`net.ipv4.conf.${veth}.forwarding`, '1', true],
  [`net.ipv6.conf.${veth}.accept_ra`, '0', false],
];

export class LinuxDataplane implements Dataplane {
  async setup(req: SetupRequest, fault: FaultHook = () => {}): Promise<SetupResult> {
    const t0 = performance.now();
    const timings: Record<string, number> = {};
    const lap = (step: string) => { timings[step] = Math.round((performance.now() - t0) * 10) / 10; };
    const host = Netlink.open();
    lap('host socket');
    let cont: Netlink | undefined;
    // Set just before the veth is created: from then on a failure removes the pair (and with it the
    // addresses and routes on it); before, nothing of ours exists and whatever is there is not touched.
    let created = false;
    let nsfd: number;
    try { nsfd = openNetnsFd(req.netns); } catch (e) { host.close(); throw e; }
    try {
      cont = Netlink.open({ netns: req.netns });
      lap('container socket');
      // A host veth with our name is a leftover of an earlier sandbox/ADD: recreate (Calico does the same).
      await host.deleteLinkByName(req.hostVeth);
      if (await cont.getLink(req.ifname)) {
        throw new CniError(CNI_ERR.internal, `interface "${req.ifname}" already exists in container netns ${req.netns}`);
      }
      created = true;
      let hostLink = await host.createVeth({
        name: req.hostVeth, mac: HOST_VETH_MAC, mtu: req.mtu,
        peerName: req.ifname, peerMtu: req.mtu, peerNetnsFd: nsfd, numQueues: req.numQueues,
      });
      lap('veth');
      fault('veth');
      hostLink = await this.ensureHostMac(host, hostLink);
      for (const [key, value, required] of HOST_SYSCTLS(req.hostVeth)) {
        try { writeSysctl(key, value); } catch (e) {
          if (required) throw new CniError(CNI_ERR.ioFailure, `failed to set ${key}=${value}: ${(e as Error).message}`);
        }
      }
      lap('sysctl');
      fault('sysctl');
      await host.setLinkUp(hostLink.index);
      const contLink = await cont.mustGetLink(req.ifname);
      await cont.setLinkUp(contLink.index);
      fault('link-up');
      for (const ip of req.ips) await cont.addAddress(contLink.index, hostCidr(ip));
      fault('address');
      // Pod forwarding off unless allowed (Calico container_settings.allow_ip_forwarding).
      try { writeSysctl('net.ipv4.ip_forward', req.allowIpForwarding ? 1 : 0, req.netns); } catch { /* read-only /proc/sys: leave it */ }
      await cont.addRoute({ dst: `${GATEWAY_IP}/32`, oif: contLink.index, scope: 'link' });
      await cont.addRoute({ dst: '0.0.0.0/0', gateway: GATEWAY_IP, oif: contLink.index });
      lap('routes');
      fault('routes');
      const after = await cont.mustGetLink(req.ifname);
      if (!req.skipHostRoute) {
        for (const ip of req.ips) {
          await this.addHostRoute(host, hostCidr(ip), hostLink);
          // As Felix (its main IPv4 route table has static ARP entries): the host never ARPs for its own pods,
          // and the entry goes with the veth. Permanent entries are also outside the kernel's neighbour-table
          // limit (gc_thresh3), which dynamic ones for hundreds of pods would reach.
          const addr = ip.split('/')[0]!;
          if (!addr.includes(':')) await host.replaceNeighbor({ family: AF_INET, ifindex: hostLink.index, dst: addr, lladdr: after.mac, permanent: true });
        }
      }
      lap('host route');
      fault('host-route');
      return { containerMac: after.mac, hostIndex: hostLink.index, timings };
    } catch (e) {
      if (created) {
        await host.deleteLinkByName(req.hostVeth).catch(() => false);
        if (cont) await cont.deleteLinkByName(req.ifname).catch(() => false);
      }
      throw e;
    } finally {
      closeSync(nsfd);
      cont?.close();
      host.close();
    }
  }

  /** Calico retries setting the MAC because udev may rewrite it right after creation. */
  private async ensureHostMac(host: Netlink, link: Link): Promise<Link> {
    for (let i = 0; i < 50 && link.mac !== HOST_VETH_MAC; i++) {
      await host.setMac(link.index, HOST_VETH_MAC);
      link = (await host.getLinkByIndex(link.index)) ?? link;
      if (link.mac !== HOST_VETH_MAC) await new Promise((r) => setTimeout(r, 100));
    }
    if (link.mac !== HOST_VETH_MAC) throw new CniError(CNI_ERR.internal, `host veth ${link.name} refused MAC ${HOST_VETH_MAC} (has ${link.mac})`);
    return link;
  }

  private async addHostRoute(host: Netlink, dst: string, link: Link): Promise<void> {
    try {
      await host.addRoute({ dst, oif: link.index, scope: 'link' });
    } catch (e) {
      if (!isNetlinkError(e, 'EEXIST')) throw e;
      const existing = (await host.listRoutes({ family: 4 })).find((r) => r.dst === dst && r.table === 254);
      if (existing?.oif === link.index) return; // identical route (the node agent was faster)
      const other = existing?.oif !== undefined ? (await host.getLinkByIndex(existing.oif))?.name : undefined;
      throw new CniError(CNI_ERR.internal,
        `route (dst ${dst}) already exists for an interface other than '${link.name}': ${other ?? JSON.stringify(existing)}`);
    }
  }

  async teardown(netns: string | undefined, ifname: string): Promise<void> {
    if (!netns || !netnsExists(netns)) return;
    let cont: Netlink | undefined;
    try {
      cont = Netlink.open({ netns });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).errno === 22) return; // gone meanwhile
      throw e;
    }
    try { await cont.deleteLinkByName(ifname); } finally { cont.close(); }
  }

  async removeHostVeth(name: string): Promise<void> {
    const host = Netlink.open();
    try { await host.deleteLinkByName(name); } finally { host.close(); }
  }

  async interfaceExists(netns: string, ifname: string): Promise<boolean> {
    if (!netnsExists(netns)) return false;
    const cont = Netlink.open({ netns });
    try { return !!(await cont.getLink(ifname)); } finally { cont.close(); }
  }

  async check(req: SetupRequest & { routes?: Array<{ dst: string; gw?: string | undefined }> | undefined }): Promise<string[]> {
    const diffs: string[] = [];
    if (!netnsExists(req.netns)) return [`container netns ${req.netns} does not exist`];
    const host = Netlink.open();
    const cont = Netlink.open({ netns: req.netns });
    try {
      const c = await cont.getLink(req.ifname);
      if (!c) diffs.push(`interface ${req.ifname} is missing in ${req.netns}`);
      else {
        if (!c.up) diffs.push(`interface ${req.ifname} is down`);
        // No MTU comparison: a later plugin in the chain (tuning) may set it, and the spec says to allow that.
        const have = new Set((await cont.listAddresses({ index: c.index, family: 4 })).map((a) => a.cidr));
        for (const ip of req.ips) if (!have.has(hostCidr(ip))) diffs.push(`address ${hostCidr(ip)} is missing on ${req.ifname}`);
        const routes = await cont.listRoutes({ family: 4 });
        if (!routes.some((r) => r.dst === `${GATEWAY_IP}/32` && r.oif === c.index && r.scope === 'link')) {
          diffs.push(`route "${GATEWAY_IP} dev ${req.ifname} scope link" is missing in the container`);
        }
        // The routes of prevResult that are ours (via the gateway) must exist; others belong to later plugins.
        for (const want of (req.routes ?? DEFAULT_ROUTES).filter((x) => x.gw === GATEWAY_IP && !x.dst.includes(':'))) {
          if (!routes.some((r) => r.dst === want.dst && r.gateway === GATEWAY_IP && r.oif === c.index)) {
            diffs.push(`route "${want.dst === '0.0.0.0/0' ? 'default' : want.dst} via ${GATEWAY_IP} dev ${req.ifname}" is missing in the container`);
          }
        }
      }
      const h = await host.getLink(req.hostVeth);
      if (!h) diffs.push(`host interface ${req.hostVeth} is missing`);
      else {
        if (!h.up) diffs.push(`host interface ${req.hostVeth} is down`);
        if (h.mac !== HOST_VETH_MAC) diffs.push(`host interface ${req.hostVeth} has MAC ${h.mac}, expected ${HOST_VETH_MAC}`);
        for (const [key, value, required] of HOST_SYSCTLS(req.hostVeth)) {
          if (!required) continue;
          let v: string | undefined;
          try { v = readSysctl(key); } catch { /* missing */ }
          if (v !== value) diffs.push(`${key} is ${v ?? 'unreadable'}, expected ${value}`);
        }
        if (!req.skipHostRoute) {
          const routes = await host.listRoutes({ family: 4, oif: h.index });
          for (const ip of req.ips) {
            if (!routes.some((r) => r.dst === hostCidr(ip) && r.scope === 'link')) diffs.push(`host route "${hostCidr(ip)} dev ${req.hostVeth} scope link" is missing`);
          }
        }
      }
    } finally {
      cont.close();
      host.close();
    }
    return diffs;
  }
}
