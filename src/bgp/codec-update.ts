// UPDATE messages (RFC 4271 §4.3): the frame (withdrawn routes, path attribute block, NLRI), the walk over
// the attribute block with RFC 7606 revised error handling, End-of-RIB (RFC 4724), and packing many prefixes
// into as few 4096-octet UPDATEs as fit. Attribute types themselves live in codec-attrs.ts.
import { decodeNlri, encodeNlri, nlriLength } from './codec-addr.ts';
import {
  ATTRIBUTE_FLAGS, CATEGORY_FLAGS, decodeKnownAttribute, encodeAttributes, handlingFor, isMpAttribute, mergeAs4Path, rawAttribute,
  type AttributeInput, type AttributeSink,
} from './codec-attrs.ts';
import {
  Afi, AS_TRANS, AsPathSegType, AttrFlag, AttrType, BgpMessageError, ErrCode, ErrorHandling, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MsgType, Safi, UpdateSub,
} from './codec-constants.ts';
import { DEFAULT_CODEC_OPTIONS, type AfiSafi, type AsPathSegment, type CodecOptions, type PathAttributes, type UpdateMessage } from './codec-types.ts';
import { EMPTY, err, header, u16 } from './codec-util.ts';

interface TolerateState { errors: BgpMessageError[]; handling: ErrorHandling }

/** Record an error RFC 7606 lets us survive; rethrow the ones that need a session reset. */
function tolerate(st: TolerateState, e: BgpMessageError): void {
  if (e.handling >= ErrorHandling.AfiSafiDisable) throw e;
  st.errors.push(e);
  if (e.handling > st.handling) st.handling = e.handling;
}

/** Attribute type codes seen so far in one UPDATE: a bit mask for codes below 32, a set for the rest. */
class SeenCodes {
  private low = 0;
  private high?: Set<number>;
  /** Marks `code` seen; false when it already was. */
  add(code: number): boolean {
    if (code < 32) {
      if (this.low & (1 << code)) return false;
      this.low |= 1 << code;
      return true;
    }
    if (this.high?.has(code)) return false;
    (this.high ??= new Set()).add(code);
    return true;
  }
}

const malformedList = (why: string, h: ErrorHandling) => err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, why, EMPTY, h);

/**
 * Reads the attribute header at `i` into `x` (one object reused for the whole block: decoders keep no
 * reference to it). False, after recording the error, when the block ends mid-attribute.
 */
function readAttribute(a: Uint8Array, i: number, x: AttributeInput & { flags: number }, st: TolerateState): boolean {
  const flags = a[i]!, code = a[i + 1]!;
  const hdr = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
  if (i + hdr > a.length) { tolerate(st, malformedList('truncated attribute header', ErrorHandling.TreatAsWithdraw)); return false; }
  const len = hdr === 4 ? u16(a, i + 2) : a[i + 2]!;
  if (i + hdr + len > a.length) {
    // RFC 7606 §4: an attribute overrunning the attribute field; MP attributes can't be located any more.
    tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_LENGTH_ERROR, `attribute ${code} length ${len} overruns the attribute field`, a.slice(i, a.length),
      isMpAttribute(code) ? ErrorHandling.SessionReset : ErrorHandling.TreatAsWithdraw));
    return false;
  }
  x.flags = flags; x.code = code; x.start = i; x.end = i + hdr + len;
  x.value = a.subarray(i + hdr, x.end);
  return true;
}

