import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  CNI_ERR,
  CniError,
  OWN_IPAM_TYPES,
  TABBY_VERSION,
  asCniError,
  createCniLogger,
  datastoreSelection,
  finish,
  formatResult,
  hostVethName,
  ipamAdd,
  ipamCheck,
  ipamDel,
  ipamHandle,
  openRealBackend,
  parseEnv,
  parseNetConf,
  parseResult,
  peekLogConfig,
  readStdin,
  resolveNodeState,
  testConnection,
  versionInfo,
  workloadEndpointName
} from "./cni-chunks/chunk-5M77RUQK.mjs";
import {
  isDatastoreError
} from "./cni-chunks/chunk-QSLHBRLO.mjs";
import {
  API_VERSION
} from "./cni-chunks/chunk-TO6PQJKH.mjs";
import "./cni-chunks/chunk-ORRNK5GL.mjs";

// src/cni/dataplane.ts
import { closeSync as closeSync2, openSync as openSync2 } from "node:fs";

// src/netlink/index.ts
import { createRequire as createRequire2 } from "node:module";

// src/netlink/netns.ts
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
var CLONE_NEWNET = 1073741824;
var setnsFn;
var errnoFn;
function setns(fd) {
  if (!setnsFn) {
    const require3 = createRequire(import.meta.url);
    const koffi = require3("koffi");
    const libc = koffi.load("libc.so.6");
    setnsFn = libc.func("int setns(int fd, int nstype)");
    errnoFn = () => koffi.errno();
  }
  if (setnsFn(fd, CLONE_NEWNET) !== 0) {
    const errno = errnoFn();
    const err = new Error(`setns failed: errno ${errno}`);
    err.errno = errno;
    throw err;
  }
}
var CURRENT_NETNS = "/proc/thread-self/ns/net";
function withNetns(path, fn) {
  if (fn.constructor.name === "AsyncFunction") throw new Error("withNetns: the callback must be synchronous");
  const target = openSync(path, "r");
  let original;
  try {
    original = openSync(CURRENT_NETNS, "r");
    setns(target);
    try {
      const out = fn();
      if (out instanceof Promise) throw new Error("withNetns: the callback returned a Promise; keep the switched section synchronous");
      return out;
    } finally {
      try {
        setns(original);
      } catch (e) {
        process.stderr.write(`FATAL: cannot return to original netns: ${e}
`);
        process.abort();
      }
    }
  } finally {
    if (original !== void 0) closeSync(original);
    closeSync(target);
  }
}
function netnsExists(path) {
  try {
    closeSync(openSync(path, "r"));
    return true;
  } catch {
    return false;
  }
}
function sysctlPath(key) {
  const m = /^net\.(ipv4|ipv6)\.(conf|neigh)\.(.+)\.([^.]+)$/.exec(key);
  if (m) return `/proc/sys/net/${m[1]}/${m[2]}/${m[3]}/${m[4]}`;
  return "/proc/sys/" + key.replace(/\./g, "/");
}
function readSysctl(key, netns) {
  const read = () => readFileSync(sysctlPath(key), "utf8").trim();
  return netns ? withNetns(netns, read) : read();
}
function writeSysctl(key, value, netns) {
  const write = () => writeFileSync(sysctlPath(key), String(value));
  if (netns) withNetns(netns, write);
  else write();
}

// src/netlink/ip.ts
import { isIPv4, isIPv6 } from "node:net";
function ipFamily(ip) {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip)) return 6;
  throw new Error(`invalid IP address "${ip}"`);
}
function ipToBytes(ip) {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  if (!isIPv6(ip)) throw new Error(`invalid IP address "${ip}"`);
  let text = ip;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const b = v4tail[1].split(".").map(Number);
    text = text.slice(0, -v4tail[1].length) + (b[0] << 8 | b[1]).toString(16) + ":" + (b[2] << 8 | b[3]).toString(16);
  }
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== void 0 && tail !== "" ? tail.split(":") : [];
  const groups = tail === void 0 ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
function bytesToIp(b) {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length !== 16) throw new Error(`address of ${b.length} bytes`);
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(b[i] << 8 | b[i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return hex.slice(0, best).join(":") + "::" + hex.slice(best + bestLen).join(":");
}
function parseCidr(text, familyHint = 4) {
  if (text === "default") return familyHint === 6 ? { ip: "::", prefix: 0, family: 6 } : { ip: "0.0.0.0", prefix: 0, family: 4 };
  const [ip, p] = text.split("/");
  const family = ipFamily(ip);
  const max = family === 4 ? 32 : 128;
  const prefix = p === void 0 ? max : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || p !== void 0 && !/^\d+$/.test(p)) {
    throw new Error(`invalid CIDR "${text}"`);
  }
  return { ip, prefix, family };
}
function macToBytes(mac) {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new Error(`invalid MAC address "${mac}"`);
  return Buffer.from(mac.split(":").map((x) => parseInt(x, 16)));
}
function bytesToMac(b) {
  return Array.from(b).map((x) => x.toString(16).padStart(2, "0")).join(":");
}

