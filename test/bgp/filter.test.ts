// BGPFilter: the resource's validation, and rule evaluation as Calico's confd renders rules into BIRD
// (template_funcs.go filterStatement / filterMatchCIDR / filterMatchPrefixLength, bgp_processor.go
// buildImportFilter / buildExportFilter). The BIRD expressions each case stands for are in the names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, peerFilters, type FilterRoute, type FilterRule } from '../../src/bgp/filter.ts';
import { validateResource } from '../../src/api/validate.ts';
import { unenforcedFields } from '../../src/api/unenforced.ts';
import type { Resource } from '../../src/api/resource.ts';
import type { PathAttributes } from '../../src/bgp/codec.ts';

const filter = (name: string, spec: Record<string, unknown>): Resource => ({ apiVersion: 'projectcalico.org/v3', kind: 'BGPFilter', metadata: { name }, spec });
const route = (prefix: string, over: Partial<FilterRoute> = {}, attrs: PathAttributes = {}): FilterRoute => ({ prefix, learned: true, attrs, ...over });

/** Compile one filter's rules for a direction. */
function rules(spec: Record<string, unknown>, dir: 'import' | 'export' = 'import'): FilterRule[] {
  const warnings: string[] = [];
  const f = peerFilters(['f'], [filter('f', spec)], 'BGPPeer p', warnings);
  assert.deepEqual(warnings, []);
  return f?.[dir] ?? [];
}
const verdict = (rs: FilterRule[], r: FilterRoute, ibgp = true) => evaluateFilter(rs, r, ibgp)?.action;