/** One attribute: repeats, unknown types and flag errors per RFC 7606, then the type's decoder. */
function decodeOneAttribute(flags: number, x: AttributeInput, seen: SeenCodes, sink: AttributeSink, st: TolerateState): void {
  const code = x.code;
  if (!seen.add(code)) {
    // RFC 7606 §3.g: repeated attributes are discarded, except MP_REACH/MP_UNREACH which are fatal.
    if (isMpAttribute(code)) throw malformedList(`attribute ${code} repeated`, ErrorHandling.SessionReset);
    tolerate(st, malformedList(`attribute ${code} repeated`, ErrorHandling.AttributeDiscard));
    return;
  }
  const expected = ATTRIBUTE_FLAGS[code];
  if (expected === undefined) {
    if (!(flags & AttrFlag.OPTIONAL)) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute ${code}`, rawAttribute(x));
    // Unknown optional transitive attributes are passed on, marked partial (RFC 4271 §5).
    if (flags & AttrFlag.TRANSITIVE) (sink.attrs.unknown ??= []).push({ flags: flags | AttrFlag.PARTIAL, code, value: x.value });
    return;
  }
  if ((flags & CATEGORY_FLAGS) !== expected) {
    tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.ATTRIBUTE_FLAGS_ERROR, `attribute ${code} has flags 0x${flags.toString(16)}`, rawAttribute(x), handlingFor(code)));
    return;
  }
  try {
    decodeKnownAttribute(x, sink);
  } catch (e) {
    if (!(e instanceof BgpMessageError) || e.handling === ErrorHandling.SessionReset) throw e;
    tolerate(st, e);
  }
}

function decodeAttributeBlock(a: Uint8Array, asnSize: 2 | 4, st: TolerateState): AttributeSink {
  const sink: AttributeSink = { attrs: {} };
  const seen = new SeenCodes();
  const x = { flags: 0, code: 0, value: EMPTY, block: a, start: 0, end: 0, asnSize };
  let i = 0;
  while (i < a.length) {
    if (i + 3 > a.length) { tolerate(st, malformedList('truncated attribute header', ErrorHandling.TreatAsWithdraw)); break; }
    if (!readAttribute(a, i, x, st)) break;
    i = x.end;
    decodeOneAttribute(x.flags, x, seen, sink, st);
  }
  return sink;
}

/** Missing well-known mandatory attributes, only when the UPDATE announces something: treat-as-withdraw. */
function checkMandatory(sink: AttributeSink, nlri: string[], st: TolerateState): void {
  const announces = nlri.length > 0 || (sink.mpReach !== undefined && sink.mpReach.nlri.length > 0);
  if (!announces || st.handling >= ErrorHandling.TreatAsWithdraw) return;
  const missing: number[] = [];
  if (sink.attrs.origin === undefined) missing.push(AttrType.ORIGIN);
  if (sink.attrs.asPath === undefined) missing.push(AttrType.AS_PATH);
  if (nlri.length > 0 && sink.attrs.nextHop === undefined) missing.push(AttrType.NEXT_HOP);
  if (missing.length) {
    tolerate(st, err(ErrCode.UPDATE_MESSAGE, UpdateSub.MISSING_WELL_KNOWN_ATTRIBUTE, `missing well-known attribute ${missing.join(', ')}`, new Uint8Array([missing[0]!]), ErrorHandling.TreatAsWithdraw));
  }
}

export function decodeUpdate(b: Uint8Array, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): UpdateMessage {
  const withdrawnLength = u16(b, 0);
  if (2 + withdrawnLength + 2 > b.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `withdrawn routes length ${withdrawnLength} overruns the message`);
  const withdrawn = decodeNlri(b.subarray(2, 2 + withdrawnLength), Afi.IPV4);
  const attrLength = u16(b, 2 + withdrawnLength);
  const attrStart = 4 + withdrawnLength;
  if (attrStart + attrLength > b.length) throw err(ErrCode.UPDATE_MESSAGE, UpdateSub.MALFORMED_ATTRIBUTE_LIST, `total path attribute length ${attrLength} overruns the message`);
  const nlri = decodeNlri(b.subarray(attrStart + attrLength), Afi.IPV4);

  const st: TolerateState = { errors: [], handling: ErrorHandling.None };
  const sink = decodeAttributeBlock(b.subarray(attrStart, attrStart + attrLength), opts.as4 ? 4 : 2, st);
  const { attrs } = sink;
  // RFC 6793: a new speaker never sends AS4_*; a 2-octet session merges them.
  if (!opts.as4) {
    if (sink.as4Path && attrs.asPath) attrs.asPath = mergeAs4Path(attrs.asPath, sink.as4Path);
    if (sink.as4Aggregator && attrs.aggregator?.asn === AS_TRANS) attrs.aggregator = sink.as4Aggregator;
  }
  checkMandatory(sink, nlri, st);

  const u: UpdateMessage = { type: 'update', withdrawn, attrs, nlri, handling: st.handling, errors: st.errors };
  if (sink.mpReach) u.mpReach = sink.mpReach;
  if (sink.mpUnreach) u.mpUnreach = sink.mpUnreach;
  return u;
}

/** End-of-RIB marker (RFC 4724 §2): empty UPDATE for IPv4, empty MP_UNREACH for other families. */
export function isEndOfRib(u: UpdateMessage): AfiSafi | undefined {
  if (u.withdrawn.length === 0 && u.nlri.length === 0 && !u.mpReach && Object.keys(u.attrs).length === 0 && !u.mpUnreach) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  if (u.mpUnreach && u.mpUnreach.withdrawn.length === 0 && !u.mpReach && u.nlri.length === 0 && u.withdrawn.length === 0) return { afi: u.mpUnreach.afi, safi: u.mpUnreach.safi };
  return undefined;
}

/** Encode one UPDATE from its parts; the caller keeps it under 4096 bytes (see packUpdates). */
export function encodeUpdateRaw(withdrawnNlri: Uint8Array, attrBlock: Uint8Array, nlri: Uint8Array): Uint8Array {
  const msg = header(MsgType.UPDATE, 4 + withdrawnNlri.length + attrBlock.length + nlri.length);
  const b = msg.subarray(HEADER_LENGTH);
  b[0] = withdrawnNlri.length >> 8; b[1] = withdrawnNlri.length & 255;
  b.set(withdrawnNlri, 2);
  let o = 2 + withdrawnNlri.length;
  b[o] = attrBlock.length >> 8; b[o + 1] = attrBlock.length & 255;
  b.set(attrBlock, o + 2);
  o += 2 + attrBlock.length;
  b.set(nlri, o);
  return msg;
}

export function encodeUpdate(u: Omit<UpdateMessage, 'handling' | 'errors'> & Partial<Pick<UpdateMessage, 'handling' | 'errors'>>, opts: CodecOptions = DEFAULT_CODEC_OPTIONS): Uint8Array {
  return encodeUpdateRaw(encodeNlri(u.withdrawn), encodeAttributes(u.attrs, opts, u.mpReach, u.mpUnreach), encodeNlri(u.nlri));
}

/** End-of-RIB for a family. */
export function encodeEndOfRib(afi: number, safi: number = Safi.UNICAST): Uint8Array {
  if (afi === Afi.IPV4) return encodeUpdateRaw(EMPTY, EMPTY, EMPTY);
  return encodeUpdateRaw(EMPTY, encodeAttributes({}, DEFAULT_CODEC_OPTIONS, undefined, { afi, safi, withdrawn: [] }), EMPTY);
}

/**
 * Pack announcements sharing one attribute set into as few UPDATEs as fit in 4096 bytes.
 * IPv4 uses the classic NLRI field (with NEXT_HOP); IPv6 uses MP_REACH_NLRI.
 */
export function packAnnouncements(afi: number, attrs: PathAttributes, nextHops: string[], prefixes: readonly string[], opts: CodecOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  const room = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4;
  if (afi === Afi.IPV4) {
    const block = encodeAttributes({ ...attrs, nextHop: nextHops[0] }, opts);
    const space = room - block.length;
    let batch: string[] = [], used = 0;
    for (const p of prefixes) {
      const n = nlriLength(p);
      if (used + n > space) { out.push(encodeUpdateRaw(EMPTY, block, encodeNlri(batch))); batch = []; used = 0; }
      batch.push(p); used += n;
    }
    if (batch.length) out.push(encodeUpdateRaw(EMPTY, block, encodeNlri(batch)));
    return out;
  }
  const { nextHop: _drop, ...rest } = attrs;
  const base = encodeAttributes(rest, opts, { afi, safi: Safi.UNICAST, nextHops, nlri: [] });
  const space = room - base.length - 1; // extended length may add a byte
  for (const batch of batchesBySpace(prefixes, space)) {
    out.push(encodeUpdateRaw(EMPTY, encodeAttributes(rest, opts, { afi, safi: Safi.UNICAST, nextHops, nlri: batch }), EMPTY));
  }
  return out;
}

/** Split prefixes into runs whose NLRI encoding fits in `space` bytes each. */
function batchesBySpace(prefixes: readonly string[], space: number): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [], used = 0;
  for (const p of prefixes) {
    const n = nlriLength(p);
    if (used + n > space && batch.length) { batches.push(batch); batch = []; used = 0; }
    batch.push(p); used += n;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** Pack withdrawals of one family into UPDATEs. */
export function packWithdrawals(afi: number, prefixes: readonly string[]): Uint8Array[] {
  const space = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - (afi === Afi.IPV4 ? 0 : 7);
  return batchesBySpace(prefixes, space).map((batch) => (afi === Afi.IPV4
    ? encodeUpdateRaw(encodeNlri(batch), EMPTY, EMPTY)
    : encodeUpdateRaw(EMPTY, encodeAttributes({}, DEFAULT_CODEC_OPTIONS, undefined, { afi, safi: Safi.UNICAST, withdrawn: batch }), EMPTY)));
}

/** Human text of an AS path like BIRD's: "65001 65002 {65003 65004}". */
export function formatAsPath(segs: AsPathSegment[] | undefined): string {
  return (segs ?? []).map((s) => (s.type === AsPathSegType.AS_SET || s.type === AsPathSegType.AS_CONFED_SET ? `{${s.asns.join(' ')}}` : s.asns.join(' '))).join(' ');
}
