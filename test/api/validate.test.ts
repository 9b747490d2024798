import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { validateResource, assertValid, ValidationError, formatValidationErrors } from '../../src/api/validate.ts';
import { applyDefaults, inferPolicyTypes } from '../../src/api/defaults.ts';
import type { Resource } from '../../src/api/resource.ts';

const V3 = 'projectcalico.org/v3';

function res(kind: string, name: string, spec: unknown, extra: Record<string, unknown> = {}): Resource {
  return { apiVersion: V3, kind, metadata: { name, ...extra }, spec } as Resource;
}

/** The fields reported for a resource (after defaults, as the client validates). */
function fieldsOf(r: Resource, namespaced = false): string[] {
  return validateResource(applyDefaults(r, { namespaced })).map((e) => e.field);
}

function expectError(r: Resource, field: string, messagePart: RegExp, namespaced = false): void {
  const errs = validateResource(applyDefaults(r, { namespaced }));
  const e = errs.find((x) => x.field === field);
  assert.ok(e, `expected an error on ${field}, got ${JSON.stringify(errs)}`);
  assert.match(e.message, messagePart);
}

describe('IPPool validation', () => {
  test('a documented pool is valid', () => {
    assert.deepEqual(fieldsOf(res('IPPool', 'my.ippool-1', { cidr: '10.1.0.0/16', ipipMode: 'CrossSubnet', natOutgoing: true, disabled: false, nodeSelector: 'all()' })), []);
    assert.deepEqual(fieldsOf(res('IPPool', 'v6', { cidr: 'fd00:10:244::/64', vxlanMode: 'Always' })), []);
  });

  test('CIDR must be masked, valid, and outside link-local', () => {
    expectError(res('IPPool', 'p', { cidr: '10.1.0.1/16' }), 'spec.cidr', /not strictly masked.*10\.1\.0\.0\/16/);
    expectError(res('IPPool', 'p', { cidr: '10.1.0.0/33' }), 'spec.cidr', /valid CIDR/);
    expectError(res('IPPool', 'p', { cidr: 'banana' }), 'spec.cidr', /valid CIDR/);
    expectError(res('IPPool', 'p', { cidr: '169.254.0.0/16' }), 'spec.cidr', /Link Local/);
    expectError(res('IPPool', 'p', { cidr: '169.0.0.0/8' }), 'spec.cidr', /Link Local/);
    expectError(res('IPPool', 'p', { cidr: 'fe80::/64' }), 'spec.cidr', /Link Local/);
    expectError(res('IPPool', 'p', {}), 'spec.cidr', /required/);
  });

  test('block size range and pool-vs-block size', () => {
    for (const bs of [20, 26, 32]) assert.deepEqual(fieldsOf(res('IPPool', 'p', { cidr: '10.0.0.0/16', blockSize: bs })), [], `blockSize ${bs}`);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', blockSize: 19 }), 'spec.blockSize', /between 20 and 32/);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', blockSize: 33 }), 'spec.blockSize', /between 20 and 32/);
    expectError(res('IPPool', 'p', { cidr: 'fd00::/64', blockSize: 26 }), 'spec.blockSize', /between 116 and 128/);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/28' }), 'spec.cidr', /too small/); // default /26 block
    assert.deepEqual(fieldsOf(res('IPPool', 'p', { cidr: '10.0.0.0/28', blockSize: 28 })), []);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', blockSize: '26' }), 'spec.blockSize', /integer/);
  });

  test('encapsulation: enums, IPIP+VXLAN exclusive, no IPIP on IPv6', () => {
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'CrossSubnet' }), 'spec.vxlanMode', /cannot both/);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', ipipMode: 'always' }), 'spec.ipipMode', /one of Never, Always, CrossSubnet/);
    expectError(res('IPPool', 'p', { cidr: 'fd00::/64', ipipMode: 'Always' }), 'spec.ipipMode', /IPv6/);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', allowedUses: ['LoadBalancer'], vxlanMode: 'Always' }), 'spec.allowedUses', /encapsulation/);
    expectError(res('IPPool', 'p', { cidr: '10.0.0.0/16', allowedUses: ['Workload', 'Pods'] }), 'spec.allowedUses[1]', /one of/);
  });

  test('unknown fields and bad selectors are reported, all at once', () => {
    const errs = validateResource(applyDefaults(res('IPPool', 'Bad_Name', { cidr: '10.0.0.1/16', ipipmode: 'Always', nodeSelector: 'rack ==', blockSize: 40 })));
    const fields = errs.map((e) => e.field).sort();
    assert.deepEqual(fields, ['metadata.name', 'spec.blockSize', 'spec.cidr', 'spec.ipipmode', 'spec.nodeSelector']);
    assert.match(errs.find((e) => e.field === 'spec.ipipmode')!.message, /unknown field/);
  });

  test('the error message names the resource, the field and the value', () => {
    const r = res('IPPool', 'pool-x', { cidr: '10.0.0.1/16' });
    assert.throws(() => assertValid(applyDefaults(r)), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.match(e.message, /^IPPool\(pool-x\): error with field spec\.cidr = '10\.0\.0\.1\/16' \(IP pool CIDR is not strictly masked/);
      return true;
    });
    const multi = formatValidationErrors('IPPool(p)', [{ field: 'a', value: 1, message: 'x' }, { field: 'b', value: 'v', message: 'y' }]);
    assert.equal(multi, "IPPool(p): error(s) with fields:\n-  a = '1' (x)\n-  b = 'v' (y)");
  });
});

