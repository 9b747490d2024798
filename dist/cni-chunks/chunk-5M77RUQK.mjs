import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);

// src/cni/backend.ts
var openRealBackend = async (sel) => {
  const [{ openDatastore }, { createIpam }] = await Promise.all([import("./datastore-YZDPNZBF.mjs"), import("./ipam-BDO4OYWJ.mjs")]);
  const ds = await openDatastore(sel);
  return { ds, ipam: createIpam(ds), close: () => ds.close() };
};

// src/cni/log.ts
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
var LEVELS = { debug: 10, info: 20, warning: 30, warn: 30, error: 40, fatal: 50, panic: 50 };
function createCniLogger(opts) {
  const min = LEVELS[opts.level?.toLowerCase() ?? "info"] ?? LEVELS.info;
  const base = { component: opts.component, pid: process.pid };
  let fileOk = !!opts.file;
  if (opts.file) {
    try {
      mkdirSync(dirname(opts.file), { recursive: true });
    } catch {
      fileOk = false;
    }
  }
  const write = (level, msg, fields) => {
    const n = LEVELS[level];
    if (n < min) return;
    const line = JSON.stringify({ time: (/* @__PURE__ */ new Date()).toISOString(), level, msg, ...base, ...fields }) + "\n";
    if (fileOk) {
      try {
        appendFileSync(opts.file, line);
      } catch {
        fileOk = false;
      }
    }
    if (n >= LEVELS.warning) process.stderr.write(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warning", m, f),
    error: (m, f) => write("error", m, f),
    bind: (f) => {
      Object.assign(base, f);
    }
  };
}

// src/cni/errors.ts
var CNI_ERR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnv: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
  /** STATUS: the plugin cannot service ADD requests. */
  pluginNotAvailable: 50,
  datastoreConnection: 100,
  /** CHECK found the attachment different from what ADD made. */
  checkFailed: 101,
  internal: 999
};
var CniError = class extends Error {
  constructor(code, msg, details) {
    super(msg);
    this.code = code;
    this.details = details;
    this.name = "CniError";
  }
  code;
  details;
  toJSON(cniVersion) {
    const out = {};
    if (cniVersion) out.cniVersion = cniVersion;
    out.code = this.code;
    out.msg = this.message;
    if (this.details) out.details = this.details;
    return out;
  }
};
function asCniError(e) {
  if (e instanceof CniError) return e;
  const code = e?.code;
  if (code === "Unavailable") return new CniError(CNI_ERR.tryAgainLater, "datastore unavailable, try again later", String(e.message));
  return new CniError(CNI_ERR.internal, e instanceof Error ? e.message : String(e));
}

// src/cni/names.ts
import { createHash } from "node:crypto";
function hostVethName(id, prefixEnv) {
  const prefix = (prefixEnv ?? "").split(",")[0].trim() || "cali";
  if (id.orchestrator === "k8s") {
    return prefix + createHash("sha1").update(`${id.namespace}.${id.workload}`).digest("hex").slice(0, 11);
  }
  return prefix + id.containerId.slice(0, 11);
}
function escapeSegment(s) {
  return s.replace(/-/g, "--");
}
function workloadEndpointName(id) {
  return workloadEndpointPrefix(id) + escapeSegment(id.endpoint);
}
function workloadEndpointPrefix(id) {
  const wl = id.orchestrator === "k8s" ? id.workload : id.containerId;
  return [id.node, id.orchestrator, wl].map(escapeSegment).join("-") + "-";
}
function ipamHandle(networkName, containerId) {
  return `${networkName}.${containerId}`;
}
function legacyWorkloadHandle(id) {
  return id.orchestrator === "k8s" ? `${id.namespace}.${id.workload}` : id.containerId;
}

// src/cni/netconf.ts
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";

