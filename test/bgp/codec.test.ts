import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Afi, AS_TRANS, AttrType, BgpMessageError, CapCode, Community, decodeMessage, encodeEndOfRib, encodeKeepalive, encodeMessage,
  encodeNotification, encodeOpen, encodeRouteRefresh, encodeUpdate, ErrCode, ErrorHandling, frameLength, isEndOfRib,
  packAnnouncements, packWithdrawals, Safi, canonicalPrefix, bytesToIpv6, ipv6ToBytes, decodeUpdate, decodeNlri, encodeNlri,
  type OpenMessage, type UpdateMessage,
} from '../../src/bgp/codec.ts';

const v4 = { as4: true };

function roundTrip<T>(m: T): T {
  const bytes = encodeMessage(m as never, v4);
  assert.equal(frameLength(bytes), bytes.length);
  return decodeMessage(bytes, v4) as T;
}

/** Build a raw UPDATE from an attribute byte list and NLRI bytes. */
function rawUpdate(attrs: number[], nlri: number[] = [24, 10, 1, 2], withdrawn: number[] = []): Uint8Array {
  const body = [withdrawn.length >> 8, withdrawn.length & 255, ...withdrawn, attrs.length >> 8, attrs.length & 255, ...attrs, ...nlri];
  const len = 19 + body.length;
  return new Uint8Array([...new Array(16).fill(0xff), len >> 8, len & 255, 2, ...body]);
}
const ORIGIN_IGP = [0x40, 1, 1, 0];
const EMPTY_ASPATH = [0x40, 2, 0];
const NH = [0x40, 3, 4, 10, 0, 0, 1];

