// Path attributes keyed by type code, the way GoBGP's pkg/packet/bgp lays them out: for each type the flags
// it must carry, one decoder and one encoder, and (RFC 7606 §7) the action for a malformed instance.
// RFCs: 4271 §4.3/§5 (ORIGIN … AGGREGATOR), 1997 (COMMUNITIES), 4456 (ORIGINATOR_ID, CLUSTER_LIST),
// 4760 (MP_REACH_NLRI, MP_UNREACH_NLRI), 6793 (AS4_PATH, AS4_AGGREGATOR, AS_TRANS).
import { bytesToIpv6, decodeNlri, encodeNlri, ipv4ToInt, ipv6ToBytes, isIPv6 } from './codec-addr.ts';
import {
  Afi, AS_TRANS, AsPathSegType, AttrFlag, AttrType, BgpMessageError, ErrCode, ErrorHandling, Origin, Safi, UpdateSub,
} from './codec-constants.ts';
import type { AsPathSegment, MpReach, MpUnreach, PathAttributes } from './codec-types.ts';
import { be32, concat, EMPTY, err, ip4At, u16, u32 } from './codec-util.ts';

/** The two category bits the flags check compares (partial and extended-length are per instance). */
export const CATEGORY_FLAGS = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPTIONAL_TRANSITIVE = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttrFlag.OPTIONAL;
/** Largest AS count of one AS_PATH segment (its count is one octet). */
const MAX_SEGMENT_ASNS = 255;

/** Where attribute decoders put what they read: the UPDATE's attributes and the MP / AS4 side results. */
export interface AttributeSink {
  attrs: PathAttributes;
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  as4Path?: AsPathSegment[];
  as4Aggregator?: { asn: number; address: string };
}

/** One attribute instance: its value, where its whole encoding sits (NOTIFICATION data), the AS size. */
export interface AttributeInput { code: number; value: Uint8Array; block: Uint8Array; start: number; end: number; asnSize: 2 | 4 }

/** RFC 7606 §7: the action for a malformed instance of each attribute. */
export function handlingFor(code: number): ErrorHandling {
  switch (code) {
    case AttrType.ATOMIC_AGGREGATE: case AttrType.AGGREGATOR: case AttrType.AS4_AGGREGATOR: case AttrType.AS4_PATH:
      return ErrorHandling.AttributeDiscard;
    case AttrType.MP_REACH_NLRI: case AttrType.MP_UNREACH_NLRI:
      return ErrorHandling.SessionReset;
    default:
      return ErrorHandling.TreatAsWithdraw;
  }
}

/** The attribute's whole encoding, copied (it outlives the receive buffer inside a NOTIFICATION). */
export const rawAttribute = (x: AttributeInput): Uint8Array => x.block.slice(x.start, x.end);

function requireLength(x: AttributeInput, ok: boolean): void {
  if (!ok) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_LENGTH_ERROR, `attribute ${x.code} has length ${x.value.length}`, rawAttribute(x), handlingFor(x.code));
}

// ---- AS paths ----------------------------------------------------------------------------------------

function decodeAsPath(v: Uint8Array, asnSize: 2 | 4, code: number): AsPathSegment[] {
  const malformed = (why: string) => err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_AS_PATH, why, EMPTY, handlingFor(code));
  // Arrays are made at their final size: one grown by push keeps room for 17 entries, and a full table
  // holds hundreds of thousands of paths.
  const segs: AsPathSegment[] = new Array(countSegments(v, asnSize));
  let i = 0, at = 0;
  while (i < v.length) {
    if (i + 2 > v.length) throw malformed('truncated AS_PATH segment');
    const type = v[i]!, n = v[i + 1]!;
    if (type < AsPathSegType.AS_SET || type > AsPathSegType.AS_CONFED_SET) throw malformed(`AS_PATH segment type ${type}`);
    if (n === 0) throw malformed('empty AS_PATH segment');
    if (i + 2 + n * asnSize > v.length) throw malformed('AS_PATH segment overruns the attribute');
    const asns: number[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const o = i + 2 + k * asnSize;
      asns[k] = asnSize === 4 ? u32(v, o) : u16(v, o);
    }
    segs[at++] = { type, asns };
    i += 2 + n * asnSize;
  }
  return segs;
}