describe('envelope and names', () => {
  test('apiVersion, kind and metadata are required', () => {
    assert.deepEqual(validateResource({ apiVersion: 'v1', kind: 'IPPool', metadata: { name: 'a' }, spec: { cidr: '10.0.0.0/16' } }).map((e) => e.field), ['apiVersion']);
    assert.deepEqual(validateResource({ apiVersion: V3, kind: 'Pool', metadata: { name: 'a' } }).map((e) => e.field), ['kind']);
    assert.ok(validateResource({ apiVersion: V3, kind: 'IPPool', spec: { cidr: '10.0.0.0/16' } }).some((e) => e.field === 'metadata'));
    assert.ok(validateResource('just a string').length > 0);
    assert.ok(validateResource({ apiVersion: V3, kind: 'Profile', metadata: { name: 'p' }, extra: 1 }).some((e) => e.field === 'extra'));
  });

  test('a binary document is refused with its control bytes escaped, never echoed raw to the terminal', () => {
    // Found by the chaos suite's malformed corpus (bench/chaos/malformed.ts): 4 KB of binary piped to `apply`.
    const binary = 'ok\u001b[2J\u0007\u0000\u009b' + 'x'.repeat(100);
    const msg = formatValidationErrors('resource', [{ field: '(document)', value: binary, message: 'a resource must be a YAML/JSON object' }]);
    assert.doesNotMatch(msg, /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(msg));
    assert.match(msg, /= 'ok\\x1b\[2J\\x07\\x00\\x9bx+… \(109 characters\)' \(a resource must be a YAML\/JSON object\)/);
  });

  test('names follow DNS-1123 per kind', () => {
    assert.deepEqual(fieldsOf(res('GlobalNetworkSet', 'a.b-c', {})), []);
    assert.deepEqual(fieldsOf(res('GlobalNetworkPolicy', 'a.b', {})), []);
    assert.deepEqual(fieldsOf(res('GlobalNetworkPolicy', 'a.b.c', {})), ['metadata.name'], 'GNP names have at most one dot');
    assert.deepEqual(fieldsOf(res('NetworkPolicy', 'knp.default.a.b', {}), true), []);
    assert.deepEqual(fieldsOf(res('NetworkPolicy', 'x.a.b', {}), true), ['metadata.name']);
    for (const bad of ['UPPER', '-lead', 'trail-', 'under_score', 'a'.repeat(254)]) {
      assert.deepEqual(fieldsOf(res('GlobalNetworkSet', bad, {})), ['metadata.name'], bad);
    }
    assert.deepEqual(fieldsOf(res('Tier', 'has.dot', {})), ['metadata.name'], 'tier names are labels (no dots)');
    assert.deepEqual(fieldsOf(res('Tier', 'security', { order: 100 })), []);
    assert.deepEqual(fieldsOf(res('ClusterInformation', 'other', {})), ['metadata.name']);
    assert.deepEqual(fieldsOf(res('IPAMConfiguration', 'default', { strictAffinity: true, maxBlocksPerHost: 4 })), []);
    assert.deepEqual(fieldsOf(res('IPAMConfiguration', 'cfg', {})), ['metadata.name']);
  });

  test('namespaces: required for namespaced kinds (defaulted), refused for cluster kinds', () => {
    assert.deepEqual(validateResource(res('NetworkSet', 'n', { nets: ['10.0.0.0/8'] })).map((e) => e.field), ['metadata.namespace']);
    assert.deepEqual(fieldsOf(res('NetworkSet', 'n', { nets: ['10.0.0.0/8'] }), true), []);
    assert.deepEqual(fieldsOf(res('NetworkSet', 'n', {}, { namespace: 'Bad NS' }), true), ['metadata.namespace']);
    assert.deepEqual(fieldsOf(res('GlobalNetworkSet', 'n', {}, { namespace: 'x' })), ['metadata.namespace']);
  });

  test('labels keys and values', () => {
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { labels: { 'projectcalico.org/name': 'x', app: '' } })), []);
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { labels: { 'bad key': 'x' } })), ['metadata.labels["bad key"]']);
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { labels: { k: 'bad value!' } })), ['metadata.labels.k']);
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { labels: { k: 5 } })), ['metadata.labels.k']);
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { annotations: { 'Example.com/Note': 'any text at all!' } })), []);
    assert.deepEqual(fieldsOf(res('Profile', 'p', {}, { annotations: { 'bad key': 'x' } })), ['metadata.annotations["bad key"]']);
  });
});

