import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressAt, canonicalCIDR, canonicalIP, cidrContains, cidrContainsIP, cidrSize, cidrToName, cidrsOverlap, compareIP,
  formatCIDR, isMAC, isMasked, lastAddress, maskCIDR, offsetOf, parseCIDR, parseIP, subnets, tryParseCIDR,
  tryParseCIDROrIP, tryParseIP, IPV4_LINK_LOCAL, formatIP, parseNet, ipToBytes, bytesToIp, ipInCIDR, hostCIDR, disjointCIDRs,
} from '../../src/net/ip.ts';
import * as ip4 from '../../src/net/ipv4.ts';

describe('IP parsing', () => {
  test('IPv4 accepts dotted quads and rejects everything else', () => {
    assert.equal(parseIP('10.0.0.1').value, 0x0a000001n);
    assert.equal(parseIP('255.255.255.255').value, 0xffffffffn);
    for (const bad of ['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/32', '', 'a.b.c.d']) {
      assert.equal(tryParseIP(bad), undefined, bad);
    }
  });

  test('the numeric IPv4 view (ipv4.ts) accepts and refuses exactly what the address view does', () => {
    const cases = ['0.0.0.0', '10.0.0.1', '255.255.255.255', '1.2.3.4', '100.64.0.10', '256.0.0.1', '10.0.0', '10.0.0.1.2',
      '010.0.0.1', '10.00.0.1', '10.0.0.01', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4/32', '', 'a.b.c.d', '1..2.3', '.1.2.3',
      '1.2.3.', '1234.0.0.1', '1.2.3.4444', '::1', '9.9.9.9\n'];
    for (const s of cases) {
      const a = tryParseIP(s);
      assert.equal(ip4.isIPv4(s), a?.family === 4, s);
      if (a?.family === 4) { assert.equal(ip4.parseIPv4(s), Number(a.value), s); assert.equal(ip4.formatIPv4(ip4.parseIPv4(s)), s); }
      else assert.throws(() => ip4.parseIPv4(s), /invalid IPv4 address/, s);
    }
    const cidrs = ['10.0.0.0/8', '10.1.2.3/24', '0.0.0.0/0', '1.2.3.4/32', '1.2.3.4/33', '1.2.3.4/032', '1.2.3.4/', '1.2.3.4', '1.2.3.4/8/8',
      '1.2.3/24', 'x/24', '1.2.3.4/-1', '1.2.3.4/ 8', '::/0', '/24'];
    for (const s of cidrs) {
      const c = tryParseCIDR(s);
      if (c?.family === 4) assert.deepEqual(ip4.parseCidr4(s), { base: (Number(c.ip) & ip4.maskOf(c.prefix)) >>> 0, prefix: c.prefix }, s);
      else assert.throws(() => ip4.parseCidr4(s), /invalid CIDR/, s);
    }
    assert.throws(() => ip4.parseCidr4('10.1.2.3/24', true), /host bits set \(did you mean 10\.1\.2\.0\/24\?\)/);
    assert.throws(() => ip4.parseCidr4('10.1.2.3'), /missing \/prefix/);
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

describe('one module for every part', () => {
  test('parseNet: masked, canonical text, bare address is a host route, clear errors', () => {
    assert.deepEqual(parseNet(' 10.1.2.3/8 '), { family: 4, ip: 0x0a000000n, prefix: 8, text: '10.0.0.0/8' });
    assert.equal(parseNet('2001:DB8::1').text, '2001:db8::1/128');
    assert.throws(() => parseNet('10.0.0.0/33'), /invalid CIDR: "10\.0\.0\.0\/33": prefix length must be 0-32/);
    assert.throws(() => parseNet('10.0.0/8'), /"10\.0\.0" is not an IP address/);
  });

  test('the uint32 IPv4 view accepts exactly what the bigint core accepts', () => {
    for (const s of ['10.0.0.1', '255.255.255.255', '010.0.0.1', '1.2.3', '::1', '']) {
      assert.equal(ip4.isIPv4(s), tryParseIP(s)?.family === 4, s);
    }
    assert.equal(ip4.formatCidr4(ip4.parseCidr4('10.1.2.3/16')), '10.1.0.0/16');
    assert.throws(() => ip4.parseCidr4('10.1.2.3/16', true), /host bits set \(did you mean 10\.1\.0\.0\/16\?\)/);
    assert.ok(ip4.cidr4ContainsIP(ip4.parseCidr4('10.1.0.0/16'), ip4.parseIPv4('10.1.255.255')));
    assert.ok(!ip4.cidr4Covers(ip4.parseCidr4('10.1.0.0/16'), ip4.parseCidr4('10.0.0.0/8')));
  });

  test('bytes, containment and host routes', () => {
    assert.deepEqual([...ipToBytes('10.0.0.1')], [10, 0, 0, 1]);
    assert.equal(bytesToIp(ipToBytes('fe80::1')), 'fe80::1');
    assert.ok(ipInCIDR('10.244.1.5', '10.244.1.0/26'));
    assert.ok(!ipInCIDR('fd00::1', '10.0.0.0/8'));
    assert.equal(hostCIDR('10.0.0.5/26'), '10.0.0.5/32');
    assert.equal(hostCIDR('fd00::5'), 'fd00::5/128');
    const kept = disjointCIDRs(['10.0.0.0/8', '10.1.0.0/16', 'fd00::/8', 'fd00:1::/32', '11.0.0.0/8'].map(parseNet)).map((n) => n.text);
    assert.deepEqual(kept, ['10.0.0.0/8', '11.0.0.0/8', 'fd00::/8']);
  });
});