// src/netlink/index.ts
var require2 = createRequire2(import.meta.url);
var nlmod;
function nl() {
  return nlmod ??= require2("netlink");
}
var RECV_BUFFER = 4 << 20;
var SEND_BUFFER = 1 << 20;
var F_CREATE = 1024;
var F_EXCL = 512;
var F_REPLACE = 256;
var F_APPEND = 2048;
var RTNH_F_ONLINK = 4;
var AF_INET = 2;
var AF_INET6 = 10;
var AF_BRIDGE = 7;
var NetlinkError = class extends Error {
  constructor(code, op) {
    super(`${op}: ${code}`);
    this.code = code;
    this.op = op;
    this.name = "NetlinkError";
  }
  code;
  op;
};
function isNetlinkError(e, ...codes) {
  return e instanceof NetlinkError && (codes.length === 0 || codes.includes(e.code));
}
async function call(op, p) {
  try {
    return await p;
  } catch (e) {
    const m = /Request rejected: (\S+)/.exec(String(e?.message ?? e));
    if (m) throw new NetlinkError(m[1], op);
    throw e;
  }
}
function afOf(f) {
  return f === 4 ? AF_INET : AF_INET6;
}
function famOf(af) {
  return af === AF_INET6 ? 6 : 4;
}
function serialize(data) {
  const s = new (nl()).AttrStream();
  s.emit(data);
  return Buffer.concat(s.bufs);
}
var SCOPES = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
var TYPES = { unicast: 1, local: 2, broadcast: 3, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 };
var RTPROT = { redirect: 1, kernel: 2, boot: 3, static: 4, bird: 12, dhcp: 16 };
var Netlink = class _Netlink {
  constructor(sock) {
    this.sock = sock;
  }
  sock;
  static open(opts = {}) {
    const create = () => nl().createRtNetlink({ recvBufferSize: RECV_BUFFER, sendBufferSize: SEND_BUFFER });
    return new _Netlink(opts.netns ? withNetns(opts.netns, create) : create());
  }
  close() {
    this.sock.socket.close();
  }
  // ---- links ---------------------------------------------------------------------------------------
  toLink(m) {
    let kind;
    if (m.attrs.linkinfo) {
      try {
        kind = nl().ifla.parseInfo(m.attrs.linkinfo).kind;
      } catch {
      }
    }
    const flags = m.data.flags ?? {};
    const link = m.attrs.link;
    return {
      index: m.data.index ?? 0,
      name: m.attrs.ifname ?? "",
      mtu: m.attrs.mtu ?? 0,
      mac: m.attrs.address ? bytesToMac(m.attrs.address) : "",
      up: !!flags.up,
      lowerUp: !!flags.lowerUp,
      kind,
      parentIndex: typeof link === "number" ? link : Buffer.isBuffer(link) && link.length >= 4 ? link.readUInt32LE(0) : void 0,
      master: m.attrs.master
    };
  }
  async listLinks() {
    return (await call("list links", this.sock.getLinks())).map((m) => this.toLink(m));
  }
  /** The link named `name`, or undefined when there is none. */
  async getLink(name) {
    try {
      const r = await call(`get link ${name}`, this.sock.getLink({}, { ifname: name }));
      return r[0] ? this.toLink(r[0]) : void 0;
    } catch (e) {
      if (isNetlinkError(e, "ENODEV", "ENOENT")) return void 0;
      throw e;
    }
  }
  async getLinkByIndex(index) {
    try {
      const r = await call(`get link #${index}`, this.sock.getLink({ index }));
      return r[0] ? this.toLink(r[0]) : void 0;
    } catch (e) {
      if (isNetlinkError(e, "ENODEV", "ENOENT")) return void 0;
      throw e;
    }
  }
  async mustGetLink(name) {
    const l = await this.getLink(name);
    if (!l) throw new NetlinkError("ENODEV", `link ${name} not found`);
    return l;
  }
  /** Creates a veth pair; the peer can be created straight into another namespace (peerNetnsFd). */
  async createVeth(o) {
    const { ifla, rt } = nl();
    const peerAttrs = { ifname: o.peerName };
    if (o.peerMtu ?? o.mtu) peerAttrs.mtu = o.peerMtu ?? o.mtu;
    if (o.peerMac) peerAttrs.address = macToBytes(o.peerMac);
    if (o.peerNetnsFd !== void 0) peerAttrs.netNsFd = o.peerNetnsFd;
    if (o.numQueues && o.numQueues > 1) {
      peerAttrs.numTxQueues = o.numQueues;
      peerAttrs.numRxQueues = o.numQueues;
    }
    const peer = Buffer.concat([rt.formatLink({}), serialize(ifla.formatLinkAttrs(peerAttrs))]);
    const attrs = {
      ifname: o.name,
      linkinfo: serialize(ifla.formatInfo({ kind: "veth", data: serialize(ifla.formatVethInfo({ peer })) }))
    };
    if (o.mtu) attrs.mtu = o.mtu;
    if (o.mac) attrs.address = macToBytes(o.mac);
    if (o.numQueues && o.numQueues > 1) {
      attrs.numTxQueues = o.numQueues;
      attrs.numRxQueues = o.numQueues;
    }
    await call(`create veth ${o.name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(o.name);
  }
  /** Creates a VXLAN device (nolearning by default, as Felix does). */
  async createVxlan(o) {
    const { ifla } = nl();
    const port = Buffer.alloc(2);
    port.writeUInt16BE(o.port);
    const vx = { id: o.vni, port, learning: o.learning ? 1 : 0 };
    if (o.local) vx.local = ipToBytes(o.local);
    if (o.link !== void 0) vx.link = o.link;
    const attrs = {
      ifname: o.name,
      linkinfo: serialize(ifla.formatInfo({ kind: "vxlan", data: serialize(ifla.formatVxlan(vx)) }))
    };
    if (o.mtu) attrs.mtu = o.mtu;
    if (o.mac) attrs.address = macToBytes(o.mac);
    await call(`create vxlan ${o.name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(o.name);
  }
  /** Creates a link of a kind that needs no extra data (e.g. 'bridge'). */
  async createLink(name, kind, mtu) {
    const { ifla } = nl();
    const attrs = { ifname: name, linkinfo: serialize(ifla.formatInfo({ kind })) };
    if (mtu) attrs.mtu = mtu;
    await call(`create ${kind} ${name}`, this.sock.newLink({}, attrs, { flags: F_CREATE | F_EXCL }));
    return this.mustGetLink(name);
  }
  async setLinkUp(index, up = true) {
    await call(
      `set link #${index} ${up ? "up" : "down"}`,
      this.sock.setLink({ index, flags: up ? { up: true } : {}, change: { up: true } })
    );
  }
  async setMtu(index, mtu) {
    await call(`set link #${index} mtu ${mtu}`, this.sock.setLink({ index }, { mtu }));
  }
  async setMac(index, mac) {
    await call(`set link #${index} address ${mac}`, this.sock.setLink({ index }, { address: macToBytes(mac) }));
  }
  async setName(index, name) {
    await call(`rename link #${index} to ${name}`, this.sock.setLink({ index }, { ifname: name }));
  }
  async setMaster(index, masterIndex) {
    await call(`set link #${index} master #${masterIndex}`, this.sock.setLink({ index }, { master: masterIndex }));
  }
  /** Moves a link into the namespace behind the open fd `netnsFd`. */
  async moveToNetns(index, netnsFd) {
    await call(`move link #${index} to netns`, this.sock.setLink({ index }, { netNsFd: netnsFd }));
  }
  async deleteLink(index) {
    await call(`delete link #${index}`, this.sock.delLink({ index }));
  }
  /** Deletes the link named `name` if present; returns whether it existed. */
  async deleteLinkByName(name) {
    const l = await this.getLink(name);
    if (!l) return false;
    try {
      await this.deleteLink(l.index);
    } catch (e) {
      if (isNetlinkError(e, "ENODEV")) return false;
      throw e;
    }
    return true;
  }
  // ---- addresses -----------------------------------------------------------------------------------
  /** Adds `cidr` (e.g. 10.0.0.5/32) to the link; IPv6 gets nodad unless dad is asked for. */
  async addAddress(index, cidr, opts = {}) {
    const c = parseCidr(cidr);
    const addr = ipToBytes(c.ip);
    await call(`add address ${cidr} to #${index}`, this.sock.newAddress(
      { family: afOf(c.family), prefixlen: c.prefix, index, flags: c.family === 6 && !opts.dad ? { nodad: true } : {} },
      { local: addr, address: addr },
      { flags: F_CREATE | (opts.replace ? F_REPLACE : F_EXCL) }
    ));
  }
  async delAddress(index, cidr) {
    const c = parseCidr(cidr);
    const addr = ipToBytes(c.ip);
    await call(
      `delete address ${cidr} from #${index}`,
      this.sock.delAddress({ family: afOf(c.family), prefixlen: c.prefix, index }, { local: addr, address: addr })
    );
  }
  /** Addresses, optionally only of one link and/or family. */
  async listAddresses(filter = {}) {
    const req = filter.family ? { family: afOf(filter.family) } : {};
    const msgs = await call("list addresses", this.sock.getAddresses(req));
    const out = [];
    for (const m of msgs) {
      if (filter.index !== void 0 && m.data.index !== filter.index) continue;
      const raw = m.attrs.local ?? m.attrs.address;
      if (!raw) continue;
      const ip = bytesToIp(raw);
      const prefix = m.data.prefixlen ?? 0;
      out.push({ index: m.data.index ?? 0, family: famOf(m.data.family), ip, prefix, cidr: `${ip}/${prefix}` });
    }
    return out;
  }
  // ---- routes --------------------------------------------------------------------------------------
  routeMsg(r) {
    const c = parseCidr(r.dst, r.family ?? (r.gateway ? ipFamily(r.gateway) : 4));
    const table = r.table ?? 254;
    const data = {
      family: afOf(c.family),
      dstLen: c.prefix,
      table: table < 256 ? table : 252,
      protocol: r.protocol ?? RTPROT.boot,
      scope: r.scope !== void 0 ? SCOPES[r.scope] : r.type && r.type !== "unicast" ? 0 : r.gateway ? 0 : 253,
      type: r.type ? TYPES[r.type] : 1,
      flags: r.onlink ? { __unknown: RTNH_F_ONLINK } : {}
    };
    if (r.scope === void 0 && r.type === "local") data.scope = SCOPES.host;
    const attrs = {};
    if (c.prefix > 0) attrs.dst = ipToBytes(c.ip);
    if (r.gateway) attrs.gateway = ipToBytes(r.gateway);
    if (r.oif !== void 0) attrs.oif = r.oif;
    if (table >= 256) attrs.table = table;
    if (r.metric !== void 0) attrs.priority = r.metric;
    if (r.src) attrs.prefsrc = ipToBytes(r.src);
    return [data, attrs];
  }
  /** Adds a route; EEXIST when an equal route is present. */
  async addRoute(r) {
    const [d, a] = this.routeMsg(r);
    await call(`add route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_EXCL }));
  }
  /** Adds or replaces the route for this destination/table/metric (`ip route replace`). */
  async replaceRoute(r) {
    const [d, a] = this.routeMsg(r);
    await call(`replace route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_REPLACE }));
  }
  /** Appends a route (another next hop for the same prefix with a different metric etc.). */
  async appendRoute(r) {
    const [d, a] = this.routeMsg(r);
    await call(`append route ${r.dst}`, this.sock.newRoute(d, a, { flags: F_CREATE | F_APPEND }));
  }
  /** Deletes the route matching the spec; ESRCH when absent. Protocol/scope are only matched when given. */
  async delRoute(r) {
    const [d, a] = this.routeMsg(r);
    if (r.protocol === void 0) d.protocol = 0;
    if (r.scope === void 0) d.scope = SCOPES.nowhere;
    if (r.type === void 0) d.type = 0;
    await call(`delete route ${r.dst}`, this.sock.delRoute(d, a));
  }
  /** Routes of one family; filter by table (default main; 'all' for every table) and/or oif. */
  async listRoutes(filter = {}) {
    const family = filter.family ?? 4;
    const msgs = await call("list routes", this.sock.getRoutes({ family: afOf(family) }));
    const out = [];
    const revScope = new Map(Object.entries(SCOPES).map(([k, v]) => [v, k]));
    const revType = new Map(Object.entries(TYPES).map(([k, v]) => [v, k]));
    for (const m of msgs) {
      const table = m.attrs.table ?? m.data.table ?? 0;
      if ((filter.table ?? 254) !== "all" && table !== (filter.table ?? 254)) continue;
      if (filter.oif !== void 0 && m.attrs.oif !== filter.oif) continue;
      const num = (v, enumObj) => typeof v === "number" ? v : typeof v === "string" ? Number(enumObj[v] ?? 0) : 0;
      const { rt } = nl();
      const scopeN = num(m.data.scope, rt.RouteScope);
      const typeN = num(m.data.type, rt.RouteType);
      const protoN = num(m.data.protocol, rt.RouteProtocol);
      const flagsRaw = m.data.flags;
      const dst = m.attrs.dst ? bytesToIp(m.attrs.dst) : family === 4 ? "0.0.0.0" : "::";
      out.push({
        family,
        dst: `${dst}/${m.data.dstLen ?? 0}`,
        gateway: m.attrs.gateway ? bytesToIp(m.attrs.gateway) : void 0,
        oif: m.attrs.oif,
        scope: revScope.get(scopeN) ?? scopeN,
        protocol: protoN,
        table,
        type: revType.get(typeN) ?? typeN,
        onlink: !!((flagsRaw?.__unknown ?? 0) & RTNH_F_ONLINK),
        metric: m.attrs.priority,
        src: m.attrs.prefsrc ? bytesToIp(m.attrs.prefsrc) : void 0
      });
    }
    return out;
  }
  // ---- neighbours and FDB --------------------------------------------------------------------------
  neighMsg(n) {
    const data = {
      family: n.family,
      ifindex: n.ifindex,
      state: n.permanent === false ? { reachable: true } : { permanent: true },
      flags: { ...n.self ? { self: true } : {}, ...n.proxy ? { proxy: true } : {} }
    };
    const attrs = {};
    if (n.dst) attrs.dst = ipToBytes(n.dst);
    if (n.lladdr) attrs.lladdr = macToBytes(n.lladdr);
    return [data, attrs];
  }
  /** Adds or replaces a neighbour (ARP/ND) entry. */
  async replaceNeighbor(n) {
    const [d, a] = this.neighMsg(n);
    await call(`replace neighbour ${n.dst ?? n.lladdr}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
  }
  /**
   * Adds an FDB entry on a VXLAN device (`bridge fdb append <mac> dev <vx> dst <ip> self permanent`).
   * APPEND, as the kernel wants for vxlan FDB entries with a remote.
   */
  async appendFdb(ifindex, lladdr, dst) {
    const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
    await call(`append fdb ${lladdr} dst ${dst}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_APPEND }));
  }
  /** Replaces the FDB entry for a MAC (`bridge fdb replace … self permanent`). */
  async replaceFdb(ifindex, lladdr, dst) {
    const [d, a] = this.neighMsg({ family: AF_BRIDGE, ifindex, lladdr, dst, self: true });
    await call(`replace fdb ${lladdr} dst ${dst}`, this.sock.newNeighbor(d, a, { flags: F_CREATE | F_REPLACE }));
  }
  async delNeighbor(n) {
    const [d, a] = this.neighMsg(n);
    await call(`delete neighbour ${n.dst ?? n.lladdr}`, this.sock.delNeighbor(d, a));
  }
  /** Neighbours of a family: AF_INET/AF_INET6 for ARP/ND, AF_BRIDGE (7) for the FDB. */
  async listNeighbors(family, ifindex) {
    const msgs = await call("list neighbours", this.sock.getNeighbors({ family }));
    const out = [];
    for (const m of msgs) {
      if (ifindex !== void 0 && m.data.ifindex !== ifindex) continue;
      const st = m.data.state ?? {};
      const { rt } = nl();
      out.push({
        family: m.data.family ?? family,
        ifindex: m.data.ifindex ?? 0,
        dst: m.attrs.dst ? bytesToIp(m.attrs.dst) : void 0,
        lladdr: m.attrs.lladdr ? bytesToMac(m.attrs.lladdr) : void 0,
        permanent: !!st.permanent,
        state: rt.formatNeighborState(st),
        self: !!m.data.flags?.self,
        master: m.attrs.master
      });
    }
    return out;
  }
};

