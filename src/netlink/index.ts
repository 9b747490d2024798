// A small typed wrapper over the `netlink` package (rtnetlink): links, veth/vxlan, addresses, routes,
// neighbours and bridge FDB. Every method maps to one kernel request (or a dump) and throws NetlinkError
// carrying the errno name (EEXIST, ENOENT, ESRCH, ENODEV…) so callers can make idempotent decisions.
//
// Sockets always get a large receive buffer: the addon aborts the process if recvmsg() hits ENOBUFS
// (machine-and-tools.md §1), and 4 MiB is what net.core.rmem_max allows here.
// Keep requests in flight ≤256 per socket; sequential awaits are as fast.
import { createRequire } from 'node:module';
import type * as NL from 'netlink';
import { withNetns } from './netns.ts';
import {
  AddressParseError, bytesToIp as bytesToIpText, bytesToMac, formatIP, ipFamily, ipToBytes as ipToByteArray, macToBytes as macToByteArray,
  tryParseCIDROrIP, type CIDR, type IPFamily,
} from '../net/ip.ts';
import { TabbyError } from '../errors.ts';

type IpFamily = IPFamily;
export { bytesToMac, ipFamily };
export type { IpFamily };

/** The netlink library wants Buffers for address attributes. */
export function ipToBytes(ip: string): Buffer { return Buffer.from(ipToByteArray(ip)); }
export function bytesToIp(b: Uint8Array): string { return bytesToIpText(b); }
function macToBytes(mac: string): Buffer { return Buffer.from(macToByteArray(mac)); }

/** A route destination as iproute2 reads it: a CIDR, a bare address (host route) or `default`. */
export function parseRouteDestination(text: string, familyHint: IpFamily = 4): CIDR {
  if (text === 'default') return { family: familyHint, ip: 0n, prefix: 0 };
  const c = tryParseCIDROrIP(text);
  if (!c) throw new AddressParseError(text, 'CIDR');
  return c;
}

function cidrAddressBytes(c: CIDR): Buffer { return ipToBytes(formatIP({ family: c.family, value: c.ip })); }

export { withNetns, readSysctl, writeSysctl, netnsExists, CURRENT_NETNS } from './netns.ts';

const require = createRequire(import.meta.url);
type NlParts = Pick<typeof NL, 'createRtNetlink' | 'AttrStream' | 'ifla' | 'rt'>;
let nlmod: NlParts | undefined;
function nl(): NlParts {
  // Loaded on first use so importing this module costs nothing for code paths that never touch the kernel,
  // and only the rtnetlink parts: the package index also loads genl/nl80211/wireguard, doubling load time
  // (it matters for a CNI plugin that starts once per pod).
  return (nlmod ??= {
    createRtNetlink: require('netlink/dist/rt/rt').createRtNetlink,
    AttrStream: require('netlink/dist/structs').AttrStream,
    ifla: require('netlink/dist/rt/ifla'),
    rt: require('netlink/dist/rt/structs'),
  } as NlParts);
}

const RECV_BUFFER = 4 << 20;
const SEND_BUFFER = 1 << 20;
const F_CREATE = 0x400, F_EXCL = 0x200, F_REPLACE = 0x100, F_APPEND = 0x800;
const RTNH_F_ONLINK = 4;
export const AF_INET = 2, AF_INET6 = 10, AF_BRIDGE = 7;

/** A kernel rejection, with the errno name as `code`. */
export class NetlinkError extends TabbyError {
  constructor(override readonly code: string, readonly op: string) {
    super(code, `${op}: ${code}`);
    this.name = 'NetlinkError';
  }
}

export function isNetlinkError(e: unknown, ...codes: string[]): e is NetlinkError {
  return e instanceof NetlinkError && (codes.length === 0 || codes.includes(e.code));
}

async function call<T>(op: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const m = /Request rejected: (\S+)/.exec(String((e as Error)?.message ?? e));
    if (m) throw new NetlinkError(m[1], op);
    throw e;
  }
}

function afOf(f: IpFamily): number { return f === 4 ? AF_INET : AF_INET6; }
function famOf(af: number | undefined): IpFamily { return af === AF_INET6 ? 6 : 4; }