describe('BGPFilter rule matching (BIRD semantics of the rendered rules)', () => {
  const one = (rule: Record<string, unknown>) => rules({ importV4: [rule], importV6: [rule.cidr ? { ...rule, cidr: '2001:db8::/32' } : rule] });

  test('Equal: `net = cidr` matches that prefix only', () => {
    const rs = one({ cidr: '10.0.0.0/16', matchOperator: 'Equal', action: 'Reject' });
    assert.equal(verdict(rs, route('10.0.0.0/16')), 'reject');
    assert.equal(verdict(rs, route('10.0.1.0/24')), undefined);
    assert.equal(verdict(rs, route('10.0.0.0/8')), undefined);
  });

  test('NotEqual: `net != cidr` matches every other prefix', () => {
    const rs = one({ cidr: '10.0.0.0/16', matchOperator: 'NotEqual', action: 'Reject' });
    assert.equal(verdict(rs, route('10.0.0.0/16')), undefined);
    assert.equal(verdict(rs, route('10.0.1.0/24')), 'reject');
    assert.equal(verdict(rs, route('192.168.0.0/16')), 'reject');
  });

  test('In: `net ~ cidr` matches the prefix and everything inside it', () => {
    const rs = one({ cidr: '10.0.0.0/16', matchOperator: 'In', action: 'Reject' });
    assert.equal(verdict(rs, route('10.0.0.0/16')), 'reject');
    assert.equal(verdict(rs, route('10.0.200.0/24')), 'reject');
    assert.equal(verdict(rs, route('10.0.5.7/32')), 'reject');
    assert.equal(verdict(rs, route('10.0.0.0/8')), undefined, 'a shorter prefix is not inside');
    assert.equal(verdict(rs, route('10.1.0.0/24')), undefined);
  });

  test('NotIn: `net !~ cidr`', () => {
    const rs = one({ cidr: '10.0.0.0/16', matchOperator: 'NotIn', action: 'Reject' });
    assert.equal(verdict(rs, route('10.0.3.0/24')), undefined);
    assert.equal(verdict(rs, route('10.0.0.0/8')), 'reject');
    assert.equal(verdict(rs, route('172.16.0.0/12')), 'reject');
  });

  test('prefixLength: `net ~ [ cidr{max(len,min),min(32,max)} ]`', () => {
    const rs = rules({ importV4: [{ cidr: '10.244.0.0/16', matchOperator: 'In', prefixLength: { min: 24, max: 28 }, action: 'Accept' }, { action: 'Reject' }] });
    assert.equal(verdict(rs, route('10.244.5.0/24')), 'accept');
    assert.equal(verdict(rs, route('10.244.5.16/28')), 'accept');
    assert.equal(verdict(rs, route('10.244.5.0/29')), 'reject', 'longer than max');
    assert.equal(verdict(rs, route('10.244.0.0/20')), 'reject', 'shorter than min');
    assert.equal(verdict(rs, route('10.245.5.0/24')), 'reject', 'outside the cidr');
    // Only min: max defaults to 32; only max: min defaults to the cidr's own length.
    const onlyMax = rules({ importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'In', prefixLength: { max: 16 }, action: 'Reject' }] });
    assert.equal(verdict(onlyMax, route('10.0.0.0/8')), 'reject');
    assert.equal(verdict(onlyMax, route('10.7.0.0/16')), 'reject');
    assert.equal(verdict(onlyMax, route('10.7.1.0/24')), undefined);
    const notIn = rules({ importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'NotIn', prefixLength: { min: 24 }, action: 'Reject' }] });
    assert.equal(verdict(notIn, route('10.7.1.0/24')), undefined);
    assert.equal(verdict(notIn, route('10.7.0.0/16')), 'reject');
  });

  test('source RemotePeers: `source ~ [ RTS_BGP ]`, so locally originated routes do not match', () => {
    const rs = rules({ exportV4: [{ source: 'RemotePeers', action: 'Reject' }] }, 'export');
    assert.equal(verdict(rs, route('10.0.0.0/24', { learned: true })), 'reject');
    assert.equal(verdict(rs, route('10.0.0.0/24', { learned: false })), undefined);
  });

  test('conditions are ANDed; a rule without conditions is a bare action', () => {
    const rs = rules({ exportV4: [{ cidr: '77.1.0.0/16', matchOperator: 'In', source: 'RemotePeers', action: 'Reject' }, { action: 'Accept' }] }, 'export');
    assert.equal(verdict(rs, route('77.1.2.0/24', { learned: true })), 'reject');
    assert.equal(verdict(rs, route('77.1.2.0/24', { learned: false })), 'accept');
  });

  test('rules in order, the first match decides; no match leaves the default to the caller', () => {
    const rs = rules({ importV4: [
      { cidr: '44.0.0.0/16', matchOperator: 'In', action: 'Accept' },
      { cidr: '44.0.0.0/8', matchOperator: 'In', action: 'Reject' },
    ] });
    assert.equal(verdict(rs, route('44.0.1.0/24')), 'accept');
    assert.equal(verdict(rs, route('44.9.1.0/24')), 'reject');
    assert.equal(verdict(rs, route('45.0.0.0/24')), undefined);
  });

  test('a family\'s rules apply to that family only', () => {
    const rs = rules({ importV4: [{ action: 'Reject' }], importV6: [{ cidr: 'fd00::/8', matchOperator: 'In', action: 'Reject' }] });
    assert.equal(verdict(rs, route('10.0.0.0/24')), 'reject');
    assert.equal(verdict(rs, route('fd00:1::/64')), 'reject');
    assert.equal(verdict(rs, route('2001:db8::/64')), undefined);
  });

  test('peerType: `is_same_as` guards (iBGP = the peer is in our AS)', () => {
    const rs = rules({ importV4: [{ peerType: 'eBGP', action: 'Reject' }] });
    assert.equal(verdict(rs, route('10.0.0.0/24'), false), 'reject');
    assert.equal(verdict(rs, route('10.0.0.0/24'), true), undefined);
  });

  test('asPathPrefix `[= 65000 65001 * =]` and a standard community', () => {
    const rs = rules({ importV4: [{ asPathPrefix: [65000, 65001], communities: { values: ['65000:100'] }, action: 'Reject' }] });
    const path = (asns: number[], communities?: number[]): PathAttributes => ({ asPath: [{ type: 2, asns }], ...(communities ? { communities } : {}) });
    const c = 65000 * 65536 + 100;
    assert.equal(verdict(rs, route('10.0.0.0/24', {}, path([65000, 65001, 7], [c]))), 'reject');
    assert.equal(verdict(rs, route('10.0.0.0/24', {}, path([65000, 65001], [c]))), 'reject');
    assert.equal(verdict(rs, route('10.0.0.0/24', {}, path([65001, 65000], [c]))), undefined);
    assert.equal(verdict(rs, route('10.0.0.0/24', {}, path([65000, 65001]))), undefined, 'community missing');
  });

  test('interface: Tabby\'s routes have no outgoing interface (`defined(ifname)` is false): the rule matches nothing', () => {
    const rs = rules({ importV4: [{ interface: 'eth*', action: 'Reject' }] });
    assert.equal(verdict(rs, route('10.0.0.0/24')), undefined);
  });
});

describe('a BGPPeer\'s filters', () => {
  test('filters run in the order the peer lists them; rules of one direction only', () => {
    const a = filter('a', { importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'In', action: 'Accept' }], exportV4: [{ action: 'Reject' }] });
    const b = filter('b', { importV4: [{ action: 'Reject' }] });
    const ab = peerFilters(['a', 'b'], [b, a], 'BGPPeer p', [])!;
    assert.equal(verdict(ab.import, route('10.1.0.0/16')), 'accept');
    assert.equal(verdict(ab.import, route('11.1.0.0/16')), 'reject');
    assert.equal(ab.export.length, 1);
    const ba = peerFilters(['b', 'a'], [a, b], 'BGPPeer p', [])!;
    assert.equal(verdict(ba.import, route('10.1.0.0/16')), 'reject', 'b first: its catch-all wins');
    assert.deepEqual(ba.import.map((r) => r.origin), ['BGPFilter b importV4[0]', 'BGPFilter a importV4[0]']);
  });

  test('a filter that does not exist is skipped with a warning (confd skips it too)', () => {
    const warnings: string[] = [];
    assert.equal(peerFilters(['missing'], [], 'BGPPeer tor', warnings), undefined);
    assert.deepEqual(warnings, ['BGPPeer tor: BGPFilter "missing" not found; skipped']);
  });
});

