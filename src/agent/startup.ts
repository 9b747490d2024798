// What calico-node does before Felix starts: find this node's address, register the Node, create the
// default IP pool when there is none, mark the cluster ready (ClusterInformation), allocate the tunnel
// addresses the enabled encapsulation needs, work out the pod MTU and write the files the CNI plugin reads
// (<stateDir>/nodename, <stateDir>/mtu). Every step is idempotent: a restarted agent repeats them harmlessly.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION, type Resource } from '../api/resource.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';
import type { Logger } from '../log.ts';
import { cidr4ContainsIP, parseCidr4, parseIPv4 } from '../net/ipv4.ts';
import type { Kernel } from './dataplane/kernel.ts';
import { vtepMacForNode } from './calc/vtep-mac.ts';

export { TABBY_STATE_DIR as DEFAULT_STATE_DIR } from '../paths.ts';
import { TABBY_CALICO_VERSION } from '../version.ts';

/** Calico's default interface exclusions for first-found autodetection. */
export const DEFAULT_EXCLUDES = [
  /^docker.*/, /^cbr0/, /^dummy.*/, /^virbr.*/, /^lxcbr.*/, /^veth.*/, /^lo$/, /^cali.*/, /^tunl.*/, /^flannel.*/,
  /^kube-ipvs.*/, /^cni.*/, /^vxlan\.calico.*/, /^vxlan-v6\.calico.*/, /^vxlan.*/, /^nodelocaldns.*/, /^br-.*/, /^wireguard\.cali/,
];

/** Calico's default mtuIfacePattern. */
export const MTU_IFACE_PATTERN = /^((en|wl|ww|sl|ib)[Pcopsvx].*|(eth|wlan|wwan).*)/;

export interface DetectedAddress {
  /** a.b.c.d/len */
  cidr: string;
  ip: string;
  iface: string;
}

interface IfaceAddrs { iface: string; cidrs: string[] }

async function interfaceAddresses(kernel: Kernel): Promise<IfaceAddrs[]> {
  const out: IfaceAddrs[] = [];
  for (const l of (await kernel.listLinks()).sort((a, b) => a.index - b.index)) {
    const cidrs = (await kernel.listAddresses(l.name).catch(() => [])).filter((c) => !c.startsWith('127.') && !c.startsWith('169.254.'));
    out.push({ iface: l.name, cidrs });
  }
  return out;
}

/**
 * IP_AUTODETECTION_METHOD: `first-found` (default), `interface=REGEX[,REGEX]`, `skip-interface=REGEX[,…]`,
 * `can-reach=IP`, `cidr=CIDR[,CIDR]`. Returns the address with its prefix length, like Calico's
 * spec.bgp.ipv4Address.
 */
export async function detectAddress(kernel: Kernel, method = 'first-found'): Promise<DetectedAddress> {
  const [kind, arg = ''] = method.includes('=') ? [method.slice(0, method.indexOf('=')), method.slice(method.indexOf('=') + 1)] : [method];
  const all = await interfaceAddresses(kernel);
  const pick = (filter: (i: IfaceAddrs) => boolean, cidrFilter: (c: string) => boolean = () => true): DetectedAddress | undefined => {
    for (const i of all) {
      if (!filter(i)) continue;
      const c = i.cidrs.find(cidrFilter);
      if (c) return { cidr: c, ip: c.split('/')[0]!, iface: i.iface };
    }
    return undefined;
  };
  const regexes = () => arg.split(',').filter(Boolean).map((r) => {
    try { return new RegExp(r); } catch { throw new Error(`IP_AUTODETECTION_METHOD ${method}: "${r}" is not a valid regular expression`); }
  });
  let found: DetectedAddress | undefined;
  switch (kind) {
    case 'first-found':
      found = pick((i) => !DEFAULT_EXCLUDES.some((re) => re.test(i.iface)));
      break;
    case 'interface': {
      const res = regexes();
      found = pick((i) => res.some((re) => re.test(i.iface)));
      break;
    }
    case 'skip-interface': {
      const res = regexes();
      found = pick((i) => !DEFAULT_EXCLUDES.some((re) => re.test(i.iface)) && !res.some((re) => re.test(i.iface)));
      break;
    }
    case 'can-reach': {
      let target = arg;
      try { parseIPv4(target); } catch { throw new Error(`IP_AUTODETECTION_METHOD ${method}: "${arg}" is not an IPv4 address`); }
      const r = await kernel.routeGet(target);
      if (r?.src) found = pick((i) => i.iface === r.dev || r.dev === undefined, (c) => c.split('/')[0] === r.src)
        ?? pick(() => true, (c) => c.split('/')[0] === r.src);
      break;
    }
    case 'cidr': {
      const nets = arg.split(',').filter(Boolean).map((c) => {
        try { return parseCidr4(c.trim()); } catch (e) { throw new Error(`IP_AUTODETECTION_METHOD ${method}: ${(e as Error).message}`); }
      });
      found = pick(() => true, (c) => nets.some((n) => cidr4ContainsIP(n, parseIPv4(c.split('/')[0]!))));
      break;
    }
    default:
      throw new Error(`unknown IP_AUTODETECTION_METHOD "${method}" (want first-found, interface=REGEX, skip-interface=REGEX, can-reach=IP or cidr=CIDR)`);
  }
  if (!found) throw new Error(`IP_AUTODETECTION_METHOD ${method}: no IPv4 address found on this node`);
  return found;
}

