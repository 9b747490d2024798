// Parsing what a runtime hands a CNI plugin: the CNI_* environment and the network config on stdin.
// Calico's keys are understood (types.go); Tabby adds a few extensions (state_dir, datastore_path,
// etcd_key_prefix, args.tabby.*). Unknown keys are ignored, as runtimes expect. Pure except for
// resolveNodeState, which reads the node agent's files.
import { existsSync, readFileSync } from 'node:fs';
import type { PodPort } from '../api/resource.ts';
import { hostname } from 'node:os';
import { DEFAULT_AGENT_STATE_DIR } from './agent-client.ts';
import { CNI_ERR, CniError } from './errors.ts';
import { compareVersions, SUPPORTED_VERSIONS } from './version.ts';
import type { DatastoreConfig } from '../datastore/index.ts';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'STATUS' | 'GC';
const COMMANDS: CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'];

export interface CniEnv {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifname: string;
  path: string[];
  /** CNI_ARGS as key → value (IgnoreUnknown handled). */
  args: Record<string, string>;
}

export interface IpamConf {
  type: string;
  assign_ipv4?: string;
  assign_ipv6?: string;
  ipv4_pools?: string[];
  ipv6_pools?: string[];
  [k: string]: unknown;
}

/** A pod's named container port (defined with the API types: the lab declares them too). */
export type { PodPort } from '../api/resource.ts';

/**
 * Tabby's pod metadata extension, for runtimes without a Kubernetes API to ask (the lab):
 * `"args": {"tabby": {"labels": {...}, "serviceAccount": "sa", "ports": [{"name", "port", "protocol"}]}}`.
 */
export interface TabbyArgs {
  labels?: Record<string, string>;
  serviceAccount?: string;
  ports?: PodPort[];
}

/** Kubernetes' port name rules (IANA_SVC_NAME), as Calico validates endpoint port names. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function checkTabbyPorts(ports: unknown): void {
  if (!Array.isArray(ports)) bad('netconf "args.tabby.ports" must be a list of {name, port, protocol}');
  const at = (i: number, f: string) => `netconf "args.tabby.ports[${i}].${f}"`;
  const seen = new Set<string>();
  for (const [i, p] of (ports as Record<string, unknown>[]).entries()) {
    const name = p?.name;
    if (typeof name !== 'string' || name.length > 15 || !PORT_NAME.test(name) || name.includes('--')) {
      bad(`${at(i, 'name')} ${JSON.stringify(name)} is not a port name (up to 15 lower-case letters, digits and single '-', with a letter)`);
    }
    if (typeof p.port !== 'number' || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) bad(`${at(i, 'port')} ${JSON.stringify(p.port)} is not 1-65535`);
    if (p.protocol !== 'TCP' && p.protocol !== 'UDP' && p.protocol !== 'SCTP') bad(`${at(i, 'protocol')} ${JSON.stringify(p.protocol)} is not TCP, UDP or SCTP`);
    if (seen.has(name)) bad(`${at(i, 'name')} "${name}" is used twice`);
    seen.add(name);
  }
}

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  mtu?: number;
  require_mtu_file?: boolean;
  num_queues?: number;
  nodename?: string;
  nodename_file?: string;
  nodename_file_optional?: boolean;
  hostname?: string;
  datastore_type?: string;
  etcd_endpoints?: string;
  etcd_key_file?: string;
  etcd_cert_file?: string;
  etcd_ca_cert_file?: string;
  log_level?: string;
  log_file_path?: string;
  policy?: { type?: string };
  ipam: IpamConf;
  container_settings?: { allow_ip_forwarding?: boolean };
  /** Calico's optional features; `ip_addrs_no_ipam` allows the ipAddrsNoIpam annotation. */
  feature_control?: { ip_addrs_no_ipam?: boolean; [k: string]: unknown };
  /** Tabby: node-agent state directory (default /var/lib/tabby, falling back to /var/lib/calico). */
  state_dir?: string;
  /** Tabby: embedded datastore file. */
  datastore_path?: string;
  /** Tabby: key prefix inside etcd (tests sharing one etcd). */
  etcd_key_prefix?: string;
  args?: { tabby?: TabbyArgs; [k: string]: unknown };
  runtimeConfig?: Record<string, unknown>;
  prevResult?: Record<string, unknown>;
  /** GC (1.1.0): attachments the runtime still knows. */
  'cni.dev/valid-attachments'?: Array<{ containerID: string; ifname: string }>;
  [k: string]: unknown;
}

function bad(msg: string): never { throw new CniError(CNI_ERR.invalidNetworkConfig, msg); }

function optString(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') bad(`netconf "${key}" must be a string`);
}

