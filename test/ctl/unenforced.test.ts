// Issue #20 item 2 on the command line: a security setting Tabby cannot honour is refused; other settings it
// accepts but does not enforce are stored with a warning on stderr (exit 0). The table: test/api/unenforced.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CtlHarness } from './helpers.ts';

const PEER_WITH_PASSWORD = `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec:
  peerIP: 192.0.2.1
  asNumber: 65001
  password: {secretKeyRef: {name: bgp-secrets, key: tor}}
`;
const BGP_CONFIG = `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec:
  serviceClusterIPs: [{cidr: 10.96.0.0/12}]
  serviceExternalIPs: [{cidr: 198.51.100.0/24}]
  communities: [{name: mine, value: "65001:100"}]
  prefixAdvertisements: [{cidr: 10.244.0.0/16, communities: [mine]}]
`;

describe('apply', () => {
  test('a BGPPeer password (TCP MD5) is stored without a warning; bad secret references are refused, naming the field', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', '-'], PEER_WITH_PASSWORD);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual((await h.ds.get('BGPPeer', 'tor'))?.spec?.password, { secretKeyRef: { name: 'bgp-secrets', key: 'tor' } });
    const bad = async (password: string, field: RegExp) => {
      const out = await h.run(['apply', '-f', '-'], PEER_WITH_PASSWORD.replace('{secretKeyRef: {name: bgp-secrets, key: tor}}', password).replace('name: tor', 'name: bad'));
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stderr, field);
      assert.equal(await h.ds.get('BGPPeer', 'bad'), undefined);
    };
    await bad('{}', /spec\.password\.secretKeyRef = '' \(is required\)/);
    await bad('{secretKeyRef: {name: bgp-secrets}}', /spec\.password\.secretKeyRef\.key = '' \(is required\)/);
    await bad('{secretKeyRef: {name: Bgp_Secrets, key: tor}}', /spec\.password\.secretKeyRef\.name = 'Bgp_Secrets'/);
    await bad('{secretKeyRef: {name: bgp-secrets, key: ../tor}}', /spec\.password\.secretKeyRef\.key = '\.\.\/tor' \(a Secret key must consist of alphanumeric/);
    await bad('"plain-text"', /spec\.password = 'plain-text' \(must be an object/);
  });

  test('service IPs and community advertisements are stored with a warning on stderr, exit 0', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', '-'], BGP_CONFIG);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Successfully applied 1 'BGPConfiguration' resource\(s\)/);
    assert.match(r.stderr, /^Warning: BGPConfiguration\(default\): accepted but not enforced by Tabby: spec\.serviceClusterIPs \(service cluster IPs are not advertised over BGP\); spec\.serviceExternalIPs/m);
    assert.match(r.stderr, /spec\.prefixAdvertisements \(BGP communities are not attached/);
    assert.ok(await h.ds.get('BGPConfiguration', 'default'));
    const plain = await h.run(['apply', '-f', '-'], 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.1.0.0/16}\n');
    assert.equal(plain.stderr, '', 'an object using only enforced fields gets no warning');
  });
});