/** An explicitly configured address (IP=a.b.c.d[/len]): find the interface that holds it. */
export async function addressFromConfig(kernel: Kernel, ip: string): Promise<DetectedAddress> {
  const bare = ip.split('/')[0]!;
  try { parseIPv4(bare); } catch { throw new Error(`IP "${ip}" is not an IPv4 address`); }
  for (const i of await interfaceAddresses(kernel)) {
    const c = i.cidrs.find((x) => x.split('/')[0] === bare);
    if (c) return { cidr: ip.includes('/') ? ip : c, ip: bare, iface: i.iface };
  }
  throw new Error(`IP ${ip} is not configured on any interface of this node`);
}

/** Smallest MTU among up interfaces matching Calico's mtuIfacePattern; 1460 when none (Felix's fallback). */
export async function hostMtu(kernel: Kernel, pattern = MTU_IFACE_PATTERN): Promise<number> {
  const mtus = (await kernel.listLinks()).filter((l) => l.up && pattern.test(l.name)).map((l) => l.mtu);
  return mtus.length ? Math.min(...mtus) : 1460;
}

async function upsert(ds: Datastore, kind: string, name: string, mutate: (cur: Resource | undefined) => Resource | undefined): Promise<Resource | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const cur = await ds.get(kind, name);
    const next = mutate(cur ? structuredClone(cur) : undefined);
    if (!next) return cur;
    try {
      return cur ? await ds.update(next) : await ds.create(next);
    } catch (e) {
      if (isDatastoreError(e, 'Conflict') || isDatastoreError(e, 'AlreadyExists') || isDatastoreError(e, 'NotFound')) continue;
      throw e;
    }
  }
  throw new Error(`${kind} ${name}: too many concurrent updates`);
}

/** Create or update the Node resource with this node's address (other fields are left as they are). */
export async function registerNode(ds: Datastore, nodeName: string, addr: DetectedAddress, asNumber?: string): Promise<Resource> {
  const r = await upsert(ds, 'Node', nodeName, (cur) => {
    const node: Resource = cur ?? { apiVersion: API_VERSION, kind: 'Node', metadata: { name: nodeName }, spec: {} };
    const spec = (node.spec ??= {}) as Record<string, any>;
    spec.bgp ??= {};
    const before = JSON.stringify(spec);
    spec.bgp.ipv4Address = addr.cidr;
    if (asNumber) spec.bgp.asNumber = Number(asNumber);
    spec.addresses = [{ address: addr.cidr, type: 'CalicoNodeIP' }];
    if (cur && JSON.stringify(spec) === before) return undefined;
    return node;
  });
  return r!;
}

export interface PoolEnv {
  CALICO_IPV4POOL_CIDR?: string;
  CALICO_IPV4POOL_IPIP?: string;
  CALICO_IPV4POOL_VXLAN?: string;
  CALICO_IPV4POOL_NAT_OUTGOING?: string;
  CALICO_IPV4POOL_BLOCK_SIZE?: string;
  CALICO_IPV4POOL_NODE_SELECTOR?: string;
  NO_DEFAULT_POOLS?: string;
}

function encapFromEnv(name: string, v: string | undefined, dflt: string): string {
  if (v === undefined || v === '') return dflt;
  const norm = ({ always: 'Always', never: 'Never', crosssubnet: 'CrossSubnet', 'cross-subnet': 'CrossSubnet', off: 'Never', false: 'Never' } as Record<string, string>)[v.toLowerCase()];
  if (!norm) throw new Error(`${name}="${v}" is not Always, Never or CrossSubnet`);
  return norm;
}