describe('codec round trip', () => {
  test('OPEN with every capability we know', () => {
    const open: OpenMessage = {
      type: 'open', version: 4, myAs: AS_TRANS, holdTime: 90, routerId: '10.0.0.1',
      capabilities: [
        { code: CapCode.MULTIPROTOCOL, afi: Afi.IPV4, safi: Safi.UNICAST },
        { code: CapCode.MULTIPROTOCOL, afi: Afi.IPV6, safi: Safi.UNICAST },
        { code: CapCode.ROUTE_REFRESH },
        { code: CapCode.ENHANCED_ROUTE_REFRESH },
        { code: CapCode.FOUR_OCTET_AS, asn: 4200000001 },
        { code: CapCode.GRACEFUL_RESTART, restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
        { code: 73, value: new Uint8Array([1, 2, 3]), unknown: true },
      ],
    };
    const back = roundTrip(open);
    assert.equal(back.routerId, '10.0.0.1');
    assert.equal(back.holdTime, 90);
    assert.equal(back.myAs, AS_TRANS);
    assert.deepEqual(back.capabilities.slice(0, 6), open.capabilities.slice(0, 6));
    const unk = back.capabilities[6] as { code: number; value: Uint8Array };
    assert.equal(unk.code, 73);
    assert.deepEqual([...unk.value], [1, 2, 3]);
  });

  test('KEEPALIVE, NOTIFICATION, ROUTE-REFRESH', () => {
    assert.deepEqual(roundTrip({ type: 'keepalive' }), { type: 'keepalive' });
    const n = decodeMessage(encodeNotification(6, 2, new Uint8Array([5, 6])));
    assert.equal(n.type, 'notification');
    if (n.type === 'notification') { assert.equal(n.code, 6); assert.equal(n.subcode, 2); assert.deepEqual([...n.data], [5, 6]); }
    assert.deepEqual(decodeMessage(encodeRouteRefresh(Afi.IPV6, Safi.UNICAST)), { type: 'route-refresh', afi: 2, subtype: 0, safi: 1 });
  });

  test('UPDATE with every attribute, IPv4 NLRI and MP IPv6', () => {
    const u: Omit<UpdateMessage, 'handling' | 'errors'> = {
      type: 'update',
      withdrawn: ['10.9.0.0/16', '0.0.0.0/0'],
      attrs: {
        origin: 2, asPath: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [7, 8] }], nextHop: '192.0.2.1', med: 50, localPref: 200,
        atomicAggregate: true, aggregator: { asn: 65001, address: '1.2.3.4' }, communities: [Community.NO_EXPORT, ((65001 << 16) | 7) >>> 0],
        originatorId: '9.9.9.9', clusterList: ['244.0.0.1', '1.1.1.1'], unknown: [{ flags: 0xc0 | 0x20, code: 99, value: new Uint8Array([1, 2]) }],
      },
      nlri: ['10.1.2.0/24', '192.168.196.128/26', '10.0.0.1/32'],
      mpReach: { afi: Afi.IPV6, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: ['2001:db8:1::/48', '::/0'] },
      mpUnreach: { afi: Afi.IPV6, safi: 1, withdrawn: ['2001:db8:2::/64'] },
    };
    const back = roundTrip(u as UpdateMessage);
    assert.equal(back.handling, ErrorHandling.None);
    assert.deepEqual(back.withdrawn, u.withdrawn);
    assert.deepEqual(back.nlri, u.nlri);
    assert.deepEqual(back.mpReach, u.mpReach);
    assert.deepEqual(back.mpUnreach, u.mpUnreach);
    const { unknown, ...rest } = back.attrs;
    const { unknown: u0, ...rest0 } = u.attrs;
    assert.deepEqual(rest, rest0);
    assert.equal(unknown![0]!.code, 99);
    assert.equal(unknown![0]!.flags & 0x20, 0x20, 'unknown transitive attributes carry the Partial bit');
    void u0;
  });

  test('2-octet AS session: AS_TRANS in AS_PATH and AS4_PATH restores the real path', () => {
    const u = { type: 'update' as const, withdrawn: [], nlri: ['10.1.0.0/16'], attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000000, 65001] }], nextHop: '10.0.0.1', aggregator: { asn: 4200000000, address: '1.1.1.1' } } };
    const bytes = encodeUpdate(u, { as4: false });
    const back = decodeMessage(bytes, { as4: false }) as UpdateMessage;
    assert.deepEqual(back.attrs.asPath, [{ type: 2, asns: [4200000000, 65001] }]);
    assert.deepEqual(back.attrs.aggregator, { asn: 4200000000, address: '1.1.1.1' });
    // Without the merge (a 4-octet reading) the 2-octet bytes would not parse as the same path.
    const raw = decodeMessage(bytes, { as4: false });
    assert.equal(raw.type, 'update');
  });

  test('End-of-RIB markers for both families', () => {
    assert.deepEqual(isEndOfRib(decodeMessage(encodeEndOfRib(Afi.IPV4)) as UpdateMessage), { afi: 1, safi: 1 });
    assert.deepEqual(isEndOfRib(decodeMessage(encodeEndOfRib(Afi.IPV6)) as UpdateMessage), { afi: 2, safi: 1 });
  });

  test('packing splits many prefixes into ≤4096-byte UPDATEs without losing any', () => {
    const prefixes: string[] = [];
    for (let i = 0; i < 5000; i++) prefixes.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
    const msgs = packAnnouncements(Afi.IPV4, { origin: 0, asPath: [] }, ['10.0.0.1'], prefixes, v4);
    assert.ok(msgs.length > 1);
    const got: string[] = [];
    for (const m of msgs) { assert.ok(m.length <= 4096); got.push(...(decodeMessage(m) as UpdateMessage).nlri); }
    assert.deepEqual(got, prefixes);
    const v6 = prefixes.slice(0, 2000).map((_, i) => canonicalPrefix(`2001:db8:${i.toString(16)}::/48`));
    const m6 = packAnnouncements(Afi.IPV6, { origin: 0, asPath: [] }, ['2001:db8::1'], v6, v4);
    assert.deepEqual(m6.flatMap((m) => (decodeMessage(m) as UpdateMessage).mpReach!.nlri), v6);
    const w = packWithdrawals(Afi.IPV4, prefixes);
    assert.deepEqual(w.flatMap((m) => (decodeMessage(m) as UpdateMessage).withdrawn), prefixes);
    const w6 = packWithdrawals(Afi.IPV6, v6);
    assert.deepEqual(w6.flatMap((m) => (decodeMessage(m) as UpdateMessage).mpUnreach!.withdrawn), v6);
  });

  test('address helpers', () => {
    assert.equal(bytesToIpv6(ipv6ToBytes('2001:0db8:0:0:0:0:0:1')), '2001:db8::1');
    assert.equal(bytesToIpv6(ipv6ToBytes('::ffff:10.0.0.1')), '::ffff:a00:1');
    assert.equal(canonicalPrefix('10.1.2.3/24'), '10.1.2.0/24');
    assert.equal(canonicalPrefix('2001:DB8::1/32'), '2001:db8::/32');
  });

  test('IPv4 NLRI decode to text: every digit count, /0 and /32, host bits masked', () => {
    const prefixes = ['0.0.0.0/0', '255.255.255.255/32', '10.0.0.0/8', '100.64.0.0/10', '9.99.199.0/24', '192.168.100.128/25', '1.2.3.4/32'];
    assert.deepEqual(decodeNlri(encodeNlri(prefixes), Afi.IPV4), prefixes);
    // 10.1.2.3 with length 8 on the wire: one octet sent; the rest is zero whatever followed.
    assert.deepEqual(decodeNlri(new Uint8Array([8, 10, 0, 0]).subarray(0, 2), Afi.IPV4), ['10.0.0.0/8']);
    assert.deepEqual(decodeNlri(new Uint8Array([12, 10, 0xff]), Afi.IPV4), ['10.240.0.0/12'], 'bits past the length are cleared');
  });
});