/** How many segments an AS_PATH value holds (a walk over the headers; decodeAsPath checks each one). */
function countSegments(v: Uint8Array, asnSize: 2 | 4): number {
  let n = 0;
  for (let i = 0; i + 1 < v.length; i += 2 + v[i + 1]! * asnSize) n++;
  return n;
}

/** Path length as RFC 4271 counts it: an AS_SET counts one, confederation segments none. */
function pathLength(p: AsPathSegment[]): number {
  return p.reduce((a, s) => a + (s.type === AsPathSegType.AS_SET ? 1 : s.type === AsPathSegType.AS_SEQUENCE ? s.asns.length : 0), 0);
}

/** RFC 6793 §4.2.3: rebuild the true path from a 2-octet AS_PATH and AS4_PATH. */
export function mergeAs4Path(asPath: AsPathSegment[], as4Path: AsPathSegment[]): AsPathSegment[] {
  const n2 = pathLength(asPath), n4 = pathLength(as4Path);
  if (n4 > n2) return asPath; // AS4_PATH is ignored when longer
  let keep = n2 - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    if (s.type === AsPathSegType.AS_SEQUENCE && s.asns.length > keep) { out.push({ type: s.type, asns: s.asns.slice(0, keep) }); keep = 0; break; }
    out.push(s);
    keep -= pathLength([s]);
  }
  return [...out, ...as4Path];
}

function encodeAsPath(segs: AsPathSegment[], asnSize: 2 | 4): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of segs) {
    for (let k = 0; k < s.asns.length; k += MAX_SEGMENT_ASNS) {
      const chunk = s.asns.slice(k, k + MAX_SEGMENT_ASNS);
      const p = new Uint8Array(2 + chunk.length * asnSize);
      p[0] = s.type; p[1] = chunk.length;
      chunk.forEach((asn, j) => {
        const o = 2 + j * asnSize;
        if (asnSize === 4) p.set(be32(asn), o);
        else { const a = asn > 0xffff ? AS_TRANS : asn; p[o] = a >> 8; p[o + 1] = a & 255; }
      });
      parts.push(p);
    }
  }
  return concat(parts);
}

// ---- decoders, one per type --------------------------------------------------------------------------

function decodeOrigin(x: AttributeInput, s: AttributeSink): void {
  requireLength(x, x.value.length === 1);
  const origin = x.value[0]!;
  if (origin > Origin.INCOMPLETE) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.INVALID_ORIGIN_ATTRIBUTE, `ORIGIN ${origin}`, rawAttribute(x), handlingFor(x.code));
  s.attrs.origin = origin;
}

function decodeNextHop(x: AttributeInput, s: AttributeSink): void {
  requireLength(x, x.value.length === 4);
  const nextHop = nextHopText(x.value);
  // 0.0.0.0 and class D/E (first octet 224 and up) are not unicast next hops (RFC 4271 §6.3).
  if (nextHop === '0.0.0.0' || x.value[0]! >= 224) {
    throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.INVALID_NEXT_HOP_ATTRIBUTE, `NEXT_HOP ${nextHop} is not a unicast address`, rawAttribute(x), handlingFor(x.code));
  }
  s.attrs.nextHop = nextHop;
}

// A table has few next hops and many paths: each path shares its next hop's string rather than holding a copy.
const nextHops = new Map<number, string>();
const MAX_SHARED_NEXT_HOPS = 4096;

function nextHopText(v: Uint8Array): string {
  const key = u32(v, 0);
  let text = nextHops.get(key);
  if (text === undefined) {
    text = ip4At(v, 0);
    if (nextHops.size < MAX_SHARED_NEXT_HOPS) nextHops.set(key, text);
  }
  return text;
}

function decodeU32(x: AttributeInput): number {
  requireLength(x, x.value.length === 4);
  return u32(x.value, 0);
}

function decodeAtomicAggregate(x: AttributeInput, s: AttributeSink): void {
  requireLength(x, x.value.length === 0);
  s.attrs.atomicAggregate = true;
}