describe('policy validation and defaults', () => {
  const gnp = (spec: Record<string, unknown>) => res('GlobalNetworkPolicy', 'p', spec);

  test('types are inferred as libcalico-go does', () => {
    assert.deepEqual(inferPolicyTypes({}), ['Ingress']);
    assert.deepEqual(inferPolicyTypes({ ingress: [{ action: 'Allow' }] }), ['Ingress']);
    assert.deepEqual(inferPolicyTypes({ egress: [{ action: 'Allow' }] }), ['Egress']);
    assert.deepEqual(inferPolicyTypes({ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }), ['Ingress', 'Egress']);
    const d = applyDefaults(gnp({ egress: [{ action: 'Deny' }] }));
    assert.deepEqual(d.spec, { egress: [{ action: 'Deny' }], tier: 'default', types: ['Egress'] });
    const kept = applyDefaults(gnp({ types: ['Ingress', 'Egress'] }));
    assert.deepEqual(kept.spec.types, ['Ingress', 'Egress'], 'explicit types are kept');
  });

  test('rules: actions, protocols, ports, ICMP, nets', () => {
    assert.deepEqual(fieldsOf(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, '8000:8080', 'http'] } }] })), []);
    assert.deepEqual(fieldsOf(gnp({ ingress: [{ action: 'Allow', protocol: 132, source: { ports: [1] } }] })), []);
    expectError(gnp({ ingress: [{ action: 'Accept' }] }), 'spec.ingress[0].action', /Allow, Deny, Log, Pass/);
    expectError(gnp({ ingress: [{ protocol: 'TCP' }] }), 'spec.ingress[0].action', /required/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCPP' }] }), 'spec.ingress[0].protocol', /TCP, UDP/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 256 }] }), 'spec.ingress[0].protocol', /between 1 and 255/);
    expectError(gnp({ ingress: [{ action: 'Allow', destination: { ports: [80] } }] }), 'spec.ingress[0].destination.ports', /numeric port or port range must set protocol to TCP or UDP or SCTP/);
    assert.deepEqual(fieldsOf(gnp({ ingress: [{ action: 'Allow', destination: { ports: ['http'] } }] })), [], 'named ports need no protocol');
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } }] }), 'spec.ingress[0].destination.ports', /rules that specify ports must set protocol/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [70000] } }] }), 'spec.ingress[0].destination.ports[0]', /between 1 and 65535/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [0] } }] }), 'spec.ingress[0].destination.ports[0]', /between 1 and 65535/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['9:1'] } }] }), 'spec.ingress[0].destination.ports[0]', /greater than/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['bad_port!'] } }] }), 'spec.ingress[0].destination.ports[0]', /port name/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'tcp' }] }), 'spec.ingress[0].protocol', /protocol name invalid/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { nets: ['10.0.0.1/8'] } }] }), 'spec.ingress[0].source.nets[0]', /not strictly masked.*10\.0\.0\.0\/8/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/8', 'fd00::/8'] } }] }), 'spec.ingress[0].source.nets', /both IPv4 and IPv6/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['fd00::/8'] } }] }), 'spec.ingress[0].destination.nets', /both IPv4 and IPv6/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { notNets: ['0.0.0.0/0'] } }] }), 'spec.ingress[0].source.notNets[0]', /catch-all/);
    expectError(gnp({ selector: 'global()' }), 'spec.selector', /global\(\) can only be used/);
    assert.deepEqual(fieldsOf(gnp({ ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()' } }] })), []);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { namespaceSelector: "global() && a == 'b'" } }] }), 'spec.ingress[0].source.namespaceSelector', /cannot be combined/);
    expectError(gnp({ egress: [{ action: 'Allow', source: { services: { name: 's', namespace: 'n' } } }] }), 'spec.egress[0].source.services', /not allowed in egress rule source/);
    expectError(gnp({ egress: [{ action: 'Allow', destination: { services: { name: 's' } } }] }), 'spec.egress[0].destination.services.namespace', /must specify a namespace/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { services: { name: 's', namespace: 'n' }, selector: 'a == "b"' } }] }), 'spec.ingress[0].source.services', /cannot specify selector/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'TCP', icmp: { type: 8 } }] }), 'spec.ingress[0].icmp', /require protocol ICMP/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', icmp: { code: 1 } }] }), 'spec.ingress[0].icmp.code', /without an ICMP type/);
    expectError(gnp({ ingress: [{ action: 'Allow', protocol: 'ICMP', icmp: { type: 255 } }] }), 'spec.ingress[0].icmp.type', /between 0 and 254/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/40'] } }] }), 'spec.ingress[0].source.nets[0]', /invalid CIDR/);
    expectError(gnp({ ingress: [{ action: 'Allow', ipVersion: 6, source: { nets: ['10.0.0.0/8'] } }] }), 'spec.ingress[0].source.nets[0]', /IP version 6 doesn't match/);
    expectError(gnp({ ingress: [{ action: 'Allow', ipVersion: 6, protocol: 'ICMP' }] }), 'spec.ingress[0].protocol', /IPv4 only/);
    expectError(gnp({ selector: "role == 'db" }), 'spec.selector', /invalid selector/);
    expectError(gnp({ ingress: [{ action: 'Allow', source: { selector: 'a ==' } }] }), 'spec.ingress[0].source.selector', /invalid selector/);
  });

  test('preDNAT / doNotTrack rules', () => {
    expectError(gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }), 'spec.preDNAT', /cannot both/);
    expectError(gnp({ preDNAT: true }), 'spec.applyOnForward', /must be true/);
    expectError(gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }), 'spec.egress', /no|cannot/);
    assert.deepEqual(fieldsOf(gnp({ doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Allow' }] })), []);
    // NetworkPolicy has no GNP-only fields.
    expectError(res('NetworkPolicy', 'np', { preDNAT: true }), 'spec.preDNAT', /unknown field/, true);
    expectError(res('NetworkPolicy', 'np', { types: ['Ingress', 'Ingress'] }), 'spec.types', /repeat/, true);
    expectError(res('NetworkPolicy', 'np', { types: ['Inbound'] }), 'spec.types[0]', /Ingress, Egress/, true);
  });
});

