// Policy resources as Tabby stores them (projectcalico.org/v3 shapes, the fields Felix acts on) and the
// snapshot the node agent hands to the policy manager. Pure types plus small helpers; no I/O.
import type { Resource } from '../api/resource.ts';

export type RuleAction = 'Allow' | 'Deny' | 'Log' | 'Pass';
export type PolicyType = 'Ingress' | 'Egress';

/** A port: a number, `"min:max"` range, or a named port (looked up on the peer endpoint). */
export type PortSpec = number | string;

export interface EntityRule {
  nets?: string[];
  notNets?: string[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  ports?: PortSpec[];
  notPorts?: PortSpec[];
  serviceAccounts?: { names?: string[]; selector?: string };
}

export interface IcmpFields { type?: number; code?: number }

export interface Rule {
  action: RuleAction;
  ipVersion?: 4 | 6;
  protocol?: string | number;
  notProtocol?: string | number;
  icmp?: IcmpFields;
  notICMP?: IcmpFields;
  source?: EntityRule;
  destination?: EntityRule;
  metadata?: { annotations?: Record<string, string> };
}

export interface PolicySpec {
  tier?: string;
  order?: number;
  selector?: string;
  types?: PolicyType[];
  ingress?: Rule[];
  egress?: Rule[];
  /** GlobalNetworkPolicy only: restricts the endpoints selected to namespaces matching this. */
  namespaceSelector?: string;
  serviceAccountSelector?: string;
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
}

export interface EndpointPort { name: string; port: number; protocol?: string }

export interface WorkloadEndpointSpec {
  orchestrator?: string;
  workload?: string;
  node?: string;
  containerID?: string;
  pod?: string;
  endpoint?: string;
  interfaceName?: string;
  ipNetworks?: string[];
  mac?: string;
  profiles?: string[];
  ports?: EndpointPort[];
  serviceAccountName?: string;
}

/** A host endpoint: one of the node's own interfaces (or `*`, all of them) under policy. */
export interface HostEndpointSpec {
  node?: string;
  /** An interface name, `*` for every interface, or unset (then matched by expectedIPs). */
  interfaceName?: string;
  expectedIPs?: string[];
  profiles?: string[];
  ports?: EndpointPort[];
}

/** FelixConfiguration's `failsafeInboundHostPorts` / `failsafeOutboundHostPorts` element. */
export interface ProtoPort { protocol?: string; port: number; net?: string }

export interface FelixConfigurationSpec {
  failsafeInboundHostPorts?: ProtoPort[];
  failsafeOutboundHostPorts?: ProtoPort[];
  defaultEndpointToHostAction?: string;
  [k: string]: unknown;
}

export interface ProfileSpec {
  ingress?: Rule[];
  egress?: Rule[];
  labelsToApply?: Record<string, string>;
}

export interface NetworkSetSpec { nets?: string[] }

export interface TierSpec { order?: number; defaultAction?: 'Deny' | 'Pass' }

export type NetworkPolicy = Resource<PolicySpec>;
export type GlobalNetworkPolicy = Resource<PolicySpec>;
export type WorkloadEndpoint = Resource<WorkloadEndpointSpec>;
export type Profile = Resource<ProfileSpec>;
export type NetworkSet = Resource<NetworkSetSpec>;
export type GlobalNetworkSet = Resource<NetworkSetSpec>;
export type Tier = Resource<TierSpec>;
export type HostEndpoint = Resource<HostEndpointSpec>;
export type FelixConfiguration = Resource<FelixConfigurationSpec>;

/**
 * Everything the policy calculation needs, as plain v3 resources. `workloadEndpoints` is every endpoint in
 * the cluster (remote ones feed selector → IP-set membership); the manager picks its node's own by spec.node.
 */
export interface PolicySnapshot {
  workloadEndpoints: WorkloadEndpoint[];
  networkPolicies: NetworkPolicy[];
  globalNetworkPolicies: GlobalNetworkPolicy[];
  profiles: Profile[];
  networkSets: NetworkSet[];
  globalNetworkSets: GlobalNetworkSet[];
  tiers: Tier[];
  /** Every HostEndpoint (the calculation keeps its node's own; all feed selector IP sets). */
  hostEndpoints?: HostEndpoint[];
  /** FelixConfiguration `default` and `node.<name>` (failsafe ports). */
  felixConfigurations?: FelixConfiguration[];
  /** Nodes and IP pools: the encapsulated traffic between nodes that host endpoint policy lets through. */
  nodes?: Resource[];
  ipPools?: Resource[];
}

export function emptySnapshot(): PolicySnapshot {
  return {
    workloadEndpoints: [], networkPolicies: [], globalNetworkPolicies: [], profiles: [],
    networkSets: [], globalNetworkSets: [], tiers: [], hostEndpoints: [], felixConfigurations: [], nodes: [], ipPools: [],
  };
}

/** Calico's well-known label keys. */
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount';
export const DEFAULT_TIER = 'default';
/** Order of the default tier when no Tier resource says otherwise (Calico HEAD: 1 000 000). */
export const DEFAULT_TIER_ORDER = 1_000_000;

/** Policy types as Calico defaults them when `types` is unset. */
export function effectiveTypes(spec: PolicySpec): PolicyType[] {
  if (spec.types && spec.types.length > 0) return spec.types;
  const hasEgress = (spec.egress?.length ?? 0) > 0;
  const hasIngress = (spec.ingress?.length ?? 0) > 0;
  if (hasEgress && !hasIngress) return ['Egress'];
  if (hasEgress && hasIngress) return ['Ingress', 'Egress'];
  return ['Ingress'];
}