// src/cni/wep.ts
var WEP_KIND = "WorkloadEndpoint";
var LABEL_NAMESPACE = "projectcalico.org/namespace";
var LABEL_ORCHESTRATOR = "projectcalico.org/orchestrator";
var LABEL_SERVICEACCOUNT = "projectcalico.org/serviceaccount";
function hostCidr(ip) {
  const addr = ip.split("/")[0];
  return addr.includes(":") ? `${addr}/128` : `${addr}/32`;
}
function buildWorkloadEndpoint(w) {
  const { id } = w;
  const labels = { ...w.podLabels ?? {} };
  let profiles;
  if (id.orchestrator === "k8s") {
    labels[LABEL_NAMESPACE] = id.namespace;
    labels[LABEL_ORCHESTRATOR] = "k8s";
    if (w.serviceAccount && w.serviceAccount.length < 63) labels[LABEL_SERVICEACCOUNT] = w.serviceAccount;
    profiles = w.policyType === "k8s" ? [`kns.${id.namespace}`, ...w.serviceAccount ? [`ksa.${id.namespace}.${w.serviceAccount}`] : []] : [w.networkName];
  } else {
    labels[LABEL_NAMESPACE] = id.namespace;
    labels[LABEL_ORCHESTRATOR] = "cni";
    profiles = [w.networkName];
  }
  const spec = {
    orchestrator: id.orchestrator,
    node: id.node,
    containerID: id.containerId,
    endpoint: id.endpoint,
    ipNetworks: w.ips.map(hostCidr),
    profiles,
    interfaceName: w.hostVeth
  };
  if (id.orchestrator === "k8s") {
    spec.pod = id.workload;
    if (w.serviceAccount) spec.serviceAccountName = w.serviceAccount;
  } else spec.workload = id.containerId;
  if (w.containerMac) spec.mac = w.containerMac;
  return {
    apiVersion: API_VERSION,
    kind: WEP_KIND,
    metadata: { name: workloadEndpointName(id), namespace: id.namespace, labels },
    spec
  };
}