/** Parses and validates the netconf on stdin. `needIpam` for plugins that allocate addresses. */
export function parseNetConf(text: string, opts: { needIpam?: boolean } = {}): NetConf {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) {
    throw new CniError(CNI_ERR.decodeFailure, `failed to parse network configuration: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad('network configuration must be a JSON object');
  const o = raw as Record<string, unknown>;
  // An empty cniVersion means 0.2.0, which we do not produce results for (Calico treats it the same way).
  const cniVersion = typeof o.cniVersion === 'string' && o.cniVersion ? o.cniVersion : '0.2.0';
  if (!SUPPORTED_VERSIONS.includes(cniVersion)) {
    throw new CniError(CNI_ERR.incompatibleVersion, `unsupported CNI version ${cniVersion}`,
      `supported versions: ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  if (typeof o.name !== 'string' || !o.name) bad('netconf "name" is required');
  if (typeof o.type !== 'string' || !o.type) bad('netconf "type" is required');
  for (const k of ['nodename', 'nodename_file', 'datastore_type', 'etcd_endpoints', 'log_level', 'log_file_path', 'state_dir', 'datastore_path', 'etcd_key_prefix', 'etcd_ca_cert_file', 'etcd_cert_file', 'etcd_key_file']) optString(o, k);
  if (o.mtu !== undefined && (typeof o.mtu !== 'number' || !Number.isInteger(o.mtu) || o.mtu < 0 || (o.mtu > 0 && o.mtu < 68) || o.mtu > 65535)) {
    bad(`netconf "mtu" must be 0 (auto) or an integer between 68 and 65535, got ${JSON.stringify(o.mtu)}`);
  }
  if (o.datastore_type !== undefined && !['etcdv3', 'kubernetes', 'embedded', ''].includes(o.datastore_type as string)) {
    bad(`netconf "datastore_type" must be "etcdv3", "kubernetes" or "embedded", got "${o.datastore_type}"`);
  }
  if (o.datastore_type === 'etcdv3' && !o.etcd_endpoints && !process.env.ETCD_ENDPOINTS) bad('datastore_type "etcdv3" needs "etcd_endpoints"');
  const ipam = o.ipam as Record<string, unknown> | undefined;
  if (opts.needIpam) {
    if (!ipam || typeof ipam !== 'object' || typeof ipam.type !== 'string' || !ipam.type) bad('netconf "ipam.type" is required');
  }
  if (ipam) {
    for (const k of ['ipv4_pools', 'ipv6_pools']) {
      const v = ipam[k];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) bad(`netconf "ipam.${k}" must be a list of pool CIDRs or names`);
    }
    for (const k of ['assign_ipv4', 'assign_ipv6']) {
      const v = ipam[k];
      if (v !== undefined && v !== 'true' && v !== 'false') bad(`netconf "ipam.${k}" must be "true" or "false"`);
    }
    if (ipam.assign_ipv6 === 'true') bad('IPv6 assignment (ipam.assign_ipv6) is not supported by Tabby yet');
  }
  const fc = o.feature_control as Record<string, unknown> | undefined;
  if (fc !== undefined && (!fc || typeof fc !== 'object' || Array.isArray(fc))) bad('netconf "feature_control" must be an object');
  if (fc?.ip_addrs_no_ipam !== undefined && typeof fc.ip_addrs_no_ipam !== 'boolean') bad('netconf "feature_control.ip_addrs_no_ipam" must be true or false');
  const args = o.args as Record<string, unknown> | undefined;
  const tabby = args?.tabby as Record<string, unknown> | undefined;
  if (tabby?.labels !== undefined) {
    const l = tabby.labels;
    if (!l || typeof l !== 'object' || Array.isArray(l) || Object.values(l).some((v) => typeof v !== 'string')) {
      bad('netconf "args.tabby.labels" must be an object of string values');
    }
  }
  if (tabby?.serviceAccount !== undefined && typeof tabby.serviceAccount !== 'string') bad('netconf "args.tabby.serviceAccount" must be a string');
  if (tabby?.ports !== undefined) checkTabbyPorts(tabby.ports);
  return { ...(o as object), cniVersion, ipam: (ipam ?? { type: '' }) as IpamConf } as NetConf;
}

const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/;