describe('BGP validation and defaults', () => {
  test('global BGPConfiguration gets Calico defaults; per-node does not', () => {
    assert.deepEqual(applyDefaults(res('BGPConfiguration', 'default', {})).spec, { asNumber: 64512, nodeToNodeMeshEnabled: true, logSeverityScreen: 'Info' });
    assert.deepEqual(applyDefaults(res('BGPConfiguration', 'default', { asNumber: 65000, nodeToNodeMeshEnabled: false })).spec,
      { asNumber: 65000, nodeToNodeMeshEnabled: false, logSeverityScreen: 'Info' });
    assert.deepEqual(applyDefaults(res('BGPConfiguration', 'node.a', { listenPort: 179 })).spec, { listenPort: 179 });
    expectError(res('BGPConfiguration', 'node.a', { nodeToNodeMeshEnabled: false }), 'spec.nodeToNodeMeshEnabled', /only valid on the global/);
    expectError(res('BGPConfiguration', 'default', { communities: [{ name: 'c', value: '1:2' }] }), 'spec.communities', /not used/);
    expectError(res('BGPConfiguration', 'default', { communities: [{ name: 'c', value: '70000:1' }], prefixAdvertisements: [{ cidr: '10.0.0.0/8', communities: ['c'] }] }), 'spec.communities[0].value', /16 bit/);
    expectError(res('BGPConfiguration', 'default', { prefixAdvertisements: [{ cidr: '10.0.0.0/8', communities: ['undefined-name'] }] }), 'spec.prefixAdvertisements[0].communities[0]', /invalid or not defined/);
    assert.deepEqual(fieldsOf(res('BGPConfiguration', 'default', { communities: [{ name: 'c', value: '64512:300:100' }], prefixAdvertisements: [{ cidr: '10.0.0.0/8', communities: ['c', '64512:120'] }] })), []);
  });

  test('AS numbers', () => {
    for (const ok of [1, 64512, 4294967295, '65000', '1.10']) assert.deepEqual(fieldsOf(res('BGPConfiguration', 'default', { asNumber: ok })), [], String(ok));
    for (const bad of [0, -1, 4294967296, 1.5, 'abc', '65536.1', true]) {
      expectError(res('BGPConfiguration', 'default', { asNumber: bad }), 'spec.asNumber', /AS number/);
    }
  });

  test('BGPPeer field combinations and addresses', () => {
    assert.deepEqual(fieldsOf(res('BGPPeer', 'p', { peerIP: '192.168.1.1', asNumber: 63400 })), []);
    assert.deepEqual(fieldsOf(res('BGPPeer', 'p', { peerIP: '10.0.0.1:1790', asNumber: 63400 })), []);
    assert.deepEqual(fieldsOf(res('BGPPeer', 'p', { peerIP: '[fd00::1]:179', asNumber: 63400 })), []);
    assert.deepEqual(fieldsOf(res('BGPPeer', 'p', { nodeSelector: 'all()', peerSelector: "route-reflector == 'true'" })), []);
    expectError(res('BGPPeer', 'p', { peerIP: '300.1.1.1', asNumber: 1 }), 'spec.peerIP', /IP address/);
    expectError(res('BGPPeer', 'p', { peerIP: '10.0.0.1:99999', asNumber: 1 }), 'spec.peerIP', /IP address/);
    expectError(res('BGPPeer', 'p', { node: 'a', nodeSelector: 'all()', peerIP: '10.0.0.1', asNumber: 1 }), 'spec.nodeSelector', /cannot both/);
    expectError(res('BGPPeer', 'p', { peerIP: '10.0.0.1', peerSelector: 'all()' }), 'spec.peerSelector', /cannot both/);
    expectError(res('BGPPeer', 'p', { peerIP: '10.0.0.1' }), 'spec.asNumber', /required/);
    expectError(res('BGPPeer', 'p', {}), 'spec.peerIP', /peerIP or peerSelector/);
    expectError(res('BGPPeer', 'p', { peerIP: '10.0.0.1', asNumber: 1, maxRestartTime: '2 minutes' }), 'spec.maxRestartTime', /duration/);
    expectError(res('BGPPeer', 'p', { peerIP: '10.0.0.1:179', asNumber: 1, reachableBy: 'fd00::1' }), 'spec.reachableBy', /family mismatched/);
    assert.deepEqual(fieldsOf(res('BGPPeer', 'p', { peerIP: '10.0.0.1:179', asNumber: 1, reachableBy: '10.0.0.254' })), []);
  });

  test('Node addresses', () => {
    assert.deepEqual(fieldsOf(res('Node', 'n1', { bgp: { ipv4Address: '10.0.0.5/24', ipv4IPIPTunnelAddr: '10.244.0.1' }, ipv4VXLANTunnelAddr: '10.244.1.0', vxlanTunnelMACAddr: '66:2a:00:00:00:01' })), []);
    expectError(res('Node', 'n1', { bgp: { ipv4Address: 'fd00::1/64' } }), 'spec.bgp.ipv4Address', /IPv4/);
    expectError(res('Node', 'n1', { vxlanTunnelMACAddr: 'zz:zz' }), 'spec.vxlanTunnelMACAddr', /MAC/);
    expectError(res('Node', 'n1', { bgp: {} }), 'spec.bgp', /should not be empty/);
  });
});

