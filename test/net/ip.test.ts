import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressAt, canonicalCIDR, canonicalIP, cidrContains, cidrContainsIP, cidrSize, cidrToName, cidrsOverlap, compareIP,
  formatCIDR, isMAC, isMasked, lastAddress, maskCIDR, offsetOf, parseCIDR, parseIP, subnets, tryParseCIDR,
  tryParseCIDROrIP, tryParseIP, IPV4_LINK_LOCAL, formatIP,
} from '../../src/net/ip.ts';

describe('IP parsing', () => {
  test('IPv4 accepts dotted quads and rejects everything else', () => {
    assert.equal(parseIP('10.0.0.1').value, 0x0a000001n);
    assert.equal(parseIP('255.255.255.255').value, 0xffffffffn);
    for (const bad of ['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/32', '', 'a.b.c.d']) {
      assert.equal(tryParseIP(bad), undefined, bad);
    }
  });

  test('IPv6 forms: full, compressed, embedded IPv4', () => {
    assert.equal(parseIP('::').value, 0n);
    assert.equal(parseIP('::1').value, 1n);
    assert.equal(parseIP('2001:db8::1').value, (0x20010db8n << 96n) | 1n);
    assert.equal(parseIP('2001:0db8:0000:0000:0000:0000:0000:0001').value, (0x20010db8n << 96n) | 1n);
    assert.equal(parseIP('::ffff:10.0.0.1').value, (0xffffn << 32n) | 0x0a000001n);
    for (const bad of ['2001:db8::1::2', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', ':::', '::ffff:300.0.0.1', '1:2:3:4:5:6:7:8::']) {
      assert.equal(tryParseIP(bad), undefined, bad);
    }
  });

  test('formatting is canonical (RFC 5952)', () => {
    assert.equal(canonicalIP('2001:0DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIP('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1'); // longest run compressed
    assert.equal(canonicalIP('2001:0:0:1:0:0:1:1'), '2001::1:0:0:1:1'); // first run on ties
    assert.equal(canonicalIP('2001:db8:1:1:1:1:0:1'), '2001:db8:1:1:1:1:0:1'); // single zero group not compressed
    assert.equal(canonicalIP('::'), '::');
    assert.equal(canonicalIP('fe80::'), 'fe80::');
    assert.equal(formatIP({ family: 4, value: 0xc0a80001n }), '192.168.0.1');
  });

  test('MAC addresses', () => {
    assert.ok(isMAC('ee:ee:ee:ee:ee:ee'));
    assert.ok(isMAC('66-1A-00-00-00-01'));
    assert.ok(!isMAC('ee:ee:ee:ee:ee'));
    assert.ok(!isMAC('ee:ee-ee:ee:ee:ee'));
  });
});

describe('CIDR arithmetic', () => {
  test('parse, mask, format', () => {
    const c = parseCIDR('10.244.1.7/24');
    assert.equal(c.prefix, 24);
    assert.equal(isMasked(c), false);
    assert.equal(formatCIDR(maskCIDR(c)), '10.244.1.0/24');
    assert.equal(canonicalCIDR('fd00:10:244::7/64'), 'fd00:10:244::/64');
    assert.equal(isMasked(parseCIDR('0.0.0.0/0')), true);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0', '10.0.0.0/08', '::/129', '10.0.0.0/24/1']) {
      assert.equal(tryParseCIDR(bad), undefined, bad);
    }
  });

  test('bare addresses become host routes where Calico allows them', () => {
    assert.equal(formatCIDR(tryParseCIDROrIP('10.1.2.3')!), '10.1.2.3/32');
    assert.equal(formatCIDR(tryParseCIDROrIP('fd00::1')!), 'fd00::1/128');
    assert.equal(tryParseCIDROrIP('10.1.2'), undefined);
  });

  test('containment and overlap', () => {
    const pool = parseCIDR('192.168.0.0/16');
    assert.ok(cidrContains(pool, parseCIDR('192.168.3.64/26')));
    assert.ok(!cidrContains(parseCIDR('192.168.3.64/26'), pool));
    assert.ok(cidrsOverlap(parseCIDR('192.168.3.64/26'), pool));
    assert.ok(!cidrsOverlap(pool, parseCIDR('192.169.0.0/16')));
    assert.ok(!cidrsOverlap(pool, parseCIDR('::/0')), 'families never overlap');
    assert.ok(cidrsOverlap(parseCIDR('169.254.1.0/24'), IPV4_LINK_LOCAL));
    assert.ok(cidrsOverlap(parseCIDR('0.0.0.0/0'), IPV4_LINK_LOCAL));
    assert.ok(cidrContainsIP(pool, parseIP('192.168.255.255')));
    assert.ok(!cidrContainsIP(pool, parseIP('192.169.0.0')));
  });

  test('sizes, offsets, subnets', () => {
    const block = parseCIDR('10.244.1.0/26');
    assert.equal(cidrSize(block), 64n);
    assert.equal(formatIP(addressAt(block, 5)), '10.244.1.5');
    assert.equal(offsetOf(block, parseIP('10.244.1.63')), 63n);
    assert.equal(offsetOf(block, parseIP('10.244.1.64')), undefined);
    assert.equal(formatIP({ family: 4, value: lastAddress(block) }), '10.244.1.63');
    const subs = [...subnets(parseCIDR('10.0.0.0/24'), 26)].map(formatCIDR);
    assert.deepEqual(subs, ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26']);
    assert.throws(() => [...subnets(parseCIDR('10.0.0.0/24'), 20)], RangeError);
    assert.equal(cidrSize(parseCIDR('fd00::/122')), 64n);
  });

  test('ordering and IPAM names', () => {
    const sorted = ['10.0.0.2', 'fd00::1', '10.0.0.10', '9.255.255.255'].map(parseIP).sort(compareIP).map(formatIP);
    assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.2', '10.0.0.10', 'fd00::1']);
    assert.equal(cidrToName(parseCIDR('10.244.1.0/26')), '10-244-1-0-26');
    assert.equal(cidrToName(parseCIDR('fd00::/122')), 'fd00---122');
  });
});