function serialize(data: NL.StreamData): Buffer {
  const s = new (nl().AttrStream)();
  s.emit(data);
  return Buffer.concat(s.bufs);
}

// ---------------------------------------------------------------------------------------------------
// Value types

export interface Link {
  index: number;
  name: string;
  mtu: number;
  /** Hardware address, lower-case colon form ('' when the link has none). */
  mac: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** IFF_LOWER_UP: carrier present (for veth: the peer is up). */
  lowerUp: boolean;
  /** rtnl link kind ('veth', 'vxlan', 'bridge'…); undefined for plain devices such as lo. */
  kind?: string | undefined;
  /** Index of the peer/lower link (IFLA_LINK); for a veth, the peer's index in its own namespace. */
  parentIndex?: number | undefined;
  /** Master (bridge) index. */
  master?: number | undefined;
}

// The library's header fields are optional; a route message we build always sets them.
type RtProtocol = NonNullable<NL.rt.Route['protocol']>;
type RtScope = NonNullable<NL.rt.Route['scope']>;
type RtType = NonNullable<NL.rt.Route['type']>;
export type RouteScope = 'universe' | 'site' | 'link' | 'host' | 'nowhere';
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
const SCOPES: Record<RouteScope, number> = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const TYPES: Record<RouteType, number> = { unicast: 1, local: 2, broadcast: 3, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 };
const REV_SCOPES = new Map(Object.entries(SCOPES).map(([k, v]) => [v, k as RouteScope]));
const REV_TYPES = new Map(Object.entries(TYPES).map(([k, v]) => [v, k as RouteType]));
/** Route protocol names as iproute2 prints them (numbers are accepted everywhere a name is). */
export const RTPROT = { redirect: 1, kernel: 2, boot: 3, static: 4, bird: 12, dhcp: 16 } as const;

export interface RouteSpec {
  /** Destination CIDR; 'default' for 0.0.0.0/0 (or ::/0 with family 6). */
  dst: string;
  family?: IpFamily;
  gateway?: string | undefined;
  /** Output interface index. */
  oif?: number | undefined;
  scope?: RouteScope | undefined;
  /** Protocol number (RTPROT.*; 80 = Felix-style own routes). Default boot (3), as `ip route add`. */
  protocol?: number | undefined;
  /** Routing table; default main (254). */
  table?: number;
  type?: RouteType | undefined;
  /** Gateway needs no on-link check (RTNH_F_ONLINK), as VXLAN/IPIP routes use. */
  onlink?: boolean | undefined;
  /** Metric (RTA_PRIORITY). */
  metric?: number | undefined;
  /** Preferred source address. */
  src?: string | undefined;
}

export interface Route {
  family: IpFamily;
  /** Destination as CIDR, e.g. '0.0.0.0/0', '10.65.0.3/32'. */
  dst: string;
  gateway?: string | undefined;
  oif?: number | undefined;
  scope: RouteScope | number;
  protocol: number;
  table: number;
  type: RouteType | number;
  onlink: boolean;
  metric?: number | undefined;
  src?: string | undefined;
}

export interface Address {
  index: number;
  family: IpFamily;
  /** 'a.b.c.d/len' */
  cidr: string;
  ip: string;
  prefix: number;
}

export interface NeighborSpec {
  /** AF_INET (2), AF_INET6 (10) or AF_BRIDGE (7) for FDB entries. */
  family: number;
  ifindex: number;
  /** Neighbour IP (ARP/ND), or for FDB the remote VTEP IP (`bridge fdb … dst`). */
  dst?: string;
  lladdr?: string;
  /** Default true: NUD_PERMANENT. */
  permanent?: boolean;
  /** FDB: entry on the device itself (`self`), as VXLAN needs. */
  self?: boolean;
  /** Neighbour proxy entry (`ip neigh add proxy`). */
  proxy?: boolean;
}

export interface Neighbor {
  family: number;
  ifindex: number;
  dst?: string | undefined;
  lladdr?: string | undefined;
  permanent: boolean;
  state: number;
  self: boolean;
  master?: number | undefined;
}

