// Endpoints and what they attach to: HostEndpoint, WorkloadEndpoint, Profile, (Global)NetworkSet.
import type { Resource } from '../resource.ts';
import { cidrContainsIP, tryParseCIDROrIP, tryParseIP } from '../../net/ip.ts';
import { anything, int, list, mapOf, obj, refine, str, type FieldError } from '../schema.ts';
import {
  cidrOrIP, dnsSubdomain, LABEL_COUNT_LIMIT, MAX_NETS_PER_SET, INTERFACE_NAME, ipAddress, ipv4Address, ipv6Address, labelKey, labelValue, mac, portName, protocol,
  protocolSupportsPorts,
} from './fields.ts';
import { rule } from './policy.ts';

/** Endpoint ports (HostEndpoint, WorkloadEndpoint): a name, a port protocol and a port. */
const endpointPort = refine<{ name?: string; protocol?: unknown; hostPort?: number }>(obj({
  name: str(portName), protocol, port: int(1, 65535), hostPort: int(0, 65535), hostIP: str(ipAddress),
}, { required: ['port', 'protocol'] }), (p, path, errs) => {
  if (!protocolSupportsPorts(p.protocol)) errs.push({ field: `${path}.protocol`, value: p.protocol, message: 'endpoint port protocol does not support ports (use TCP, UDP or SCTP)' });
  if (!p.name && !p.hostPort) errs.push({ field: `${path}.name`, value: '', message: 'port name must not be empty if no hostPort is specified' });
});

export const hostEndpointSpec = refine<{ interfaceName?: string; expectedIPs?: string[] }>(obj({
  node: str(dnsSubdomain),
  // "*" = all of the node's interfaces (libcalico-go validateInterface).
  interfaceName: str((s) => (s === '*' || INTERFACE_NAME.test(s) ? undefined : 'must be an interface name (up to 15 characters) or "*"')),
  expectedIPs: list(str(ipAddress)),
  profiles: list(str(dnsSubdomain)),
  ports: list(endpointPort),
}, { required: ['node'] }), (v, path, errs) => {
  if (!v.interfaceName && !v.expectedIPs?.length) errs.push({ field: `${path}.interfaceName`, value: '', message: 'either interfaceName or expectedIPs must be set' });
});

interface WepShape { ipNetworks?: string[]; ipNATs?: { internalIP: string; externalIP: string }[] }

export const workloadEndpointSpec = refine<WepShape>(obj({
  orchestrator: str(),
  workload: str(),
  node: str(dnsSubdomain),
  containerID: str(),
  pod: str(),
  endpoint: str(),
  serviceAccountName: str(),
  ipNetworks: list(str(cidrOrIP)),
  ipNATs: list(obj({ internalIP: str(ipAddress), externalIP: str(ipAddress) }, { required: ['internalIP', 'externalIP'] })),
  ipv4Gateway: str(ipv4Address),
  ipv6Gateway: str(ipv6Address),
  profiles: list(str(dnsSubdomain)),
  interfaceName: str((s) => (INTERFACE_NAME.test(s) ? undefined : 'must be a Linux interface name of 1-15 characters')),
  mac: str(mac),
  ports: list(endpointPort),
  allowSpoofedSourcePrefixes: list(str(cidrOrIP)),
  qosControls: anything(),
  awsElasticIPs: list(str(ipv4Address)),
  qosPolicyName: str(),
}, { required: ['node', 'interfaceName'] }), (w, path, errs) => {
  // libcalico-go validateWorkloadEndpointSpec: single addresses only; NATs inside the endpoint's networks.
  const nets = (w.ipNetworks ?? []).map((n) => tryParseCIDROrIP(n));
  nets.forEach((c, i) => {
    if (c && c.prefix !== (c.family === 4 ? 32 : 128)) errs.push({ field: `${path}.ipNetworks[${i}]`, value: w.ipNetworks![i], message: 'IP network contains multiple addresses (use /32 or /128)' });
  });
  (w.ipNATs ?? []).forEach((n, i) => {
    const internal = tryParseIP(n.internalIP);
    const external = tryParseIP(n.externalIP);
    if (internal && external && internal.family !== external.family) errs.push({ field: `${path}.ipNATs[${i}].externalIP`, value: n.externalIP, message: 'mismatched IP versions' });
    if (internal && !nets.some((c) => c && cidrContainsIP(c, internal))) errs.push({ field: `${path}.ipNATs[${i}].internalIP`, value: n.internalIP, message: 'NAT is not in the endpoint networks' });
  });
});

export const profileSpec = obj({ ingress: list(rule, 1024), egress: list(rule, 1024), labelsToApply: mapOf(str(labelValue), labelKey, LABEL_COUNT_LIMIT) });

export const networkSetSpec = obj({ nets: list(str(cidrOrIP), MAX_NETS_PER_SET), allowedEgressDomains: list(str()) });

/** Network sets may not carry the namespace label Felix derives itself. */
export const noNamespaceLabel = (r: Resource, errs: FieldError[]): void => {
  if (r.metadata.labels && 'projectcalico.org/namespace' in r.metadata.labels) {
    errs.push({ field: 'metadata.labels["projectcalico.org/namespace"]', value: 'projectcalico.org/namespace', message: 'projectcalico.org/namespace is not a valid label name' });
  }
};