// src/cni/dataplane.ts
var HOST_VETH_MAC = "ee:ee:ee:ee:ee:ee";
var GATEWAY_IP = "169.254.1.1";
function openNetnsFd(path) {
  try {
    return openSync2(path, "r");
  } catch (e) {
    throw new CniError(CNI_ERR.ioFailure, `failed to open netns "${path}": ${e.code ?? e.message}`);
  }
}
var HOST_SYSCTLS = (veth) => [
  // [key, value, required] — Calico treats proxy_delay as a warning only.
  [`net.ipv4.conf.${veth}.route_localnet`, "1", true],
  [`net.ipv4.neigh.${veth}.proxy_delay`, "0", false],
  [`net.ipv4.conf.${veth}.proxy_arp`, "1", true],
  [`net.ipv4.conf.${veth}.forwarding`, "1", true],
  [`net.ipv6.conf.${veth}.accept_ra`, "0", false]
];
var LinuxDataplane = class {
  async setup(req, fault = () => {
  }) {
    const host = Netlink.open();
    let cont;
    const nsfd = openNetnsFd(req.netns);
    try {
      cont = Netlink.open({ netns: req.netns });
      await host.deleteLinkByName(req.hostVeth);
      if (await cont.getLink(req.ifname)) {
        throw new CniError(CNI_ERR.internal, `interface "${req.ifname}" already exists in container netns ${req.netns}`);
      }
      let hostLink = await host.createVeth({
        name: req.hostVeth,
        mac: HOST_VETH_MAC,
        mtu: req.mtu,
        peerName: req.ifname,
        peerMtu: req.mtu,
        peerNetnsFd: nsfd,
        numQueues: req.numQueues
      });
      fault("veth");
      hostLink = await this.ensureHostMac(host, hostLink);
      for (const [key, value, required] of HOST_SYSCTLS(req.hostVeth)) {
        try {
          writeSysctl(key, value);
        } catch (e) {
          if (required) throw new CniError(CNI_ERR.ioFailure, `failed to set ${key}=${value}: ${e.message}`);
        }
      }
      fault("sysctl");
      await host.setLinkUp(hostLink.index);
      const contLink = await cont.mustGetLink(req.ifname);
      await cont.setLinkUp(contLink.index);
      fault("link-up");
      for (const ip of req.ips) await cont.addAddress(contLink.index, hostCidr(ip));
      fault("address");
      try {
        writeSysctl("net.ipv4.ip_forward", req.allowIpForwarding ? 1 : 0, req.netns);
      } catch {
      }
      await cont.addRoute({ dst: `${GATEWAY_IP}/32`, oif: contLink.index, scope: "link" });
      await cont.addRoute({ dst: "0.0.0.0/0", gateway: GATEWAY_IP, oif: contLink.index });
      fault("routes");
      if (!req.skipHostRoute) for (const ip of req.ips) await this.addHostRoute(host, hostCidr(ip), hostLink);
      fault("host-route");
      const after = await cont.mustGetLink(req.ifname);
      return { containerMac: after.mac, hostIndex: hostLink.index };
    } finally {
      closeSync2(nsfd);
      cont?.close();
      host.close();
    }
  }
  /** Calico retries setting the MAC because udev may rewrite it right after creation. */
  async ensureHostMac(host, link) {
    for (let i = 0; i < 50 && link.mac !== HOST_VETH_MAC; i++) {
      await host.setMac(link.index, HOST_VETH_MAC);
      link = await host.getLinkByIndex(link.index) ?? link;
      if (link.mac !== HOST_VETH_MAC) await new Promise((r) => setTimeout(r, 100));
    }
    if (link.mac !== HOST_VETH_MAC) throw new CniError(CNI_ERR.internal, `host veth ${link.name} refused MAC ${HOST_VETH_MAC} (has ${link.mac})`);
    return link;
  }
  async addHostRoute(host, dst, link) {
    try {
      await host.addRoute({ dst, oif: link.index, scope: "link" });
    } catch (e) {
      if (!isNetlinkError(e, "EEXIST")) throw e;
      const existing = (await host.listRoutes({ family: 4 })).find((r) => r.dst === dst && r.table === 254);
      if (existing?.oif === link.index) return;
      const other = existing?.oif !== void 0 ? (await host.getLinkByIndex(existing.oif))?.name : void 0;
      throw new CniError(
        CNI_ERR.internal,
        `route (dst ${dst}) already exists for an interface other than '${link.name}': ${other ?? JSON.stringify(existing)}`
      );
    }
  }
  async teardown(netns, ifname) {
    if (!netns || !netnsExists(netns)) return;
    let cont;
    try {
      cont = Netlink.open({ netns });
    } catch (e) {
      if (e.code === "ENOENT" || e.errno === 22) return;
      throw e;
    }
    try {
      await cont.deleteLinkByName(ifname);
    } finally {
      cont.close();
    }
  }
  async removeHostVeth(name) {
    const host = Netlink.open();
    try {
      await host.deleteLinkByName(name);
    } finally {
      host.close();
    }
  }
  async check(req) {
    const diffs = [];
    if (!netnsExists(req.netns)) return [`container netns ${req.netns} does not exist`];
    const host = Netlink.open();
    const cont = Netlink.open({ netns: req.netns });
    try {
      const c = await cont.getLink(req.ifname);
      if (!c) diffs.push(`interface ${req.ifname} is missing in ${req.netns}`);
      else {
        if (!c.up) diffs.push(`interface ${req.ifname} is down`);
        if (c.mtu !== req.mtu) diffs.push(`interface ${req.ifname} has MTU ${c.mtu}, expected ${req.mtu}`);
        const have = new Set((await cont.listAddresses({ index: c.index, family: 4 })).map((a) => a.cidr));
        for (const ip of req.ips) if (!have.has(hostCidr(ip))) diffs.push(`address ${hostCidr(ip)} is missing on ${req.ifname}`);
        const routes = await cont.listRoutes({ family: 4 });
        if (!routes.some((r) => r.dst === `${GATEWAY_IP}/32` && r.oif === c.index && r.scope === "link")) {
          diffs.push(`route "${GATEWAY_IP} dev ${req.ifname} scope link" is missing in the container`);
        }
        if (!routes.some((r) => r.dst === "0.0.0.0/0" && r.gateway === GATEWAY_IP && r.oif === c.index)) {
          diffs.push(`route "default via ${GATEWAY_IP} dev ${req.ifname}" is missing in the container`);
        }
      }
      const h = await host.getLink(req.hostVeth);
      if (!h) diffs.push(`host interface ${req.hostVeth} is missing`);
      else {
        if (!h.up) diffs.push(`host interface ${req.hostVeth} is down`);
        if (h.mac !== HOST_VETH_MAC) diffs.push(`host interface ${req.hostVeth} has MAC ${h.mac}, expected ${HOST_VETH_MAC}`);
        for (const [key, value, required] of HOST_SYSCTLS(req.hostVeth)) {
          if (!required) continue;
          let v;
          try {
            v = readSysctl(key);
          } catch {
          }
          if (v !== value) diffs.push(`${key} is ${v ?? "unreadable"}, expected ${value}`);
        }
        if (!req.skipHostRoute) {
          const routes = await host.listRoutes({ family: 4, oif: h.index });
          for (const ip of req.ips) {
            if (!routes.some((r) => r.dst === hostCidr(ip) && r.scope === "link")) diffs.push(`host route "${hostCidr(ip)} dev ${req.hostVeth} scope link" is missing`);
          }
        }
      }
    } finally {
      cont.close();
      host.close();
    }
    return diffs;
  }
};

