// Issue #20 item 2: settings Tabby accepts but does not enforce are refused (security-relevant) or warned about,
// on apply (test/ctl/unenforced.test.ts) and in the agent's log (once per object version): the table itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { refusedFields, UnenforcedReporter, unenforcedFields, unenforcedWarning } from '../../src/api/unenforced.ts';
import type { Resource } from '../../src/api/resource.ts';

const res = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string): Resource =>
  ({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec });

describe('the table', () => {
  test('security settings are refused; defaults and implemented modes are not reported', () => {
    assert.deepEqual(refusedFields(res('BGPPeer', 'p', { peerIP: '192.0.2.1', asNumber: 65001, ttlSecurity: 1 })).map((e) => e.field), ['spec.ttlSecurity']);
    assert.deepEqual(refusedFields(res('BGPPeer', 'p', { peerIP: '192.0.2.1', asNumber: 65001, ttlSecurity: 0, restartMode: 'GracefulRestart', failureDetectionMode: 'None' })), []);
    // TCP MD5 passwords are implemented (docs/bgp.md): neither refused nor warned about.
    assert.deepEqual(unenforcedFields(res('BGPConfiguration', 'default', { nodeMeshPassword: { secretKeyRef: { name: 's', key: 'k' } } })), []);
    assert.deepEqual(unenforcedFields(res('BGPPeer', 'p', { peerIP: '192.0.2.1', asNumber: 65001, password: { secretKeyRef: { name: 's', key: 'k' } } })), []);
    assert.deepEqual(refusedFields(res('FelixConfiguration', 'default', { wireguardEnabled: true, defaultEndpointToHostAction: 'Drop' })).map((e) => e.field).sort(),
      ['spec.wireguardEnabled']);
    assert.deepEqual(unenforcedFields(res('FelixConfiguration', 'default', { wireguardEnabled: false, vxlanVNI: 4097, defaultEndpointToHostAction: 'Accept' })), []);
    assert.deepEqual(unenforcedFields(res('FelixConfiguration', 'default', { logSeverityScreen: 'Info', reportingInterval: '0s' })).map((f) => f.field), ['spec.logSeverityScreen', 'spec.reportingInterval']);
  });

  test('host endpoints and their policy options are enforced: neither refused nor warned about', () => {
    assert.deepEqual(unenforcedFields(res('HostEndpoint', 'h', { node: 'n1', interfaceName: 'eth0', expectedIPs: ['192.0.2.1'], profiles: ['p'] })), []);
    assert.deepEqual(unenforcedFields(res('GlobalNetworkPolicy', 'g', { doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Allow' }] })), []);
    assert.deepEqual(unenforcedFields(res('GlobalNetworkPolicy', 'g', { preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] })), []);
    assert.deepEqual(unenforcedFields(res('FelixConfiguration', 'default', {
      failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22 }], failsafeOutboundHostPorts: [], defaultEndpointToHostAction: 'Drop',
    })), []);
  });

  test('policy rules: HTTP and Service matches are refused (Allow would match everything), wherever they are', () => {
    const gnp = res('GlobalNetworkPolicy', 'g', { ingress: [{ action: 'Allow' }, { action: 'Allow', http: { methods: ['GET'] } }], egress: [{ action: 'Allow', destination: { services: { name: 'kubernetes', namespace: 'default' } } }] });
    assert.deepEqual(refusedFields(gnp).map((e) => e.field), ['spec.ingress[1].http', 'spec.egress[0].destination.services']);
    assert.equal(unenforcedWarning(res('NetworkPolicy', 'n', { ingress: [{ action: 'Allow' }] }, 'default')), undefined);
  });
});

describe('the agent log', () => {
  test('an unenforced setting is logged once per version of the object, not at every recalculation', () => {
    let text = '';
    const log = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { text += String(c); cb(); } }));
    const r = new UnenforcedReporter(log);
    const cfg = res('BGPConfiguration', 'default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] });
    cfg.metadata.resourceVersion = '5';
    for (let i = 0; i < 3; i++) r.check([cfg]);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; resource: string; fields: string[] });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.resource, 'BGPConfiguration(default)');
    assert.deepEqual(lines[0]!.fields, ['spec.serviceClusterIPs: service cluster IPs are not advertised over BGP']);
    r.check([{ ...cfg, metadata: { ...cfg.metadata, resourceVersion: '6' } }]);
    assert.equal(text.trim().split('\n').length, 2);
  });
});