/** The default-ipv4-ippool calico-node would create from CALICO_IPV4POOL_* (pure). */
export function defaultPoolFromEnv(env: PoolEnv): Resource {
  const cidr = env.CALICO_IPV4POOL_CIDR || '192.168.0.0/16';
  parseCidr4(cidr, true);
  const vxlanMode = encapFromEnv('CALICO_IPV4POOL_VXLAN', env.CALICO_IPV4POOL_VXLAN, 'Never');
  // Calico's default IPIP is Always unless VXLAN was asked for.
  const ipipMode = encapFromEnv('CALICO_IPV4POOL_IPIP', env.CALICO_IPV4POOL_IPIP, vxlanMode === 'Never' ? 'Always' : 'Never');
  if (ipipMode !== 'Never' && vxlanMode !== 'Never') throw new Error('CALICO_IPV4POOL_IPIP and CALICO_IPV4POOL_VXLAN cannot both be enabled');
  const blockSize = env.CALICO_IPV4POOL_BLOCK_SIZE ? Number(env.CALICO_IPV4POOL_BLOCK_SIZE) : 26;
  if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) throw new Error(`CALICO_IPV4POOL_BLOCK_SIZE=${env.CALICO_IPV4POOL_BLOCK_SIZE} is out of range 20-32`);
  const nat = (env.CALICO_IPV4POOL_NAT_OUTGOING ?? 'true').toLowerCase();
  if (nat !== 'true' && nat !== 'false') throw new Error(`CALICO_IPV4POOL_NAT_OUTGOING="${env.CALICO_IPV4POOL_NAT_OUTGOING}" is not true or false`);
  return {
    apiVersion: API_VERSION, kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' },
    spec: { cidr, blockSize, ipipMode, vxlanMode, natOutgoing: nat === 'true', nodeSelector: env.CALICO_IPV4POOL_NODE_SELECTOR || 'all()', allowedUses: ['Workload', 'Tunnel'] },
  };
}

/** Create default-ipv4-ippool unless some pool exists or NO_DEFAULT_POOLS=true. Returns the created pool. */
export async function ensureDefaultPool(ds: Datastore, env: PoolEnv, log: Logger): Promise<Resource | undefined> {
  if ((env.NO_DEFAULT_POOLS ?? '').toLowerCase() === 'true') return undefined;
  const pool = defaultPoolFromEnv(env); // validate the settings even when a pool exists: bad config should be loud
  if ((await ds.list('IPPool')).items.length > 0) return undefined;
  try {
    const created = await ds.create(pool);
    log.info({ pool: pool.spec }, 'created default IPv4 pool');
    return created;
  } catch (e) {
    if (isDatastoreError(e, 'AlreadyExists')) return undefined;
    throw e;
  }
}

/** ClusterInformation `default`: datastoreReady true, a stable clusterGUID, calicoVersion, clusterType. */
export async function markClusterReady(ds: Datastore, clusterType: string): Promise<Resource> {
  const r = await upsert(ds, 'ClusterInformation', 'default', (cur) => {
    const ci: Resource = cur ?? { apiVersion: API_VERSION, kind: 'ClusterInformation', metadata: { name: 'default' }, spec: {} };
    const spec = (ci.spec ??= {}) as Record<string, any>;
    const before = JSON.stringify(spec);
    spec.clusterGUID ??= randomBytes(16).toString('hex');
    spec.calicoVersion = TABBY_CALICO_VERSION;
    const types = new Set(String(spec.clusterType ?? '').split(',').filter(Boolean));
    for (const t of clusterType.split(',').filter(Boolean)) types.add(t);
    spec.clusterType = [...types].join(',');
    // As libcalico-go: default to ready, but an explicit false (an admin pausing the CNI) stays.
    spec.datastoreReady ??= true;
    if (cur && JSON.stringify(spec) === before) return undefined;
    return ci;
  });
  return r!;
}

/** The part of the IPAM allocator the agent needs for tunnel addresses (src/ipam BlockAffinityAllocator). */
export interface TunnelAllocator {
  ensureTunnelAddress(node: string, type: 'ipip' | 'vxlan'): Promise<string | undefined>;
}

/**
 * allocate-tunnel-addrs: one VXLAN / IPIP tunnel address per node when a pool enables that encapsulation
 * (the allocator releases it otherwise), plus spec.vxlanTunnelMACAddr so every agent agrees on the MAC.
 */
export async function ensureTunnelAddresses(ds: Datastore, ipam: TunnelAllocator, nodeName: string): Promise<{ vxlan?: string | undefined; ipip?: string | undefined }> {
  const vxlan = await ipam.ensureTunnelAddress(nodeName, 'vxlan');
  const ipip = await ipam.ensureTunnelAddress(nodeName, 'ipip');
  await upsert(ds, 'Node', nodeName, (cur) => {
    if (!cur) return undefined;
    const spec = (cur.spec ??= {}) as Record<string, any>;
    const mac = vxlan ? vtepMacForNode(nodeName) : undefined;
    if (spec.vxlanTunnelMACAddr === mac) return undefined;
    if (mac) spec.vxlanTunnelMACAddr = mac; else delete spec.vxlanTunnelMACAddr;
    return cur;
  });
  return { vxlan, ipip };
}

/** Write a file the CNI plugin reads, atomically (a reader never sees it half-written). */
export function writeStateFile(stateDir: string, name: string, content: string): void {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
