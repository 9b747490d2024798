// calicoctl convert's v1 → v3 mapping, with libcalico-go's converter test vectors (names_test.go,
// bgppeer_test.go) as facts: name normalisation and its sha1 qualifier, IPs as names, BGP peer names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { convertName, convertNameNoDots, convertV1, ipToName, normalizeName, V1ConvertError } from '../../src/api/v1-convert.ts';

const NAMES: [string, string, boolean][] = [
  ['abcdef', 'abcdef', false], ['Abcdef', 'abcdef', true], ['abc---def', 'abc---def', false], ['abc/def', 'abc.def', true],
  ['abc$!$def', 'abc-def', true], ['abc...def', 'abc.def', true], ['abc-.-def', 'abc.def', true], ['-.abc.def', 'abc.def', true],
  ['abc.def.-', 'abc.def', true], ['$ABC/DeF-123.-456!', 'abc.def-123.456', true],
];
const NO_DOTS: [string, string][] = [['abc/def', 'abc-def'], ['abc.-.def', 'abc-def'], ['$ABC/DeF-123.-456!', 'abc-def-123-456']];

describe('v1 → v3 names (libcalico-go names_test.go vectors)', () => {
  test('convertName: normalised, with an 8-hex sha1 qualifier when the name changed', () => {
    for (const [v1, v3, qualified] of NAMES) {
      const c = convertName(v1);
      if (!qualified) { assert.equal(c, v3); continue; }
      assert.equal(c.slice(0, -9), v3, v1);
      assert.match(c.slice(-9), /^-[0-9a-f]{8}$/);
      assert.notEqual(convertName(v1.toUpperCase()), c, 'upper-case variant gets another qualifier');
    }
  });
  test('convertNameNoDots and node names', () => {
    for (const [v1, v3] of NO_DOTS) assert.equal(convertNameNoDots(v1).slice(0, -9), v3);
    assert.equal(normalizeName('$ABC/DEF-123.-456!'), 'abc.def-123.456');
  });
  test('IPs as names', () => {
    assert.equal(ipToName('192.168.0.1'), '192-168-0-1');
    assert.equal(ipToName('Aa:bb::'), '00aa-00bb-0000-0000-0000-0000-0000-0000');
    assert.equal(ipToName('0Aa:bb::50'), '00aa-00bb-0000-0000-0000-0000-0000-0050');
  });
});

describe('v1 → v3 resources', () => {
  test('BGP peers (bgppeer_test.go vectors)', () => {
    const g = convertV1({ apiVersion: 'v1', kind: 'bgpPeer', metadata: { scope: 'global', peerIP: 'Aa:bb::' }, spec: { asNumber: 255 } });
    assert.deepEqual([g.metadata.name, g.spec], ['00aa-00bb-0000-0000-0000-0000-0000-0000', { peerIP: 'aa:bb::', asNumber: 255 }]);
    const n = convertV1({ apiVersion: 'v1', kind: 'bgpPeer', metadata: { scope: 'node', node: 'namedNode', peerIP: '10.0.0.1' }, spec: { asNumber: 255 } });
    assert.deepEqual([n.metadata.name, n.spec], ['namednode.10-0-0-1', { peerIP: '10.0.0.1', asNumber: 255, node: 'namednode' }]);
    for (const md of [{ scope: 'global' }, { scope: 'global', node: 'x', peerIP: '10.0.0.1' }, { scope: 'node', peerIP: '10.0.0.1' }]) {
      assert.throws(() => convertV1({ apiVersion: 'v1', kind: 'bgpPeer', metadata: md, spec: { asNumber: 255 } }), V1ConvertError);
    }
  });
  test('a policy becomes GlobalNetworkPolicy <tier>.<name>: tags to selectors, next-tier to Pass, lower-case protocols upper-case', () => {
    const p = convertV1({
      apiVersion: 'v1', kind: 'policy', metadata: { name: 'allow-tcp-6379' },
      spec: { order: 10, selector: "role == 'database'", ingress: [{ action: 'allow', protocol: 'tcp', source: { tag: 'frontend', net: '10.1.2.3/16' }, destination: { ports: [6379] } }, { action: 'next-tier' }] },
    });
    assert.equal(p.kind, 'GlobalNetworkPolicy');
    assert.equal(p.metadata.name, 'default.allow-tcp-6379');
    assert.deepEqual(p.metadata.labels, { 'projectcalico.org/tier': 'default' });
    assert.deepEqual(p.spec.types, ['Ingress'], 'no egress rules: ingress only, as the v1 API defaulted');
    assert.deepEqual(p.spec.ingress[0], { action: 'Allow', protocol: 'TCP', source: { nets: ['10.1.0.0/16'], selector: "frontend == ''" }, destination: { ports: [6379] } });
    assert.equal(p.spec.ingress[1].action, 'Pass');
  });
  test('an ipPool keeps its CIDR, maps ipip.mode cross-subnet to CrossSubnet, nat-outgoing to natOutgoing', () => {
    const p = convertV1({ apiVersion: 'v1', kind: 'ipPool', metadata: { cidr: '192.168.0.0/16' }, spec: { ipip: { enabled: true, mode: 'cross-subnet' }, 'nat-outgoing': true } });
    assert.equal(p.metadata.name, '192-168-0-0-16');
    assert.deepEqual(p.spec, { cidr: '192.168.0.0/16', ipipMode: 'CrossSubnet', vxlanMode: 'Never', natOutgoing: true, disabled: false, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], blockSize: 26 });
  });
  test('a profile: k8s_ns. becomes kns., tags become labelsToApply', () => {
    const p = convertV1({ apiVersion: 'v1', kind: 'profile', metadata: { name: 'k8s_ns.default', tags: ['web'], labels: { a: 'b' } }, spec: {} });
    assert.equal(p.metadata.name, 'kns.default', 'renamed before normalising, so no qualifier');
    assert.deepEqual(p.spec.labelsToApply, { a: 'b', web: '' });
  });
});
