// Failsafe rules: ports on which a node stays reachable (and can reach out) whatever host endpoint policy
// says, so that a bad policy cannot cut a node off from SSH, BGP, etcd or the API server. Pure.
// Semantics as Felix: defaults from felix/config/config_params.go (FailsafeInboundHostPorts /
// FailsafeOutboundHostPorts), chains from felix/rules/static.go failsafeInChain / failsafeOutChain:
//   * in: protocol + destination port (+ source net when the entry has a `net`);
//   * out: protocol + destination port (+ destination net);
//   * in the raw table, which runs before conntrack, the replies are let through as well: the in-chain
//     also accepts the outbound ports as *source* ports (with the entry's net as source), and the out-chain
//     the inbound ports as source ports (net as destination), so that no untracked policy sees half a flow.
// FelixConfiguration `node.<name>` overrides `default` field by field; an explicit empty list disables them.
// defaultEndpointToHostAction is read here too: it is the other Felix setting of the policy dataplane.
import { parseNet } from '../net/ip.ts';
import type { FelixConfiguration, ProtoPort } from './model.ts';
import type { NftChainModel } from './ruleset-model.ts';

export interface FailsafePort { protocol: 'tcp' | 'udp' | 'sctp'; port: number; net?: string }

const parse = (text: string): FailsafePort[] => text.split(',').map((e) => {
  const [protocol, port] = e.split(':') as [FailsafePort['protocol'], string];
  return { protocol, port: Number(port) };
});

/** Felix's defaults (config_params.go). */
export const DEFAULT_FAILSAFE_INBOUND: readonly FailsafePort[] = parse('tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');
export const DEFAULT_FAILSAFE_OUTBOUND: readonly FailsafePort[] = parse('udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');

export interface FailsafeConfig { inbound: readonly FailsafePort[]; outbound: readonly FailsafePort[] }

function toFailsafe(list: unknown, where: string, problems: string[]): FailsafePort[] | undefined {
  if (!Array.isArray(list)) { problems.push(`${where}: must be a list of {protocol, port, net}; Felix's defaults are used`); return undefined; }
  const out: FailsafePort[] = [];
  for (const [i, raw] of (list as ProtoPort[]).entries()) {
    const protocol = String(raw?.protocol ?? 'TCP').toLowerCase();
    const port = raw?.port;
    if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') { problems.push(`${where}[${i}]: protocol ${JSON.stringify(raw?.protocol)} is not TCP, UDP or SCTP; entry skipped`); continue; }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) { problems.push(`${where}[${i}]: port ${JSON.stringify(port)} is not 0-65535; entry skipped`); continue; }
    const entry: FailsafePort = { protocol, port };
    if (raw.net) {
      try { entry.net = parseNet(raw.net).text; } catch (e) { problems.push(`${where}[${i}]: ${(e as Error).message}; entry skipped`); continue; }
    }
    out.push(entry);
  }
  return out;
}

/** The failsafe ports in force on `nodeName`: `node.<name>` over `default` over Felix's defaults. */
export function failsafeConfig(configs: readonly FelixConfiguration[] | undefined, nodeName: string, problems: string[]): FailsafeConfig {
  let inbound: readonly FailsafePort[] = DEFAULT_FAILSAFE_INBOUND;
  let outbound: readonly FailsafePort[] = DEFAULT_FAILSAFE_OUTBOUND;
  for (const name of ['default', `node.${nodeName}`]) {
    const spec = configs?.find((c) => c.metadata.name === name)?.spec;
    if (!spec) continue;
    const where = `FelixConfiguration(${name}).spec`;
    if (spec.failsafeInboundHostPorts != null) inbound = toFailsafe(spec.failsafeInboundHostPorts, `${where}.failsafeInboundHostPorts`, problems) ?? inbound;
    if (spec.failsafeOutboundHostPorts != null) outbound = toFailsafe(spec.failsafeOutboundHostPorts, `${where}.failsafeOutboundHostPorts`, problems) ?? outbound;
  }
  return { inbound, outbound };
}

/** One failsafe match: `port` as destination (or, for replies in raw, source) port; `net` as source or destination. */
function failsafeRule(p: FailsafePort, portSide: 'dport' | 'sport', netSide: 'saddr' | 'daddr'): string {
  const match = `meta l4proto ${p.protocol} th ${portSide} ${p.port}`;
  if (!p.net) return `${match} accept`;
  const fam = p.net.includes(':') ? 'ip6' : 'ip';
  return `meta nfproto ipv${fam === 'ip' ? 4 : 6} ${fam} ${netSide} ${p.net} ${match} accept`;
}

export const CHAIN_FAILSAFE_IN = 'cali-failsafe-in';
export const CHAIN_FAILSAFE_OUT = 'cali-failsafe-out';

/** The failsafe chains of one table (`''` filter, `mangle-`, `raw-`), named `<prefix>cali-failsafe-in/out`. */
export function failsafeChains(cfg: FailsafeConfig, table: '' | 'mangle-' | 'raw-'): NftChainModel[] {
  const inRules = cfg.inbound.map((p) => failsafeRule(p, 'dport', 'saddr'));
  const outRules = cfg.outbound.map((p) => failsafeRule(p, 'dport', 'daddr'));
  if (table === 'raw-') {
    inRules.push(...cfg.outbound.map((p) => failsafeRule(p, 'sport', 'saddr')));
    outRules.push(...cfg.inbound.map((p) => failsafeRule(p, 'sport', 'daddr')));
  }
  return [{ name: table + CHAIN_FAILSAFE_IN, rules: inRules }, { name: table + CHAIN_FAILSAFE_OUT, rules: outRules }];
}

/**
 * FelixConfiguration's defaultEndpointToHostAction for `nodeName` (`node.<name>` over `default`), or
 * undefined when neither sets it. Felix's own default is Drop, but Calico's manifests set Accept, which is
 * what the agent uses when nothing is stored.
 */
export function endpointToHostActionFrom(configs: readonly FelixConfiguration[] | undefined, nodeName: string, problems: string[]): 'Accept' | 'Drop' | 'Return' | undefined {
  let out: 'Accept' | 'Drop' | 'Return' | undefined;
  for (const name of ['default', `node.${nodeName}`]) {
    const v = configs?.find((c) => c.metadata.name === name)?.spec?.defaultEndpointToHostAction;
    if (v === undefined || v === null || v === '') continue;
    if (v === 'Accept' || v === 'Drop' || v === 'Return') out = v;
    else problems.push(`FelixConfiguration(${name}).spec.defaultEndpointToHostAction: ${JSON.stringify(v)} is not Drop, Accept or Return; ignored`);
  }
  return out;
}

/** FelixConfiguration's vxlanPort for `nodeName` (`node.<name>` over `default`), else Felix's 4789. */
export function vxlanPortFrom(configs: readonly FelixConfiguration[] | undefined, nodeName: string): number {
  let port = 4789;
  for (const name of ['default', `node.${nodeName}`]) {
    const v = configs?.find((c) => c.metadata.name === name)?.spec?.vxlanPort;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) port = v;
  }
  return port;
}