// src/cni/plugin.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
function faultHookFromEnv(env) {
  const target = env.TABBY_CNI_TEST_FAULTS === "1" ? env.TABBY_CNI_FAULT : void 0;
  if (!target) return () => {
  };
  return (step) => {
    if (step === target) throw new CniError(CNI_ERR.internal, `injected fault at step "${step}"`);
  };
}
function identify(env, node) {
  const ns = env.args.K8S_POD_NAMESPACE, pod = env.args.K8S_POD_NAME;
  if (ns && pod) return { orchestrator: "k8s", namespace: ns, workload: pod, node, containerId: env.containerId, endpoint: env.ifname };
  return { orchestrator: "cni", namespace: "default", workload: env.containerId, node, containerId: env.containerId, endpoint: env.ifname };
}
async function runPlugin(processEnv, stdin, deps) {
  let cniVersion;
  try {
    const env = parseEnv(processEnv);
    if (env.command === "VERSION") {
      return { stdout: JSON.stringify(versionInfo()), exitCode: 0 };
    }
    const conf = parseNetConf(stdin, { needIpam: env.command === "ADD" || env.command === "DEL" || env.command === "CHECK" });
    cniVersion = conf.cniVersion;
    deps.log.bind({ containerID: env.containerId || void 0, command: env.command });
    const ctx = new Invocation(env, conf, { ...deps, processEnv: deps.processEnv ?? processEnv });
    const out = await ctx.run();
    return { stdout: out === void 0 ? "" : JSON.stringify(out), exitCode: 0 };
  } catch (e) {
    const err = asCniError(e);
    deps.log.error(err.message, { code: err.code, details: err.details });
    return { stdout: JSON.stringify(err.toJSON(cniVersion)), exitCode: 1 };
  }
}
var Invocation = class {
  constructor(env, conf, deps) {
    this.env = env;
    this.conf = conf;
    this.deps = deps;
    this.fault = deps.fault ?? (() => {
    });
  }
  env;
  conf;
  deps;
  backend;
  fault;
  async run() {
    try {
      switch (this.env.command) {
        case "ADD":
          return await this.add();
        case "DEL":
          await this.del();
          return void 0;
        case "CHECK":
          await this.check();
          return void 0;
        case "STATUS":
          await this.status();
          return void 0;
        case "GC":
          await this.gc();
          return void 0;
        default:
          throw new CniError(CNI_ERR.invalidEnv, `unsupported CNI_COMMAND ${this.env.command}`);
      }
    } finally {
      await this.backend?.close().catch(() => {
      });
    }
  }
  async openBackend() {
    if (this.backend) return this.backend;
    try {
      this.backend = await this.deps.openBackend(datastoreSelection(this.conf, this.deps.processEnv));
      return this.backend;
    } catch (e) {
      if (isDatastoreError(e, "Invalid")) throw new CniError(CNI_ERR.invalidNetworkConfig, e.message);
      throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${e.message}`);
    }
  }
  /** Calico refuses to work while ClusterInformation says the datastore is not ready; unreachable → try again later. */
  async ensureReady(ds) {
    let ci;
    try {
      ci = await ds.get("ClusterInformation", "default");
    } catch (e) {
      if (isDatastoreError(e, "Unavailable")) throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${e.message}`);
      throw e;
    }
    if (ci?.spec?.datastoreReady === false) {
      throw new CniError(CNI_ERR.tryAgainLater, "Calico is currently not ready to process requests");
    }
  }
  ipamContext(be, node, id) {
    return { conf: this.conf, env: this.env, node, id, ipam: be.ipam };
  }
  ownIpam() {
    return OWN_IPAM_TYPES.has(this.conf.ipam.type);
  }
  async delegate(command) {
    if (!this.deps.execDelegate) throw new CniError(CNI_ERR.invalidNetworkConfig, `IPAM type "${this.conf.ipam.type}" needs delegation, which is unavailable here`);
    return this.deps.execDelegate(this.conf.ipam.type, this.env, command, JSON.stringify(this.conf));
  }
  // ---- ADD -------------------------------------------------------------------------------------------
  async add() {
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const hostVeth = hostVethName(id, this.deps.processEnv.FELIX_INTERFACEPREFIX);
    const log = this.deps.log;
    log.bind({ pod: id.orchestrator === "k8s" ? `${id.namespace}/${id.workload}` : void 0, hostVeth });
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    const ipamCtx = this.ipamContext(be, node.nodename, id);
    let ipamResult;
    if (this.ownIpam()) ipamResult = await ipamAdd(ipamCtx);
    else ipamResult = parseResult(await this.delegate("ADD"));
    const ips = ipamResult.ips.map((i) => hostCidr(i.address));
    log.info("assigned addresses", { ips });
    let touchedDataplane = false;
    let wepName;
    try {
      this.fault("ipam");
      touchedDataplane = true;
      const dp = await this.deps.dataplane.setup({
        netns: this.env.netns,
        ifname: this.env.ifname,
        hostVeth,
        mtu: node.mtu,
        ips,
        allowIpForwarding: !!this.conf.container_settings?.allow_ip_forwarding,
        numQueues: this.conf.num_queues
      }, this.fault);
      const tabbyArgs = this.conf.args?.tabby ?? {};
      const wep = buildWorkloadEndpoint({
        id,
        networkName: this.conf.name,
        policyType: this.conf.policy?.type,
        podLabels: tabbyArgs.labels,
        serviceAccount: tabbyArgs.serviceAccount ?? this.env.args.K8S_POD_SERVICE_ACCOUNT,
        ips,
        hostVeth,
        containerMac: dp.containerMac
      });
      wepName = wep.metadata.name;
      await writeWorkloadEndpoint(be.ds, wep);
      this.fault("wep");
      const result = {
        interfaces: [{ name: hostVeth }, { name: this.env.ifname, mac: dp.containerMac, mtu: node.mtu, sandbox: this.env.netns }],
        ips: ips.map((address) => ({ address, interface: 1 })),
        routes: ipamResult.routes ?? [],
        dns: ipamResult.dns ?? {}
      };
      this.fault("result");
      log.info("ADD done", { ips, wep: wepName });
      return formatResult(result, this.conf.cniVersion);
    } catch (e) {
      log.warn("ADD failed, undoing", { error: e.message });
      await this.undoAdd(be, ipamCtx, touchedDataplane, hostVeth, wepName, id.namespace);
      throw e;
    }
  }
  async undoAdd(be, ipamCtx, dataplane, hostVeth, wepName, ns) {
    const steps = [];
    if (dataplane) {
      steps.push(["remove container interface", () => this.deps.dataplane.teardown(this.env.netns, this.env.ifname)]);
      steps.push(["remove host veth", () => this.deps.dataplane.removeHostVeth(hostVeth)]);
    }
    if (wepName) steps.push(["delete endpoint", () => deleteWorkloadEndpoint(be.ds, wepName, ns, this.env.containerId)]);
    steps.push(["release addresses", () => this.ownIpam() ? ipamDel(ipamCtx) : this.delegate("DEL")]);
    for (const [what, fn] of steps) {
      try {
        await fn();
      } catch (e) {
        this.deps.log.error(`cleanup after failed ADD: ${what} failed`, { error: e.message });
      }
    }
  }
  // ---- DEL -------------------------------------------------------------------------------------------
  async del() {
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    await deleteWorkloadEndpoint(be.ds, workloadEndpointName(id), id.namespace, this.env.containerId);
    await this.deps.dataplane.teardown(this.env.netns || void 0, this.env.ifname);
    if (this.ownIpam()) await ipamDel(this.ipamContext(be, node.nodename, id));
    else await this.delegate("DEL");
    this.deps.log.info("DEL done");
  }
  // ---- CHECK -----------------------------------------------------------------------------------------
  async check() {
    if (!this.conf.prevResult) throw new CniError(CNI_ERR.invalidNetworkConfig, 'CHECK needs "prevResult" in the network configuration');
    const prev = parseResult(this.conf.prevResult);
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const hostVeth = hostVethName(id, this.deps.processEnv.FELIX_INTERFACEPREFIX);
    const ips = prev.ips.map((i) => hostCidr(i.address));
    const diffs = await this.deps.dataplane.check({ netns: this.env.netns, ifname: this.env.ifname, hostVeth, mtu: node.mtu, ips });
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    const wep = await be.ds.get(WEP_KIND, workloadEndpointName(id), id.namespace);
    if (!wep) diffs.push(`WorkloadEndpoint ${id.namespace}/${workloadEndpointName(id)} is missing`);
    else {
      if (wep.spec?.containerID !== this.env.containerId) diffs.push(`WorkloadEndpoint belongs to container ${wep.spec?.containerID}, not ${this.env.containerId}`);
      const have = [...wep.spec?.ipNetworks ?? []].sort().join(",");
      if (have !== [...ips].sort().join(",")) diffs.push(`WorkloadEndpoint ipNetworks are [${have}], expected [${ips.join(",")}]`);
      if (wep.spec?.interfaceName !== hostVeth) diffs.push(`WorkloadEndpoint interfaceName is ${wep.spec?.interfaceName}, expected ${hostVeth}`);
    }
    if (this.ownIpam()) diffs.push(...await ipamCheck(this.ipamContext(be, node.nodename, id), ips));
    else await this.delegate("CHECK");
    if (diffs.length) throw new CniError(CNI_ERR.checkFailed, `CHECK failed: ${diffs.join("; ")}`);
  }
  // ---- STATUS / GC (spec 1.1.0) ------------------------------------------------------------------------
  async status() {
    let be;
    try {
      be = await this.openBackend();
      await be.ds.revision();
      await this.ensureReady(be.ds);
    } catch (e) {
      throw new CniError(CNI_ERR.pluginNotAvailable, `datastore not available: ${e.message}`);
    }
  }
  /** Releases addresses of this network's attachments on this node that the runtime no longer knows. */
  async gc() {
    const valid = this.conf["cni.dev/valid-attachments"];
    if (!Array.isArray(valid)) throw new CniError(CNI_ERR.invalidNetworkConfig, 'GC needs "cni.dev/valid-attachments" in the network configuration');
    if (!this.ownIpam()) return;
    const node = resolveNodeState(this.conf);
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    const keep = new Set(valid.map((a) => ipamHandle(this.conf.name, a.containerID)));
    const prefix = `${this.conf.name}.`;
    const handles = (await be.ds.list("IPAMHandle")).items.filter((h) => handleIdOf(h).startsWith(prefix));
    let released = 0;
    for (const h of handles) {
      const handleId = handleIdOf(h);
      if (keep.has(handleId)) continue;
      if (!await handleOnNode(be.ds, h, node.nodename)) continue;
      released += await be.ipam.releaseByHandle(handleId);
      this.deps.log.info("GC released handle", { handleId });
    }
    this.deps.log.info("GC done", { released });
  }
};
function handleIdOf(h) {
  return h.spec?.handleID ?? h.metadata.name;
}
async function handleOnNode(ds, h, node) {
  const { blockName } = await import("./cni-chunks/model-4OHV7YBV.mjs");
  const handleId = handleIdOf(h);
  for (const cidr of Object.keys(h.spec.block ?? {})) {
    const b = await ds.get("IPAMBlock", blockName(cidr));
    const attrs = b?.spec?.attributes ?? [];
    if (attrs.some((a) => a.handle_id === handleId && a.secondary?.node === node)) return true;
  }
  return false;
}
async function writeWorkloadEndpoint(ds, wep) {
  for (let attempt = 0; ; attempt++) {
    const cur = await ds.get(WEP_KIND, wep.metadata.name, wep.metadata.namespace);
    try {
      if (!cur) return await ds.create(wep);
      return await ds.update({ ...wep, metadata: { ...cur.metadata, labels: wep.metadata.labels } });
    } catch (e) {
      if (attempt < 10 && (isDatastoreError(e, "AlreadyExists") || isDatastoreError(e, "Conflict") || isDatastoreError(e, "NotFound"))) continue;
      throw e;
    }
  }
}
async function deleteWorkloadEndpoint(ds, name, namespace, containerId) {
  for (let attempt = 0; attempt < 6; attempt++) {
    const cur = await ds.get(WEP_KIND, name, namespace);
    if (!cur) return;
    if (cur.spec?.containerID && cur.spec.containerID !== containerId) return;
    try {
      await ds.delete(WEP_KIND, name, namespace, cur.metadata.resourceVersion);
      return;
    } catch (e) {
      if (isDatastoreError(e, "NotFound")) return;
      if (!isDatastoreError(e, "Conflict")) throw e;
    }
  }
  throw new CniError(CNI_ERR.tryAgainLater, `WorkloadEndpoint ${namespace}/${name} kept changing while deleting it`);
}
function execDelegate(processEnv) {
  return async (type, env, command, stdin) => {
    if (!/^[A-Za-z0-9_.\-]+$/.test(type)) throw new CniError(CNI_ERR.invalidNetworkConfig, `invalid plugin type "${type}"`);
    const dir = env.path.find((d) => existsSync(join(d, type)));
    if (!dir) throw new CniError(CNI_ERR.invalidEnv, `failed to find plugin "${type}" in path [${env.path.join(" ")}]`);
    return new Promise((resolve, reject) => {
      const child = spawn(join(dir, type), [], { env: { ...processEnv, CNI_COMMAND: command }, stdio: ["pipe", "pipe", "pipe"] });
      let out = "", err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("error", (e) => reject(new CniError(CNI_ERR.internal, `failed to run ${type}: ${e.message}`)));
      child.on("close", (code) => {
        let parsed = {};
        try {
          parsed = out.trim() ? JSON.parse(out) : {};
        } catch {
        }
        if (code === 0) return resolve(parsed);
        if (typeof parsed.code === "number") return reject(new CniError(parsed.code, `${type}: ${parsed.msg}`, parsed.details));
        reject(new CniError(CNI_ERR.internal, `${type} exited with ${code}: ${err.trim() || out.trim()}`));
      });
      child.stdin.end(stdin);
    });
  };
}

// src/cni/main.ts
async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("-v") || argv.includes("--version")) return finish(`tabby-cni ${TABBY_VERSION}`, 0);
  if (argv.includes("-t")) {
    const r = await testConnection(readStdin(), openRealBackend);
    return finish(r.stdout, r.exitCode);
  }
  const stdin = process.env.CNI_COMMAND === "VERSION" ? "" : readStdin();
  const log = createCniLogger({ component: "tabby-cni", ...peekLogConfig(stdin) });
  const out = await runPlugin(process.env, stdin, {
    openBackend: openRealBackend,
    dataplane: new LinuxDataplane(),
    log,
    execDelegate: execDelegate(process.env),
    fault: faultHookFromEnv(process.env)
  });
  finish(out.stdout, out.exitCode);
}
main().catch((e) => {
  finish(JSON.stringify({ code: 999, msg: `tabby-cni panicked: ${e?.stack ?? e}` }), 1);
});