// src/cni/version.ts
var SUPPORTED_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];
function compareVersions(a, b) {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
function formatResult(r, cniVersion) {
  if (compareVersions(cniVersion, "0.3.0") < 0) {
    const v4 = r.ips.find((i) => !i.address.includes(":"));
    const v6 = r.ips.find((i) => i.address.includes(":"));
    const out2 = { cniVersion };
    const routesFor = (six) => (r.routes ?? []).filter((x) => x.dst.includes(":") === six);
    if (v4) out2.ip4 = { ip: v4.address, ...v4.gateway ? { gateway: v4.gateway } : {}, routes: routesFor(false) };
    if (v6) out2.ip6 = { ip: v6.address, ...v6.gateway ? { gateway: v6.gateway } : {}, routes: routesFor(true) };
    out2.dns = r.dns ?? {};
    return out2;
  }
  const pre1 = compareVersions(cniVersion, "1.0.0") < 0;
  const withMtu = compareVersions(cniVersion, "1.1.0") >= 0;
  const out = { cniVersion };
  if (r.interfaces) {
    out.interfaces = r.interfaces.map((i) => {
      const o = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (withMtu && i.mtu) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      return o;
    });
  }
  out.ips = r.ips.map((ip) => {
    const o = {};
    if (pre1) o.version = ip.address.includes(":") ? "6" : "4";
    o.address = ip.address;
    if (ip.gateway) o.gateway = ip.gateway;
    if (ip.interface !== void 0) o.interface = ip.interface;
    return o;
  });
  if (r.routes && r.routes.length) out.routes = r.routes.map((x) => x.gw ? { dst: x.dst, gw: x.gw } : { dst: x.dst });
  out.dns = r.dns ?? {};
  return out;
}
function parseResult(o) {
  if (Array.isArray(o.ips)) {
    return {
      interfaces: Array.isArray(o.interfaces) ? o.interfaces : void 0,
      ips: o.ips.map((i) => ({ address: i.address, gateway: i.gateway, interface: i.interface })),
      routes: Array.isArray(o.routes) ? o.routes : [],
      dns: o.dns ?? {}
    };
  }
  const ips = [];
  const routes = [];
  for (const k of ["ip4", "ip6"]) {
    const v = o[k];
    if (v?.ip) {
      ips.push({ address: v.ip, gateway: v.gateway });
      routes.push(...v.routes ?? []);
    }
  }
  return { ips, routes, dns: o.dns ?? {} };
}
function versionInfo(cniVersion = "1.1.0") {
  return { cniVersion, supportedVersions: SUPPORTED_VERSIONS };
}

// src/cni/netconf.ts
var COMMANDS = ["ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC"];
function bad(msg) {
  throw new CniError(CNI_ERR.invalidNetworkConfig, msg);
}
function optString(o, key) {
  if (o[key] !== void 0 && typeof o[key] !== "string") bad(`netconf "${key}" must be a string`);
}
function parseNetConf(text, opts = {}) {
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniError(CNI_ERR.decodeFailure, `failed to parse network configuration: ${e.message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) bad("network configuration must be a JSON object");
  const o = raw;
  const cniVersion = typeof o.cniVersion === "string" && o.cniVersion ? o.cniVersion : "0.2.0";
  if (!SUPPORTED_VERSIONS.includes(cniVersion)) {
    throw new CniError(
      CNI_ERR.incompatibleVersion,
      `unsupported CNI version ${cniVersion}`,
      `supported versions: ${SUPPORTED_VERSIONS.join(", ")}`
    );
  }
  if (typeof o.name !== "string" || !o.name) bad('netconf "name" is required');
  if (typeof o.type !== "string" || !o.type) bad('netconf "type" is required');
  for (const k of ["nodename", "nodename_file", "datastore_type", "etcd_endpoints", "log_level", "log_file_path", "state_dir", "datastore_path", "etcd_key_prefix"]) optString(o, k);
  if (o.mtu !== void 0 && (typeof o.mtu !== "number" || !Number.isInteger(o.mtu) || o.mtu < 0 || o.mtu > 0 && o.mtu < 68 || o.mtu > 65535)) {
    bad(`netconf "mtu" must be 0 (auto) or an integer between 68 and 65535, got ${JSON.stringify(o.mtu)}`);
  }
  if (o.datastore_type !== void 0 && !["etcdv3", "kubernetes", "embedded", ""].includes(o.datastore_type)) {
    bad(`netconf "datastore_type" must be "etcdv3", "kubernetes" or "embedded", got "${o.datastore_type}"`);
  }
  if (o.datastore_type === "etcdv3" && !o.etcd_endpoints && !process.env.ETCD_ENDPOINTS) bad('datastore_type "etcdv3" needs "etcd_endpoints"');
  const ipam = o.ipam;
  if (opts.needIpam) {
    if (!ipam || typeof ipam !== "object" || typeof ipam.type !== "string" || !ipam.type) bad('netconf "ipam.type" is required');
  }
  if (ipam) {
    for (const k of ["ipv4_pools", "ipv6_pools"]) {
      const v = ipam[k];
      if (v !== void 0 && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) bad(`netconf "ipam.${k}" must be a list of pool CIDRs or names`);
    }
    for (const k of ["assign_ipv4", "assign_ipv6"]) {
      const v = ipam[k];
      if (v !== void 0 && v !== "true" && v !== "false") bad(`netconf "ipam.${k}" must be "true" or "false"`);
    }
    if (ipam.assign_ipv6 === "true") bad("IPv6 assignment (ipam.assign_ipv6) is not supported by Tabby yet");
  }
  const args = o.args;
  const tabby = args?.tabby;
  if (tabby?.labels !== void 0) {
    const l = tabby.labels;
    if (!l || typeof l !== "object" || Array.isArray(l) || Object.values(l).some((v) => typeof v !== "string")) {
      bad('netconf "args.tabby.labels" must be an object of string values');
    }
  }
  return { ...o, cniVersion, ipam: ipam ?? { type: "" } };
}
var CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/;
function parseCniArgs(s) {
  const out = {};
  if (!s) return out;
  for (const part of s.split(";")) {
    if (!part) continue;
    const i = part.indexOf("=");
    if (i <= 0) throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_ARGS pair "${part}"`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
function parseEnv(env) {
  const command = env.CNI_COMMAND;
  if (!command) throw new CniError(CNI_ERR.invalidEnv, "required env variable CNI_COMMAND is missing");
  if (!COMMANDS.includes(command)) throw new CniError(CNI_ERR.invalidEnv, `unknown CNI_COMMAND: ${command}`);
  const need = (name, cmds) => {
    const v = env[name] ?? "";
    if (!v && cmds.includes(command)) throw new CniError(CNI_ERR.invalidEnv, `required env variable ${name} is missing`);
    return v;
  };
  const containerId = need("CNI_CONTAINERID", ["ADD", "DEL", "CHECK"]);
  const netns = need("CNI_NETNS", ["ADD", "CHECK"]);
  const ifname = need("CNI_IFNAME", ["ADD", "DEL", "CHECK"]);
  need("CNI_PATH", ["ADD", "CHECK"]);
  if (containerId && !CONTAINER_ID_RE.test(containerId)) {
    throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_CONTAINERID "${containerId}": only letters, digits, '_', '.', '-' allowed`);
  }
  if (ifname && (ifname.length > 15 || /[\s/:]/.test(ifname) || ifname === "." || ifname === "..")) {
    throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_IFNAME "${ifname}"`);
  }
  return {
    command,
    containerId,
    netns,
    ifname,
    path: (env.CNI_PATH ?? "").split(":").filter(Boolean),
    args: parseCniArgs(env.CNI_ARGS)
  };
}
var DEFAULT_STATE_DIR = "/var/lib/tabby";
var CALICO_STATE_DIR = "/var/lib/calico";
var DEFAULT_MTU = 1500;
function readTrim(path) {
  try {
    return readFileSync(path, "utf8").trim() || void 0;
  } catch {
    return void 0;
  }
}
function resolveNodeState(conf) {
  const stateDir = conf.state_dir ?? (existsSync(DEFAULT_STATE_DIR) || !existsSync(CALICO_STATE_DIR) ? DEFAULT_STATE_DIR : CALICO_STATE_DIR);
  const dirs = conf.state_dir ? [conf.state_dir] : [stateDir, CALICO_STATE_DIR].filter((d, i, a) => a.indexOf(d) === i);
  const nodenameFile = conf.nodename_file ?? `${stateDir}/nodename`;
  let nodename = conf.nodename && !conf.nodename.startsWith("__") ? conf.nodename : void 0;
  if (!nodename) {
    nodename = readTrim(nodenameFile) ?? (conf.nodename_file ? void 0 : dirs.map((d) => readTrim(`${d}/nodename`)).find(Boolean));
    if (!nodename && !conf.nodename_file_optional) {
      throw new CniError(
        CNI_ERR.invalidNetworkConfig,
        `stat ${nodenameFile}: no such file or directory: check that the tabby node agent is running and has written ${stateDir}/ (or set "nodename" in the netconf)`
      );
    }
    nodename ??= conf.hostname || hostname();
  }
  let mtu = conf.mtu && conf.mtu > 0 ? conf.mtu : void 0;
  if (!mtu) {
    const text = dirs.map((d) => readTrim(`${d}/mtu`)).find(Boolean);
    if (text !== void 0) {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 68 || n > 65535) throw new CniError(CNI_ERR.invalidNetworkConfig, `invalid MTU "${text}" in ${stateDir}/mtu`);
      mtu = n;
    } else if (conf.require_mtu_file) {
      throw new CniError(CNI_ERR.invalidNetworkConfig, `MTU file ${stateDir}/mtu is missing and "require_mtu_file" is set`);
    }
  }
  return { nodename, mtu: mtu ?? DEFAULT_MTU, stateDir };
}
function datastoreSelection(conf, env = process.env) {
  const type = conf.datastore_type === "etcdv3" || !conf.datastore_type && env.DATASTORE_TYPE === "etcdv3" ? "etcdv3" : "embedded";
  if (type === "etcdv3") {
    const eps = (conf.etcd_endpoints ?? env.ETCD_ENDPOINTS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    return {
      type,
      etcdEndpoints: eps,
      etcdKeyPrefix: conf.etcd_key_prefix,
      etcdCACertFile: conf.etcd_ca_cert_file,
      etcdCertFile: conf.etcd_cert_file,
      etcdKeyFile: conf.etcd_key_file
    };
  }
  return { type, path: conf.datastore_path ?? env.TABBY_DATASTORE_PATH };
}

// src/cni/ipam-plugin.ts
var OWN_IPAM_TYPES = /* @__PURE__ */ new Set(["tabby-ipam", "calico-ipam"]);
function narrow(cidr) {
  return cidr.split("/")[0] + (cidr.includes(":") ? "/128" : "/32");
}
async function ipamAdd(ctx) {
  const { conf, env, ipam } = ctx;
  const handleId = ipamHandle(conf.name, env.containerId);
  const attrs = { node: ctx.node, timestamp: (/* @__PURE__ */ new Date()).toISOString() };
  if (ctx.id.orchestrator === "k8s") {
    attrs.namespace = ctx.id.namespace;
    attrs.pod = ctx.id.workload;
  }
  let ips = await ipam.ipsByHandle(handleId);
  if (ips.length === 0) {
    const requested = env.args.IP;
    if (requested) {
      const list = requested.split(",").map((s) => s.trim()).filter(Boolean);
      try {
        for (const ip of list) await ipam.assignIP(ip, handleId, ctx.node, attrs);
      } catch (e) {
        await ipam.releaseByHandle(handleId);
        throw new CniError(CNI_ERR.internal, `failed to assign requested IP ${requested}: ${e.message}`);
      }
      ips = list.map((ip) => `${ip}/32`);
    } else if (conf.ipam.assign_ipv4 !== "false") {
      try {
        const r = await ipam.autoAssign({
          handleId,
          node: ctx.node,
          num4: 1,
          intendedUse: "Workload",
          attrs,
          pools: conf.ipam.ipv4_pools?.length ? conf.ipam.ipv4_pools : void 0
        });
        ips = r.ips;
      } catch (e) {
        await ipam.releaseByHandle(handleId).catch(() => 0);
        throw e;
      }
    }
  }
  if (ips.length === 0) throw new CniError(CNI_ERR.internal, 'IPAM assigned no addresses (is ipam.assign_ipv4 "false"?)');
  const narrowed = ips.map(narrow);
  return { ips: narrowed.map((address) => ({ address })), routes: narrowed.map((dst) => ({ dst })), dns: {} };
}
async function ipamDel(ctx) {
  let n = await ctx.ipam.releaseByHandle(ipamHandle(ctx.conf.name, ctx.env.containerId));
  n += await ctx.ipam.releaseByHandle(legacyWorkloadHandle(ctx.id));
  return n;
}
async function ipamCheck(ctx, expected) {
  const have = new Set((await ctx.ipam.ipsByHandle(ipamHandle(ctx.conf.name, ctx.env.containerId))).map(narrow));
  const diffs = [];
  for (const ip of expected.map(narrow)) if (!have.has(ip)) diffs.push(`IPAM handle ${ipamHandle(ctx.conf.name, ctx.env.containerId)} does not hold ${ip}`);
  return diffs;
}
async function runIpamPlugin(processEnv, stdin, deps) {
  let cniVersion;
  try {
    const env = parseEnv(processEnv);
    if (env.command === "VERSION") return { stdout: JSON.stringify(versionInfo()), exitCode: 0 };
    const conf = parseNetConf(stdin);
    cniVersion = conf.cniVersion;
    const node = resolveNodeState(conf);
    const ns = env.args.K8S_POD_NAMESPACE, pod = env.args.K8S_POD_NAME;
    const id = ns && pod ? { orchestrator: "k8s", namespace: ns, workload: pod, containerId: env.containerId } : { orchestrator: "cni", namespace: "default", workload: env.containerId, containerId: env.containerId };
    const be = await deps.openBackend(datastoreSelection(conf, processEnv)).catch((e) => {
      throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${e.message}`);
    });
    try {
      const ctx = { conf, env, node: node.nodename, id, ipam: be.ipam };
      switch (env.command) {
        case "ADD":
          return { stdout: JSON.stringify(formatResult(await ipamAdd(ctx), conf.cniVersion)), exitCode: 0 };
        case "DEL":
          await ipamDel(ctx);
          return { stdout: "", exitCode: 0 };
        case "CHECK": {
          if (!conf.prevResult) throw new CniError(CNI_ERR.invalidNetworkConfig, 'CHECK needs "prevResult" in the network configuration');
          const diffs = await ipamCheck(ctx, parseResult(conf.prevResult).ips.map((i) => i.address));
          if (diffs.length) throw new CniError(CNI_ERR.checkFailed, `CHECK failed: ${diffs.join("; ")}`);
          return { stdout: "", exitCode: 0 };
        }
        case "STATUS":
          try {
            await be.ds.revision();
          } catch (e) {
            throw new CniError(CNI_ERR.pluginNotAvailable, `datastore not available: ${e.message}`);
          }
          return { stdout: "", exitCode: 0 };
        case "GC":
          return { stdout: "", exitCode: 0 };
        // the main plugin's GC releases handles
        default:
          throw new CniError(CNI_ERR.invalidEnv, `unsupported CNI_COMMAND ${env.command}`);
      }
    } finally {
      await be.close().catch(() => {
      });
    }
  } catch (e) {
    const err = asCniError(e);
    deps.log.error(err.message, { code: err.code });
    return { stdout: JSON.stringify(err.toJSON(cniVersion)), exitCode: 1 };
  }
}

// src/cni/stdio.ts
import { readFileSync as readFileSync2 } from "node:fs";
function readStdin() {
  try {
    return readFileSync2(0, "utf8");
  } catch (e) {
    if (e.code === "EAGAIN" || e.code === "EOF") return "";
    throw e;
  }
}
function finish(stdout, exitCode) {
  const done = () => process.exit(exitCode);
  if (stdout) process.stdout.write(stdout.endsWith("\n") ? stdout : stdout + "\n", done);
  else done();
}
function peekLogConfig(stdin) {
  try {
    const o = JSON.parse(stdin);
    return {
      level: typeof o.log_level === "string" ? o.log_level : void 0,
      file: typeof o.log_file_path === "string" && o.log_file_path ? o.log_file_path : void 0
    };
  } catch {
    return {};
  }
}

// src/cni/util.ts
var TABBY_VERSION = "0.1.0";
async function testConnection(stdin, openBackend) {
  try {
    const conf = parseNetConf(stdin);
    const be = await openBackend(datastoreSelection(conf));
    try {
      await be.ds.revision();
      const ci = await be.ds.get("ClusterInformation", "default");
      if (ci?.spec?.datastoreReady === false) throw new Error("datastore is not ready");
    } finally {
      await be.close();
    }
    return { stdout: "", exitCode: 0 };
  } catch (e) {
    const err = new CniError(CNI_ERR.datastoreConnection, "data store connection failed", e.message);
    return { stdout: JSON.stringify(err.toJSON()), exitCode: 1 };
  }
}

export {
  openRealBackend,
  CNI_ERR,
  CniError,
  asCniError,
  hostVethName,
  workloadEndpointName,
  ipamHandle,
  createCniLogger,
  formatResult,
  parseResult,
  versionInfo,
  parseNetConf,
  parseEnv,
  resolveNodeState,
  datastoreSelection,
  OWN_IPAM_TYPES,
  ipamAdd,
  ipamDel,
  ipamCheck,
  runIpamPlugin,
  readStdin,
  finish,
  peekLogConfig,
  TABBY_VERSION,
  testConnection
};