function decodeAggregator(x: AttributeInput, s: AttributeSink): void {
  requireLength(x, x.value.length === x.asnSize + 4);
  s.attrs.aggregator = { asn: x.asnSize === 4 ? u32(x.value, 0) : u16(x.value, 0), address: ip4At(x.value, x.asnSize) };
}

/** A non-empty list of 4-octet items (COMMUNITIES, CLUSTER_LIST). */
function fourOctetItems<T>(x: AttributeInput, read: (v: Uint8Array, i: number) => T): T[] {
  requireLength(x, x.value.length > 0 && x.value.length % 4 === 0);
  const out: T[] = new Array(x.value.length / 4);
  for (let k = 0; k < x.value.length; k += 4) out[k / 4] = read(x.value, k);
  return out;
}

function decodeMpNextHops(afi: number, nh: Uint8Array): string[] {
  if (afi === Afi.IPV4) {
    if (nh.length !== 4) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR, `IPv4 next hop of ${nh.length} bytes`);
    return [ip4At(nh, 0)];
  }
  // IPv6: global, or global + link-local (RFC 2545 §3).
  if (nh.length === 16) return [bytesToIpv6(nh)];
  if (nh.length === 32) return [bytesToIpv6(nh.subarray(0, 16)), bytesToIpv6(nh.subarray(16))];
  throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR, `IPv6 next hop of ${nh.length} bytes`);
}

const supportedFamily = (afi: number, safi: number) => (afi === Afi.IPV4 || afi === Afi.IPV6) && safi === Safi.UNICAST;

/** MP_REACH_NLRI: AFI(2) SAFI(1) next-hop length(1) next hop, one reserved octet, NLRI. */
function decodeMpReach(x: AttributeInput, s: AttributeSink): void {
  const v = x.value;
  requireLength(x, v.length >= 5);
  const afi = u16(v, 0), safi = v[2]!, nhLen = v[3]!;
  requireLength(x, 4 + nhLen + 1 <= v.length);
  if (!supportedFamily(afi, safi)) { s.mpReach = { afi, safi, nextHops: [], nlri: [] }; return; }
  const nlriStart = 4 + nhLen + 1;
  s.mpReach = { afi, safi, nextHops: decodeMpNextHops(afi, v.subarray(4, 4 + nhLen)), nlri: decodeNlri(v.subarray(nlriStart), afi, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR) };
}

/** MP_UNREACH_NLRI: AFI(2) SAFI(1) withdrawn NLRI. */
function decodeMpUnreach(x: AttributeInput, s: AttributeSink): void {
  const v = x.value;
  requireLength(x, v.length >= 3);
  const afi = u16(v, 0), safi = v[2]!;
  if (!supportedFamily(afi, safi)) { s.mpUnreach = { afi, safi, withdrawn: [] }; return; }
  s.mpUnreach = { afi, safi, withdrawn: decodeNlri(v.subarray(3), afi, UpdateSub.OPTIONAL_ATTRIBUTE_ERROR) };
}

function decodeAs4Aggregator(x: AttributeInput, s: AttributeSink): void {
  requireLength(x, x.value.length === 8);
  s.as4Aggregator = { asn: u32(x.value, 0), address: ip4At(x.value, 4) };
}

/** Known attribute types and the category flags each must carry; unknown types are handled by the caller. */
export const ATTRIBUTE_FLAGS: Readonly<Record<number, number>> = {
  [AttrType.ORIGIN]: WELL_KNOWN,
  [AttrType.AS_PATH]: WELL_KNOWN,
  [AttrType.NEXT_HOP]: WELL_KNOWN,
  [AttrType.MULTI_EXIT_DISC]: OPTIONAL_NON_TRANSITIVE,
  [AttrType.LOCAL_PREF]: WELL_KNOWN,
  [AttrType.ATOMIC_AGGREGATE]: WELL_KNOWN,
  [AttrType.AGGREGATOR]: OPTIONAL_TRANSITIVE,
  [AttrType.COMMUNITIES]: OPTIONAL_TRANSITIVE,
  [AttrType.ORIGINATOR_ID]: OPTIONAL_NON_TRANSITIVE,
  [AttrType.CLUSTER_LIST]: OPTIONAL_NON_TRANSITIVE,
  [AttrType.MP_REACH_NLRI]: OPTIONAL_NON_TRANSITIVE,
  [AttrType.MP_UNREACH_NLRI]: OPTIONAL_NON_TRANSITIVE,
  [AttrType.AS4_PATH]: OPTIONAL_TRANSITIVE,
  [AttrType.AS4_AGGREGATOR]: OPTIONAL_TRANSITIVE,
};