describe('other kinds', () => {
  test('endpoints and sets', () => {
    const wep = res('WorkloadEndpoint', 'node1-k8s-pod1-eth0', { node: 'node1', orchestrator: 'k8s', pod: 'pod1', endpoint: 'eth0', interfaceName: 'cali0123456789a', ipNetworks: ['10.244.1.5/32'], mac: 'ee:ee:ee:ee:ee:ee', profiles: ['kns.default'] });
    assert.deepEqual(fieldsOf(wep, true), []);
    expectError(res('WorkloadEndpoint', 'w', { node: 'n', interfaceName: 'this-name-is-too-long' }), 'spec.interfaceName', /1-15/, true);
    assert.deepEqual(fieldsOf(res('HostEndpoint', 'h', { node: 'n', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] })), []);
    expectError(res('HostEndpoint', 'h', { node: 'n' }), 'spec.interfaceName', /either interfaceName or expectedIPs/);
    expectError(res('GlobalNetworkSet', 'g', { nets: ['10.0.0.0/8', 'nope'] }), 'spec.nets[1]', /CIDR/);
    expectError(res('GlobalNetworkSet', 'g', {}, { labels: { 'projectcalico.org/namespace': 'x' } }), 'metadata.labels["projectcalico.org/namespace"]', /not a valid label name/);
    expectError(res('WorkloadEndpoint', 'w', { node: 'n', interfaceName: 'cali0', ipNetworks: ['10.0.0.0/24'] }), 'spec.ipNetworks[0]', /multiple addresses/, true);
    expectError(res('WorkloadEndpoint', 'w', { node: 'n', interfaceName: 'cali0', ipNetworks: ['10.0.0.1/32'], ipNATs: [{ internalIP: '10.0.0.2', externalIP: '1.1.1.1' }] }), 'spec.ipNATs[0].internalIP', /not in the endpoint networks/, true);
    expectError(res('WorkloadEndpoint', 'w', { node: 'n', interfaceName: 'cali0', ports: [{ name: 'dns', protocol: 'ICMP', port: 53 }] }), 'spec.ports[0].protocol', /does not support ports/, true);
    expectError(res('HostEndpoint', 'h', { node: 'n', interfaceName: 'eth0', ports: [{ protocol: 'TCP', port: 80 }] }), 'spec.ports[0].name', /must not be empty/);
  });

  test('FelixConfiguration: known parameters typed, unknown rejected', () => {
    assert.deepEqual(fieldsOf(res('FelixConfiguration', 'default', { logSeverityScreen: 'Info', vxlanVNI: 4096, routeRefreshInterval: '90s', bpfEnabled: false, failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22 }] })), []);
    expectError(res('FelixConfiguration', 'default', { vxlanVNI: 1 << 25 }), 'spec.vxlanVNI', /between/);
    expectError(res('FelixConfiguration', 'default', { defaultEndpointToHostAction: 'Allow' }), 'spec.defaultEndpointToHostAction', /Drop, Accept, Return/);
    expectError(res('FelixConfiguration', 'default', { notAFelixParam: true }), 'spec.notAFelixParam', /unknown field/);
  });
});