function expectError(bytes: Uint8Array, code: number, subcode: number, opts = v4) {
  assert.throws(() => { frameLength(bytes); decodeMessage(bytes, opts); }, (e: unknown) => {
    assert.ok(e instanceof BgpMessageError, String(e));
    assert.equal(`${e.code}/${e.subcode}`, `${code}/${subcode}`, e.message);
    return true;
  });
}

describe('malformed messages → NOTIFICATION code/subcode', () => {
  const ka = encodeKeepalive();
  const withMarkerByte = (b: Uint8Array, i: number, v: number) => { const c = b.slice(); c[i] = v; return c; };
  const open = encodeOpen({ version: 4, myAs: 65001, holdTime: 90, routerId: '1.1.1.1', capabilities: [{ code: CapCode.FOUR_OCTET_AS, asn: 65001 }] });
  const cases: [string, Uint8Array, number, number][] = [
    ['marker not all ones', withMarkerByte(ka, 3, 0), 1, 1],
    ['length below 19', withMarkerByte(ka, 17, 18), 1, 2],
    ['length above 4096', withMarkerByte(withMarkerByte(ka, 16, 0x10), 17, 0x01), 1, 2],
    ['unknown message type', withMarkerByte(ka, 18, 9), 1, 3],
    ['KEEPALIVE with a body', new Uint8Array([...new Array(16).fill(0xff), 0, 20, 4, 0]), 1, 2],
    ['OPEN shorter than 29', new Uint8Array([...new Array(16).fill(0xff), 0, 28, 1, 4, 0, 1, 0, 90, 1, 1, 1, 1]), 1, 2],
    ['NOTIFICATION shorter than 21', new Uint8Array([...new Array(16).fill(0xff), 0, 20, 3, 6]), 1, 2],
    ['OPEN optional parameter length mismatch', withMarkerByte(open, 28, open[28]! + 3), 2, 0],
    ['OPEN unsupported optional parameter type', withMarkerByte(open, 29, 1), 2, 4],
    ['ROUTE-REFRESH of wrong length', new Uint8Array([...new Array(16).fill(0xff), 0, 24, 5, 0, 1, 0, 1, 0]), 7, 1],
    ['UPDATE withdrawn length overruns', rawUpdate([], [], []).map((b, i) => (i === 20 ? 200 : b)), 3, 1],
    ['UPDATE total attribute length overruns', (() => { const u = rawUpdate(ORIGIN_IGP, []); u[22] = 99; return u; })(), 3, 1],
    ['UPDATE NLRI prefix length 33', rawUpdate([...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH], [33, 10, 0, 0, 0, 0]), 3, 10],
    ['UPDATE NLRI overruns', rawUpdate([...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH], [24, 10, 0]), 3, 10],
    ['UPDATE unrecognized well-known attribute', rawUpdate([...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0x40, 77, 0]), 3, 2],
    ['UPDATE duplicate MP_REACH_NLRI', rawUpdate([0x80, 14, 9, 0, 1, 1, 4, 10, 0, 0, 1, 0, 0x80, 14, 9, 0, 1, 1, 4, 10, 0, 0, 1, 0], []), 3, 1],
    ['UPDATE MP_REACH with bad IPv6 next hop length', rawUpdate([0x80, 14, 8, 0, 2, 1, 3, 1, 2, 3, 0], []), 3, 9],
    ['UPDATE MP_UNREACH prefix length 129', rawUpdate([0x80, 15, 5, 0, 2, 1, 129, 0], []), 3, 9],
  ];
  for (const [name, bytes, code, sub] of cases) test(`${name} → ${code}/${sub}`, () => expectError(bytes, code, sub));

  const tolerated: [string, number[], ErrorHandling, number][] = [
    ['ORIGIN value 3 (treat-as-withdraw)', [0x40, 1, 1, 3, ...EMPTY_ASPATH, ...NH], ErrorHandling.TreatAsWithdraw, 6],
    ['ORIGIN length 2', [0x40, 1, 2, 0, 0, ...EMPTY_ASPATH, ...NH], ErrorHandling.TreatAsWithdraw, 5],
    ['ORIGIN with optional flag', [0xc0, 1, 1, 0, ...EMPTY_ASPATH, ...NH], ErrorHandling.TreatAsWithdraw, 4],
    ['AS_PATH segment overruns', [...ORIGIN_IGP, 0x40, 2, 4, 2, 3, 0, 1, ...NH], ErrorHandling.TreatAsWithdraw, 11],
    ['AS_PATH bad segment type', [...ORIGIN_IGP, 0x40, 2, 6, 9, 1, 0, 0, 0, 1, ...NH], ErrorHandling.TreatAsWithdraw, 11],
    ['NEXT_HOP length 5', [...ORIGIN_IGP, ...EMPTY_ASPATH, 0x40, 3, 5, 1, 2, 3, 4, 5], ErrorHandling.TreatAsWithdraw, 5],
    ['NEXT_HOP 0.0.0.0', [...ORIGIN_IGP, ...EMPTY_ASPATH, 0x40, 3, 4, 0, 0, 0, 0], ErrorHandling.TreatAsWithdraw, 8],
    ['missing NEXT_HOP', [...ORIGIN_IGP, ...EMPTY_ASPATH], ErrorHandling.TreatAsWithdraw, 3],
    ['missing ORIGIN', [...EMPTY_ASPATH, ...NH], ErrorHandling.TreatAsWithdraw, 3],
    ['LOCAL_PREF length 3', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0x40, 5, 3, 0, 0, 1], ErrorHandling.TreatAsWithdraw, 5],
    ['COMMUNITIES length 3', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0xc0, 8, 3, 0, 0, 1], ErrorHandling.TreatAsWithdraw, 5],
    ['CLUSTER_LIST length 0', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0x80, 10, 0], ErrorHandling.TreatAsWithdraw, 5],
    ['ATOMIC_AGGREGATE length 1 (attribute discard)', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0x40, 6, 1, 0], ErrorHandling.AttributeDiscard, 5],
    ['AGGREGATOR length 3 (attribute discard)', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0xc0, 7, 3, 0, 0, 1], ErrorHandling.AttributeDiscard, 5],
    ['duplicate ORIGIN (discard the repeat)', [...ORIGIN_IGP, ...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH], ErrorHandling.AttributeDiscard, 1],
    ['attribute overrunning the attribute field', [...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0xc0, 8, 40, 0, 0], ErrorHandling.TreatAsWithdraw, 5],
  ];
  for (const [name, attrs, handling, sub] of tolerated) {
    test(`RFC 7606: ${name}`, () => {
      const u = decodeMessage(rawUpdate(attrs)) as UpdateMessage;
      assert.equal(ErrorHandling[u.handling], ErrorHandling[handling]);
      assert.ok(u.errors.some((e) => e.code === ErrCode.UPDATE_MESSAGE && e.subcode === sub), u.errors.map((e) => e.message).join('; '));
      assert.deepEqual(u.nlri, ['10.1.2.0/24']);
    });
  }

  test('unknown optional non-transitive attribute is dropped, transitive kept', () => {
    const u = decodeMessage(rawUpdate([...ORIGIN_IGP, ...EMPTY_ASPATH, ...NH, 0x80, 200, 1, 7, 0xc0, 201, 1, 8])) as UpdateMessage;
    assert.equal(u.handling, ErrorHandling.None);
    assert.deepEqual(u.attrs.unknown?.map((x) => x.code), [201]);
  });

  test('withdraw-only UPDATE needs no mandatory attributes', () => {
    const u = decodeUpdate(rawUpdate([], [], [16, 10, 9]).subarray(19));
    assert.equal(u.handling, ErrorHandling.None);
    assert.deepEqual(u.withdrawn, ['10.9.0.0/16']);
    void AttrType;
  });
});