/** Each known type's decoder. A switch rather than a table of functions: each call site stays monomorphic. */
function decodeByType(x: AttributeInput, s: AttributeSink): void {
  switch (x.code) {
    case AttrType.ORIGIN: return decodeOrigin(x, s);
    case AttrType.AS_PATH: s.attrs.asPath = decodeAsPath(x.value, x.asnSize, x.code); return;
    case AttrType.NEXT_HOP: return decodeNextHop(x, s);
    case AttrType.MULTI_EXIT_DISC: s.attrs.med = decodeU32(x); return;
    case AttrType.LOCAL_PREF: s.attrs.localPref = decodeU32(x); return;
    case AttrType.ATOMIC_AGGREGATE: return decodeAtomicAggregate(x, s);
    case AttrType.AGGREGATOR: return decodeAggregator(x, s);
    case AttrType.COMMUNITIES: s.attrs.communities = fourOctetItems(x, u32); return;
    case AttrType.ORIGINATOR_ID: requireLength(x, x.value.length === 4); s.attrs.originatorId = ip4At(x.value, 0); return;
    case AttrType.CLUSTER_LIST: s.attrs.clusterList = fourOctetItems(x, ip4At); return;
    case AttrType.MP_REACH_NLRI: return decodeMpReach(x, s);
    case AttrType.MP_UNREACH_NLRI: return decodeMpUnreach(x, s);
    case AttrType.AS4_PATH: s.as4Path = decodeAsPath(x.value, 4, x.code); return;
    case AttrType.AS4_AGGREGATOR: return decodeAs4Aggregator(x, s);
  }
}

export const isMpAttribute = (code: number) => code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI;

/** Decodes a known attribute; a BgpMessageError of an MP attribute always resets the session. */
export function decodeKnownAttribute(x: AttributeInput, sink: AttributeSink): void {
  try {
    decodeByType(x, sink);
  } catch (e) {
    if (e instanceof BgpMessageError && isMpAttribute(x.code)) {
      throw new BgpMessageError(e.code, e.subcode, e.data, e.message.replace(/^[^:]*: /, ''), ErrorHandling.SessionReset);
    }
    throw e;
  }
}

// ---- encoders, one per type --------------------------------------------------------------------------

function attr(flags: number, code: number, v: Uint8Array): Uint8Array {
  const ext = v.length > 255;
  const out = new Uint8Array((ext ? 4 : 3) + v.length);
  out[0] = flags | (ext ? AttrFlag.EXTENDED_LENGTH : 0);
  out[1] = code;
  if (ext) { out[2] = v.length >> 8; out[3] = v.length & 255; out.set(v, 4); } else { out[2] = v.length; out.set(v, 3); }
  return out;
}

const ip4Bytes = (s: string): Uint8Array => be32(ipv4ToInt(s));
const u16Bytes = (n: number): Uint8Array => new Uint8Array([n >> 8, n & 255]);

function encodeAggregator(a: { asn: number; address: string }, asnSize: 2 | 4): Uint8Array {
  const asn = asnSize === 2 && a.asn > 0xffff ? AS_TRANS : a.asn;
  return attr(OPTIONAL_TRANSITIVE, AttrType.AGGREGATOR, concat([asnSize === 4 ? be32(asn) : u16Bytes(asn), ip4Bytes(a.address)]));
}

function encodeMpReach(m: MpReach): Uint8Array {
  const nh = concat(m.nextHops.map((h) => (isIPv6(h) ? ipv6ToBytes(h) : ip4Bytes(h))));
  const nl = encodeNlri(m.nlri);
  const v = new Uint8Array(5 + nh.length + nl.length);
  v.set(u16Bytes(m.afi), 0); v[2] = m.safi; v[3] = nh.length;
  v.set(nh, 4); v[4 + nh.length] = 0; v.set(nl, 5 + nh.length);
  return attr(OPTIONAL_NON_TRANSITIVE, AttrType.MP_REACH_NLRI, v);
}