/** Parses CNI_ARGS "K=V;K2=V2". */
export function parseCniArgs(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const part of s.split(';')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i <= 0) throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_ARGS pair "${part}"`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** Reads and validates the CNI_* variables the command needs. */
/** `ipam`: an IPAM plugin never touches the netns, so it does not insist on CNI_NETNS. */
export function parseEnv(env: NodeJS.ProcessEnv, opts: { ipam?: boolean } = {}): CniEnv {
  const command = env.CNI_COMMAND as CniCommand;
  if (!command) throw new CniError(CNI_ERR.invalidEnv, 'required env variable CNI_COMMAND is missing');
  if (!COMMANDS.includes(command)) throw new CniError(CNI_ERR.invalidEnv, `unknown CNI_COMMAND: ${command}`);
  const need = (name: string, cmds: CniCommand[]): string => {
    const v = env[name] ?? '';
    if (!v && cmds.includes(command)) throw new CniError(CNI_ERR.invalidEnv, `required env variable ${name} is missing`);
    return v;
  };
  const containerId = need('CNI_CONTAINERID', ['ADD', 'DEL', 'CHECK']);
  const netns = need('CNI_NETNS', opts.ipam ? [] : ['ADD', 'CHECK']);
  const ifname = need('CNI_IFNAME', ['ADD', 'DEL', 'CHECK']);
  // The spec requires CNI_PATH only for GC; ADD/CHECK/DEL need it only to exec a delegated IPAM plugin,
  // and that step names the missing path itself.
  need('CNI_PATH', ['GC']);
  if (containerId && !CONTAINER_ID_RE.test(containerId)) {
    throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_CONTAINERID "${containerId}": only letters, digits, '_', '.', '-' allowed`);
  }
  if (ifname && (ifname.length > 15 || /[\s/:]/.test(ifname) || ifname === '.' || ifname === '..')) {
    throw new CniError(CNI_ERR.invalidEnv, `invalid CNI_IFNAME "${ifname}"`);
  }
  return {
    command, containerId, netns, ifname,
    path: (env.CNI_PATH ?? '').split(':').filter(Boolean),
    args: parseCniArgs(env.CNI_ARGS),
  };
}

export interface NodeState {
  nodename: string;
  mtu: number;
  stateDir: string;
}

export const DEFAULT_STATE_DIR = DEFAULT_AGENT_STATE_DIR;
export const CALICO_STATE_DIR = '/var/lib/calico';
export const DEFAULT_MTU = 1500;

function readTrim(path: string): string | undefined {
  try { return readFileSync(path, 'utf8').trim() || undefined; } catch { return undefined; }
}

/**
 * Node name and pod MTU, as the node agent publishes them. Node name: netconf `nodename` → `nodename_file`
 * → <state_dir>/nodename (→ /var/lib/calico/nodename) → `hostname` → OS hostname. The file is required unless
 * netconf names the node or sets nodename_file_optional. MTU: netconf `mtu` (non-zero) → <state_dir>/mtu → 1500.
 */
export function resolveNodeState(conf: NetConf): NodeState {
  const stateDir = conf.state_dir ?? (existsSync(DEFAULT_STATE_DIR) || !existsSync(CALICO_STATE_DIR) ? DEFAULT_STATE_DIR : CALICO_STATE_DIR);
  const dirs = conf.state_dir ? [conf.state_dir] : [stateDir, CALICO_STATE_DIR].filter((d, i, a) => a.indexOf(d) === i);
  const nodenameFile = conf.nodename_file ?? `${stateDir}/nodename`;
  let nodename = conf.nodename && !conf.nodename.startsWith('__') ? conf.nodename : undefined;
  if (!nodename) {
    nodename = readTrim(nodenameFile) ?? (conf.nodename_file ? undefined : dirs.map((d) => readTrim(`${d}/nodename`)).find(Boolean));
    if (!nodename && !conf.nodename_file_optional) {
      throw new CniError(CNI_ERR.invalidNetworkConfig,
        `stat ${nodenameFile}: no such file or directory: check that the tabby node agent is running and has written ${stateDir}/ (or set "nodename" in the netconf)`);
    }
    nodename ??= conf.hostname || hostname();
  }
  let mtu = conf.mtu && conf.mtu > 0 ? conf.mtu : undefined;
  if (!mtu) {
    const text = dirs.map((d) => readTrim(`${d}/mtu`)).find(Boolean);
    if (text !== undefined) {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 68 || n > 65535) throw new CniError(CNI_ERR.invalidNetworkConfig, `invalid MTU "${text}" in ${stateDir}/mtu`);
      mtu = n;
    } else if (conf.require_mtu_file) {
      throw new CniError(CNI_ERR.invalidNetworkConfig, `MTU file ${stateDir}/mtu is missing and "require_mtu_file" is set`);
    }
  }
  return { nodename, mtu: mtu ?? DEFAULT_MTU, stateDir };
}

/** The datastore the netconf selects. `kubernetes` (the article's value) means the node's default store: Tabby has no KDD. */
export type DatastoreSelection = DatastoreConfig;

export function datastoreSelection(conf: NetConf, env: NodeJS.ProcessEnv = process.env): DatastoreSelection {
  const type = conf.datastore_type === 'etcdv3' || (!conf.datastore_type && env.DATASTORE_TYPE === 'etcdv3') ? 'etcdv3' : 'embedded';
  if (type === 'etcdv3') {
    const eps = (conf.etcd_endpoints ?? env.ETCD_ENDPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return {
      type, etcdEndpoints: eps, etcdKeyPrefix: conf.etcd_key_prefix,
      etcdCACertFile: conf.etcd_ca_cert_file, etcdCertFile: conf.etcd_cert_file, etcdKeyFile: conf.etcd_key_file,
    };
  }
  return { type, path: conf.datastore_path ?? env.TABBY_DATASTORE_PATH };
}

/** Compare helper re-exported for callers that branch on result formats. */
export { compareVersions };