describe('BGPFilter validation', () => {
  const errors = (spec: unknown) => validateResource({ apiVersion: 'projectcalico.org/v3', kind: 'BGPFilter', metadata: { name: 'f' }, spec })
    .map((e) => `${e.field}: ${e.message}`);

  test('a full, valid filter passes', () => {
    assert.deepEqual(errors({
      exportV4: [{ cidr: '10.0.0.0/16', matchOperator: 'In', prefixLength: { min: 24, max: 26 }, source: 'RemotePeers', action: 'Accept' }, { action: 'Reject' }],
      importV4: [{ cidr: '44.0.0.0/16', matchOperator: 'NotIn', interface: 'eth*', action: 'Reject' }],
      exportV6: [{ cidr: 'fd00::/8', matchOperator: 'Equal', peerType: 'eBGP', action: 'Accept' }],
      importV6: [{ asPathPrefix: [65000, '1.10'], communities: { values: ['65000:1'] }, action: 'Accept' }],
    }), []);
  });

  const bad: [string, unknown, RegExp][] = [
    ['action is required', { importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'In' }] }, /spec.importV4\[0\].action: is required/],
    ['action is Accept or Reject', { importV4: [{ action: 'Drop' }] }, /action: must be one of Accept, Reject/],
    ['an IPv6 cidr in a V4 rule', { exportV4: [{ cidr: 'fd00::/8', matchOperator: 'In', action: 'Accept' }] }, /exportV4\[0\].cidr: must be an IPv4 CIDR/],
    ['an IPv4 cidr in a V6 rule', { importV6: [{ cidr: '10.0.0.0/8', matchOperator: 'In', action: 'Accept' }] }, /importV6\[0\].cidr: must be an IPv6 CIDR/],
    ['cidr without matchOperator', { importV4: [{ cidr: '10.0.0.0/8', action: 'Accept' }] }, /matchOperator: cidr and matchOperator must both be set/],
    ['matchOperator without cidr', { importV4: [{ matchOperator: 'In', action: 'Accept' }] }, /cidr: cidr and matchOperator must both be set/],
    ['an unknown operator', { importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'Contains', action: 'Accept' }] }, /matchOperator: must be one of Equal, NotEqual, In, NotIn/],
    ['prefixLength without cidr', { importV4: [{ prefixLength: { min: 24 }, action: 'Accept' }] }, /prefixLength: cidr is required when prefixLength is set/],
    ['prefixLength beyond the family', { importV4: [{ cidr: '10.0.0.0/8', matchOperator: 'In', prefixLength: { max: 33 }, action: 'Accept' }] }, /prefixLength.max: must be between 0 and 32/],
    ['an empty prefix-length range', { importV4: [{ cidr: '10.0.0.0/16', matchOperator: 'In', prefixLength: { max: 8 }, action: 'Accept' }] }, /no prefix length can match: the range is \/16 to \/8/],
    ['prefixLength with Equal', { importV4: [{ cidr: '10.0.0.0/16', matchOperator: 'Equal', prefixLength: { min: 24 }, action: 'Accept' }] }, /prefixLength can only be used with matchOperator In or NotIn/],
    ['source other than RemotePeers', { exportV4: [{ source: 'Local', action: 'Accept' }] }, /source: must be one of RemotePeers/],
    ['a bad interface name', { exportV4: [{ interface: 'eth0/1', action: 'Accept' }] }, /interface: must be an interface name or pattern/],
    ['operations with Reject', { exportV4: [{ action: 'Reject', operations: [{ setPriority: { value: 5 } }] }] }, /operations may only be used with action Accept/],
    ['an unknown field', { importV4: [{ action: 'Accept', cidrs: ['10.0.0.0/8'] }] }, /unknown field "cidrs"/],
    ['an unknown direction', { importv4: [] }, /unknown field "importv4"/],
  ];
  for (const [name, spec, re] of bad) test(`refused: ${name}`, () => assert.match(errors(spec).join('\n'), re));

  test('what Tabby cannot honour is named: priority, operations and large communities refused, interface warned', () => {
    const fields = unenforcedFields(filter('f', {
      importV4: [{ priority: 512, action: 'Accept' }, { interface: 'eth0', action: 'Reject' }],
      exportV4: [{ action: 'Accept', operations: [{ addCommunity: { value: '65000:1' } }] }],
      exportV6: [{ communities: { values: ['65000:1:2'] }, action: 'Reject' }, { communities: { values: ['65000:1'] }, action: 'Reject' }],
    }));
    assert.deepEqual(fields.map((f) => [f.field, f.verdict]), [
      ['spec.exportV4[0].operations', 'refuse'], ['spec.importV4[0].priority', 'refuse'], ['spec.importV4[1].interface', 'warn'],
      ['spec.exportV6[0].communities.values[0]', 'refuse'],
    ]);
  });

  test('BGPPeer filters, numAllowedLocalASNumbers and reversePeering are honoured now: no longer reported', () => {
    const peer: Resource = { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'p' },
      spec: { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'], numAllowedLocalASNumbers: 2, reversePeering: 'Manual', keepOriginalNextHop: true, maxRestartTime: '30s' } };
    assert.deepEqual(unenforcedFields(peer), []);
  });
});