function encodeMpUnreach(m: MpUnreach): Uint8Array {
  const nl = encodeNlri(m.withdrawn);
  const v = new Uint8Array(3 + nl.length);
  v.set(u16Bytes(m.afi), 0); v[2] = m.safi; v.set(nl, 3);
  return attr(OPTIONAL_NON_TRANSITIVE, AttrType.MP_UNREACH_NLRI, v);
}

/** RFC 6793 §4.2.2: on a 2-octet session, AS4_PATH / AS4_AGGREGATOR carry what AS_TRANS stands in for. */
function encodeAs4Attributes(attrs: PathAttributes): Uint8Array[] {
  const parts: Uint8Array[] = [];
  if (attrs.asPath?.some((s) => s.asns.some((x) => x > 0xffff))) parts.push(attr(OPTIONAL_TRANSITIVE, AttrType.AS4_PATH, encodeAsPath(attrs.asPath, 4)));
  if (attrs.aggregator && attrs.aggregator.asn > 0xffff) {
    parts.push(attr(OPTIONAL_TRANSITIVE, AttrType.AS4_AGGREGATOR, concat([be32(attrs.aggregator.asn), ip4Bytes(attrs.aggregator.address)])));
  }
  return parts;
}

/**
 * Encode the path attribute block, in type-code order. `mpReach`/`mpUnreach` are included when given. With a
 * 2-octet session, AS_PATH carries AS_TRANS and AS4_PATH the real path (RFC 6793 §4.2.2).
 */
export function encodeAttributes(attrs: PathAttributes, opts: { as4: boolean }, mpReach?: MpReach, mpUnreach?: MpUnreach): Uint8Array {
  const asnSize = opts.as4 ? 4 : 2;
  const parts: Uint8Array[] = [];
  if (attrs.origin !== undefined) parts.push(attr(WELL_KNOWN, AttrType.ORIGIN, new Uint8Array([attrs.origin])));
  if (attrs.asPath !== undefined) parts.push(attr(WELL_KNOWN, AttrType.AS_PATH, encodeAsPath(attrs.asPath, asnSize)));
  if (attrs.nextHop !== undefined) parts.push(attr(WELL_KNOWN, AttrType.NEXT_HOP, ip4Bytes(attrs.nextHop)));
  if (attrs.med !== undefined) parts.push(attr(OPTIONAL_NON_TRANSITIVE, AttrType.MULTI_EXIT_DISC, be32(attrs.med)));
  if (attrs.localPref !== undefined) parts.push(attr(WELL_KNOWN, AttrType.LOCAL_PREF, be32(attrs.localPref)));
  if (attrs.atomicAggregate) parts.push(attr(WELL_KNOWN, AttrType.ATOMIC_AGGREGATE, EMPTY));
  if (attrs.aggregator) parts.push(encodeAggregator(attrs.aggregator, asnSize));
  if (attrs.communities?.length) parts.push(attr(OPTIONAL_TRANSITIVE, AttrType.COMMUNITIES, concat(attrs.communities.map(be32))));
  if (attrs.originatorId) parts.push(attr(OPTIONAL_NON_TRANSITIVE, AttrType.ORIGINATOR_ID, ip4Bytes(attrs.originatorId)));
  if (attrs.clusterList?.length) parts.push(attr(OPTIONAL_NON_TRANSITIVE, AttrType.CLUSTER_LIST, concat(attrs.clusterList.map(ip4Bytes))));
  if (mpReach) parts.push(encodeMpReach(mpReach));
  if (mpUnreach) parts.push(encodeMpUnreach(mpUnreach));
  if (asnSize === 2) parts.push(...encodeAs4Attributes(attrs));
  for (const u of attrs.unknown ?? []) parts.push(attr(u.flags & ~AttrFlag.EXTENDED_LENGTH, u.code, u.value));
  return concat(parts);
}