export interface VethOptions {
  /** Name of the first end (created in this socket's namespace). */
  name: string;
  peerName: string;
  mtu?: number;
  mac?: string;
  peerMtu?: number;
  peerMac?: string;
  /** Open fd of the namespace the peer is created in directly (e.g. fs.openSync('/run/netns/x')). */
  peerNetnsFd?: number;
  numQueues?: number | undefined;
}

export interface VxlanOptions {
  name: string;
  vni: number;
  /** UDP port; Calico uses 4789. */
  port: number;
  /** Local (source) IP of the tunnel. */
  local?: string;
  /** Parent device index. */
  link?: number;
  learning?: boolean;
  mtu?: number;
  mac?: string;
}

// ---------------------------------------------------------------------------------------------------

export interface OpenOptions {
  /** Open the socket inside this namespace (path such as /run/netns/x); default: the current one. */
  netns?: string;
}

/** One rtnetlink socket, bound to the namespace it was opened in. */
export class Netlink {
  // Requests may run concurrently on the socket, but a dump must run alone: its reply spans datagrams
  // (the DONE comes last, separately) and the `netlink` package's multipart assembly breaks if another
  // request's ACK arrives in between ("Multipart message not terminated properly"). So dumps are exclusive
  // (and preferred over requests queued after them), everything else shared.
  private shared = 0;
  private exclusive = false;
  private readonly waiting: Array<{ exclusive: boolean; go: () => void }> = [];

  private constructor(private readonly sock: NL.RtNetlinkSocket) {}

  private pump(): void {
    while (this.waiting.length && !this.exclusive) {
      const next = this.waiting[0]!;
      if (next.exclusive && this.shared > 0) return;
      this.waiting.shift();
      if (next.exclusive) this.exclusive = true; else this.shared++;
      next.go();
    }
  }

  private async gated<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (!exclusive && !this.exclusive && this.waiting.length === 0) this.shared++;
    else await new Promise<void>((go) => { this.waiting.push({ exclusive, go }); this.pump(); });
    try { return await fn(); } finally {
      if (exclusive) this.exclusive = false; else this.shared--;
      this.pump();
    }
  }

  /** One request (ACK or single reply): may overlap other requests on this socket. */
  private req<T>(op: string, fn: () => Promise<T>): Promise<T> { return this.gated(false, () => call(op, fn())); }
  /** A dump: runs with nothing else in flight on this socket. */
  private dump<T>(op: string, fn: () => Promise<T>): Promise<T> { return this.gated(true, () => call(op, fn())); }

  static open(opts: OpenOptions = {}): Netlink {
    const create = () => nl().createRtNetlink({ recvBufferSize: RECV_BUFFER, sendBufferSize: SEND_BUFFER });
    return new Netlink(opts.netns ? withNetns(opts.netns, create) : create());
  }

  close(): void { this.sock.socket.close(); }

  // ---- links ---------------------------------------------------------------------------------------

  private toLink(m: NL.rt.LinkMessage): Link {
    let kind: string | undefined;
    if (m.attrs.linkinfo) {
      try { kind = nl().ifla.parseInfo(m.attrs.linkinfo).kind; } catch { /* unknown layout */ }
    }
    const flags = m.data.flags ?? {};
    const link = m.attrs.link as unknown;
    return {
      index: m.data.index ?? 0,
      name: m.attrs.ifname ?? '',
      mtu: m.attrs.mtu ?? 0,
      mac: m.attrs.address ? bytesToMac(m.attrs.address) : '',
      up: !!flags.up,
      lowerUp: !!(flags as { lowerUp?: boolean }).lowerUp,
      kind,
      parentIndex: typeof link === 'number' ? link : Buffer.isBuffer(link) && link.length >= 4 ? link.readUInt32LE(0) : undefined,
      master: m.attrs.master,
    };
  }

  async listLinks(): Promise<Link[]> {
    return (await this.dump('list links', () => this.sock.getLinks())).map((m) => this.toLink(m));
  }

  /** The link named `name`, or undefined when there is none. */
  async getLink(name: string): Promise<Link | undefined> {
    try {
      const r = await this.req(`get link ${name}`, () => this.sock.getLink({}, { ifname: name }));
      return r[0] ? this.toLink(r[0]) : undefined;
    } catch (e) {
      if (isNetlinkError(e, 'ENODEV', 'ENOENT')) return undefined;
      throw e;
    }
  }

  async getLinkByIndex(index: number): Promise<Link | undefined> {
    try {
      const r = await this.req(`get link #${index}`, () => this.sock.getLink({ index }));
      return r[0] ? this.toLink(r[0]) : undefined;
    } catch (e) {
      if (isNetlinkError(e, 'ENODEV', 'ENOENT')) return undefined;
      throw e;
    }
  }

  async mustGetLink(name: string): Promise<Link> {
    const l = await this.getLink(name);
    if (!l) throw new NetlinkError('ENODEV', `link ${name} not found`);
    return l;
  }

  /** Creates a veth pair; the peer can be created straight into another namespace (peerNetnsFd). */
  async createVeth(o: VethOptions): Promise<Link> {
    const { ifla, rt } = nl();
    const peerAttrs: NL.ifla.LinkAttrs = { ifname: o.peerName };
    const peerMtu = o.peerMtu ?? o.mtu;
    if (peerMtu) peerAttrs.mtu = peerMtu;
    if (o.peerMac) peerAttrs.address = macToBytes(o.peerMac);
    if (o.peerNetnsFd !== undefined) peerAttrs.netNsFd = o.peerNetnsFd;
    if (o.numQueues && o.numQueues > 1) { peerAttrs.numTxQueues = o.numQueues; peerAttrs.numRxQueues = o.numQueues; }
    const peer = Buffer.concat([rt.formatLink({}), serialize(ifla.formatLinkAttrs(peerAttrs))]);
    const attrs: NL.ifla.LinkAttrs = {
      ifname: o.name,
      linkinfo: serialize(ifla.formatInfo({ kind: 'veth', data: serialize(ifla.formatVethInfo({ peer })) })),
    };
    if (o.mtu) attrs.mtu = o.mtu;
    if (o.mac) attrs.address = macToBytes(o.mac);
    if (o.numQueues && o.numQueues > 1) { attrs.numTxQueues = o.numQueues; attrs.numRxQueues = o.numQueues; }
    await this.req(`create veth ${o.name}`, () => this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(o.name);
  }

  /** Creates a VXLAN device (nolearning by default, as Felix does). */
  async createVxlan(o: VxlanOptions): Promise<Link> {
    const { ifla } = nl();
    const port = Buffer.alloc(2); port.writeUInt16BE(o.port);
    const vx: NL.ifla.Vxlan = { id: o.vni, port, learning: o.learning ? 1 : 0 };
    if (o.local) vx.local = ipToBytes(o.local);
    if (o.link !== undefined) vx.link = o.link;
    const attrs: NL.ifla.LinkAttrs = {
      ifname: o.name,
      linkinfo: serialize(ifla.formatInfo({ kind: 'vxlan', data: serialize(ifla.formatVxlan(vx)) })),
    };
    if (o.mtu) attrs.mtu = o.mtu;
    if (o.mac) attrs.address = macToBytes(o.mac);
    await this.req(`create vxlan ${o.name}`, () => this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(o.name);
  }

  /** Creates a link of a kind that needs no extra data (e.g. 'bridge'). */
  async createLink(name: string, kind: string, mtu?: number): Promise<Link> {
    const { ifla } = nl();
    const attrs: NL.ifla.LinkAttrs = { ifname: name, linkinfo: serialize(ifla.formatInfo({ kind })) };
    if (mtu) attrs.mtu = mtu;
    await this.req(`create ${kind} ${name}`, () => this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(name);
  }

  async setLinkUp(index: number, up = true): Promise<void> {
    await this.req(`set link #${index} ${up ? 'up' : 'down'}`, () => this.sock.setLink({ index, flags: up ? { up: true } : {}, change: { up: true } }));
  }

  async setMtu(index: number, mtu: number): Promise<void> {
    await this.req(`set link #${index} mtu ${mtu}`, () => this.sock.setLink({ index }, { mtu }));
  }

  async setMac(index: number, mac: string): Promise<void> {
    await this.req(`set link #${index} address ${mac}`, () => this.sock.setLink({ index }, { address: macToBytes(mac) }));
  }

  async setName(index: number, name: string): Promise<void> {
    await this.req(`rename link #${index} to ${name}`, () => this.sock.setLink({ index }, { ifname: name }));
  }

  async setMaster(index: number, masterIndex: number): Promise<void> {
    await this.req(`set link #${index} master #${masterIndex}`, () => this.sock.setLink({ index }, { master: masterIndex }));
  }

  /** Moves a link into the namespace behind the open fd `netnsFd`. */
  async moveToNetns(index: number, netnsFd: number): Promise<void> {
    await this.req(`move link #${index} to netns`, () => this.sock.setLink({ index }, { netNsFd: netnsFd }));
  }

  async deleteLink(index: number): Promise<void> {
    await this.req(`delete link #${index}`, () => this.sock.delLink({ index }));
  }

  /** Deletes the link named `name` if present; returns whether it existed. */
  async deleteLinkByName(name: string): Promise<boolean> {
    const l = await this.getLink(name);
    if (!l) return false;
    try { await this.deleteLink(l.index); } catch (e) { if (isNetlinkError(e, 'ENODEV')) return false; throw e; }
    return true;
  }

  // ---- addresses -----------------------------------------------------------------------------------

  /** Adds `cidr` (e.g. 10.0.0.5/32) to the link; IPv6 gets nodad unless dad is asked for. */
  async addAddress(index: number, cidr: string, opts: { replace?: boolean; dad?: boolean } = {}): Promise<void> {
    const c = parseRouteDestination(cidr);
    const addr = cidrAddressBytes(c);
    await this.req(`add address ${cidr} to #${index}`, () => this.sock.newAddress(
      { family: afOf(c.family), prefixlen: c.prefix, index, flags: c.family === 6 && !opts.dad ? { nodad: true } : {} },
      { local: addr, address: addr },
      { flags: F_CREATE | (opts.replace ? F_REPLACE : F_EXCL) }));
  }

  async delAddress(index: number, cidr: string): Promise<void> {
    const c = parseRouteDestination(cidr);
    const addr = cidrAddressBytes(c);
    await this.req(`delete address ${cidr} from #${index}`, () => this.sock.delAddress({ family: afOf(c.family), prefixlen: c.prefix, index }, { local: addr, address: addr }));
  }

  /** Addresses, optionally only of one link and/or family. */
  async listAddresses(filter: { index?: number; family?: IpFamily } = {}): Promise<Address[]> {
    const req = filter.family ? { family: afOf(filter.family) } : {};
    const msgs = await this.dump('list addresses', () => this.sock.getAddresses(req));
    const out: Address[] = [];
    for (const m of msgs) {
      if (filter.index !== undefined && m.data.index !== filter.index) continue;
      const raw = m.attrs.local ?? m.attrs.address;
      if (!raw) continue;
      const ip = bytesToIp(raw);
      const prefix = m.data.prefixlen ?? 0;
      out.push({ index: m.data.index ?? 0, family: famOf(m.data.family), ip, prefix, cidr: `${ip}/${prefix}` });
    }
    return out;
  }

  // ---- routes --------------------------------------------------------------------------------------

  private routeMsg(r: RouteSpec): [NL.rt.Route, NL.rt.RouteAttrs] {
    const c = parseRouteDestination(r.dst, r.family ?? (r.gateway ? ipFamily(r.gateway) : 4));
    const table = r.table ?? 254;
    const data: NL.rt.Route = {
      family: afOf(c.family), dstLen: c.prefix,
      table: table < 256 ? table : 252,
      protocol: (r.protocol ?? RTPROT.boot) as RtProtocol,
      scope: (r.scope !== undefined ? SCOPES[r.scope] : (r.type && r.type !== 'unicast') ? 0 : r.gateway ? 0 : 253) as RtScope,
      type: (r.type ? TYPES[r.type] : 1) as RtType,
      flags: r.onlink ? { __unknown: RTNH_F_ONLINK } : {},
    };
    if (r.scope === undefined && r.type === 'local') data.scope = SCOPES.host as RtScope;
    const attrs: NL.rt.RouteAttrs = {};
    if (c.prefix > 0) attrs.dst = cidrAddressBytes(c);
    if (r.gateway) attrs.gateway = ipToBytes(r.gateway);
    if (r.oif !== undefined) attrs.oif = r.oif;
    if (table >= 256) attrs.table = table;
    if (r.metric !== undefined) attrs.priority = r.metric;
    if (r.src) attrs.prefsrc = ipToBytes(r.src);
    return [data, attrs];
  }

  /** Adds a route; EEXIST when an equal route is present. */
  async addRoute(r: RouteSpec): Promise<void> {
    const [d, a] = this.routeMsg(r);
    await this.req(`add route ${r.dst}`, () => this.sock.newRoute(d, a, { flags: F_CREATE | F_EXCL }));
  }

  /** Adds or replaces the route for this destination/table/metric (`ip route replace`). */
  async replaceRoute(r: RouteSpec): Promise<void> {
    const [d, a] = this.routeMsg(r);
    await this.req(`replace route ${r.dst}`, () => this.sock.newRoute(d, a, { flags: F_CREATE | F_REPLACE }));
  }

  /** Appends a route (another next hop for the same prefix with a different metric etc.). */
  async appendRoute(r: RouteSpec): Promise<void> {
    const [d, a] = this.routeMsg(r);
    await this.req(`append route ${r.dst}`, () => this.sock.newRoute(d, a, { flags: F_CREATE | F_APPEND }));
  }

  /** Deletes the route matching the spec; ESRCH when absent. Protocol/scope are only matched when given. */
  async delRoute(r: RouteSpec): Promise<void> {
    const [d, a] = this.routeMsg(r);
    if (r.protocol === undefined) d.protocol = 0 as RtProtocol;
    if (r.scope === undefined) d.scope = SCOPES.nowhere as RtScope;
    if (r.type === undefined) d.type = 0 as RtType;
    await this.req(`delete route ${r.dst}`, () => this.sock.delRoute(d, a));
  }

  /** Routes of one family; filter by table (default main; 'all' for every table) and/or oif. */
  async listRoutes(filter: { family?: IpFamily; table?: number | 'all'; oif?: number } = {}): Promise<Route[]> {
    const family = filter.family ?? 4;
    const msgs = await this.dump('list routes', () => this.sock.getRoutes({ family: afOf(family) }));
    const out: Route[] = [];
    for (const m of msgs) {
      const table = m.attrs.table ?? m.data.table ?? 0;
      if ((filter.table ?? 254) !== 'all' && table !== (filter.table ?? 254)) continue;
      if (filter.oif !== undefined && m.attrs.oif !== filter.oif) continue;
      out.push(toRoute(m, family));
    }
    return out;
  }

  /**
   * The kernel's own route lookup (RTM_GETROUTE, `ip route get`). With `fibMatch` the answer is the FIB
   * entry that matched (`ip route get fibmatch`: its real prefix, protocol and onlink flag) instead of the
   * resolved /32. Blackhole and unreachable destinations are refused by the kernel (EINVAL, ENETUNREACH…):
   * that NetlinkError is thrown as is.
   */
  async getRoute(dst: string, opts: { fibMatch?: boolean } = {}): Promise<Route> {
    const family = ipFamily(dst);
    const data: NL.rt.Route = { family: afOf(family), dstLen: family === 4 ? 32 : 128, ...(opts.fibMatch ? { flags: { fibMatch: true } } : {}) };
    const msgs = await this.req('get route', () => this.sock.getRoute(data, { dst: ipToBytes(dst) }));
    const m = msgs[0];
    if (!m) throw new NetlinkError('ENOENT', 'get route');
    return toRoute(m, family);
  }

  // ---- neighbours and FDB --------------------------------------------------------------------------

  private neighMsg(n: NeighborSpec): [NL.rt.Neighbor, NL.rt.NeighborAttrs] {
    const data: NL.rt.Neighbor = {
      family: n.family, ifindex: n.ifindex,
      state: n.permanent === false ? { reachable: true } : { permanent: true },
      flags: { ...(n.self ? { self: true as const } : {}), ...(n.proxy ? { proxy: true as const } : {}) },
    };
    const attrs: NL.rt.NeighborAttrs = {};
    if (n.dst) attrs.dst = ipToBytes(n.dst);
    if (n.lladdr) attrs.lladdr = macToBytes(n.lladdr);
    return [data, attrs];
  }

  /** Adds or replaces a neighbour (ARP/ND) entry. */
  async replaceNeighbor(n: NeighborSpec): Promise<void> {
    const [d, a] = this.neighMsg(n);
    await this.req(`replace neighbour ${n.dst ?? n.lladdr}`, () => this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
  }

  /**
   * Adds an FDB entry on a VXLAN device (`bridge fdb append <mac> dev <vx> dst <ip> self permanent`).
   * APPEND, as the kernel wants for vxlan FDB entries with a remote.
   */
  async appendFdb(ifindex: number, lladdr: string, dst: string): Promise<void> {
    const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
    await this.req(`append fdb ${lladdr} dst ${dst}`, () => this.sock.newNeighbor(d, a, { flags: F_CREATE | F_APPEND }));
  }

  /** Replaces the FDB entry for a MAC (`bridge fdb replace … self permanent`). */
  async replaceFdb(ifindex: number, lladdr: string, dst: string): Promise<void> {
    const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
    await this.req(`replace fdb ${lladdr} dst ${dst}`, () => this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
  }

  async delNeighbor(n: NeighborSpec): Promise<void> {
    const [d, a] = this.neighMsg(n);
    await this.req(`delete neighbour ${n.dst ?? n.lladdr}`, () => this.sock.delNeighbor(d, a));
  }

  /** Neighbours of a family: AF_INET/AF_INET6 for ARP/ND, AF_BRIDGE (7) for the FDB. */
  async listNeighbors(family: number, ifindex?: number): Promise<Neighbor[]> {
    const msgs = await this.dump('list neighbours', () => this.sock.getNeighbors({ family }));
    const out: Neighbor[] = [];
    for (const m of msgs) {
      if (ifindex !== undefined && m.data.ifindex !== ifindex) continue;
      const st = m.data.state ?? {};
      const { rt } = nl();
      out.push({
        family: m.data.family ?? family, ifindex: m.data.ifindex ?? 0,
        dst: m.attrs.dst ? bytesToIp(m.attrs.dst) : undefined,
        lladdr: m.attrs.lladdr ? bytesToMac(m.attrs.lladdr) : undefined,
        permanent: !!st.permanent, state: rt.formatNeighborState(st),
        self: !!m.data.flags?.self, master: m.attrs.master,
      });
    }
    return out;
  }
}

/** A route message as a Route (shared by the dump and the lookup). */
function toRoute(m: NL.rt.RouteMessage, family: IpFamily): Route {
  const num = (v: unknown, enumObj: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number((enumObj as Record<string, unknown>)[v] ?? 0) : 0);
  const { rt } = nl();
  const scopeN = num(m.data.scope, rt.RouteScope), typeN = num(m.data.type, rt.RouteType);
  const flagsRaw = m.data.flags as { __unknown?: number } | undefined;
  const dst = m.attrs.dst ? bytesToIp(m.attrs.dst) : family === 4 ? '0.0.0.0' : '::';
  return {
    family, dst: `${dst}/${m.data.dstLen ?? 0}`, gateway: m.attrs.gateway ? bytesToIp(m.attrs.gateway) : undefined, oif: m.attrs.oif,
    scope: REV_SCOPES.get(scopeN) ?? scopeN, protocol: num(m.data.protocol, rt.RouteProtocol), table: m.attrs.table ?? m.data.table ?? 0,
    type: REV_TYPES.get(typeN) ?? typeN, onlink: !!((flagsRaw?.__unknown ?? 0) & RTNH_F_ONLINK), metric: m.attrs.priority,
    src: m.attrs.prefsrc ? bytesToIp(m.attrs.prefsrc) : undefined,
  };
}
