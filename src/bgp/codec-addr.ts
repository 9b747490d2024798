// Addresses, prefixes and NLRI (RFC 4271 §4.3, RFC 4760 §5): text ↔ bytes, canonical prefix text.
import { Afi, ErrCode, UpdateSub } from './codec-constants.ts';
import { concat, err } from './codec-util.ts';

export function ipv4ToInt(s: string): number {
  const p = s.split('.');
  if (p.length !== 4) throw new Error(`invalid IPv4 address "${s}"`);
  let v = 0;
  for (const o of p) {
    if (!/^\d{1,3}$/.test(o) || Number(o) > 255) throw new Error(`invalid IPv4 address "${s}"`);
    v = v * 256 + Number(o);
  }
  return v >>> 0;
}

export function intToIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function ipv6ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(16);
  let str = s;
  // embedded IPv4 tail (::ffff:1.2.3.4)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    str = str.slice(0, -v4[1]!.length) + ((n >>> 16).toString(16)) + ':' + ((n & 0xffff).toString(16));
  }
  const halves = str.split('::');
  if (halves.length > 2) throw new Error(`invalid IPv6 address "${s}"`);
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (halves.length === 1 && head.length !== 8) throw new Error(`invalid IPv6 address "${s}"`);
  if (head.length + tail.length > (halves.length === 2 ? 7 : 8)) throw new Error(`invalid IPv6 address "${s}"`);
  const groups = [...head, ...new Array(8 - head.length - tail.length).fill('0'), ...tail];
  groups.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`invalid IPv6 address "${s}"`);
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 255;
  });
  return out;
}

/** RFC 5952 text form. */
export function bytesToIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return hex(g.slice(0, bestStart)) + '::' + hex(g.slice(bestStart + bestLen));
}

export function isIPv6(addr: string): boolean { return addr.includes(':'); }

/** Parse "a.b.c.d/len" or "v6/len" into afi, address bytes and length; host bits must be zero. */
export function parsePrefix(p: string): { afi: number; bytes: Uint8Array; len: number } {
  const slash = p.indexOf('/');
  if (slash < 0) throw new Error(`invalid prefix "${p}": missing /length`);
  const addr = p.slice(0, slash);
  const len = Number(p.slice(slash + 1));
  const v6 = isIPv6(addr);
  const max = v6 ? 128 : 32;
  if (!Number.isInteger(len) || len < 0 || len > max) throw new Error(`invalid prefix "${p}": bad length`);
  let bytes: Uint8Array;
  if (v6) bytes = ipv6ToBytes(addr);
  else { const n = ipv4ToInt(addr); bytes = new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  for (let bit = len; bit < max; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) throw new Error(`invalid prefix "${p}": host bits set`);
  }
  return { afi: v6 ? Afi.IPV6 : Afi.IPV4, bytes, len };
}

/** Canonical text of a prefix (masks host bits; normalises IPv6 spelling). */
export function canonicalPrefix(p: string): string {
  const slash = p.indexOf('/');
  const addr = slash < 0 ? p : p.slice(0, slash);
  const v6 = isIPv6(addr);
  const len = slash < 0 ? (v6 ? 128 : 32) : Number(p.slice(slash + 1));
  if (v6) {
    const b = ipv6ToBytes(addr);
    for (let bit = len; bit < 128; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return `${bytesToIpv6(b)}/${len}`;
  }
  const n = ipv4ToInt(addr);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  if (!(len >= 0 && len <= 32)) throw new Error(`invalid prefix "${p}"`);
  return `${intToIpv4((n & mask) >>> 0)}/${len}`;
}

/** Decode a run of (length, prefix) NLRI entries. Errors carry the given subcode and handling. */
export function decodeNlri(buf: Uint8Array, afi: number, sub: number = UpdateSub.INVALID_NETWORK_FIELD): string[] {
  const out: string[] = [];
  const max = afi === Afi.IPV6 ? 128 : 32;
  let i = 0;
  while (i < buf.length) {
    const len = buf[i]!;
    if (len > max) throw err(ErrCode.UPDATE_MESSAGE, sub, `prefix length ${len} exceeds ${max}`);
    const nb = (len + 7) >> 3;
    if (i + 1 + nb > buf.length) throw err(ErrCode.UPDATE_MESSAGE, sub, 'NLRI runs past the end of its field');
    if (afi === Afi.IPV4) {
      let v = 0;
      for (let k = 0; k < 4; k++) v = v * 256 + (k < nb ? buf[i + 1 + k]! : 0);
      if (len < 32) v = (v & ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0))) >>> 0;
      out.push(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${len}`);
    } else {
      const b = new Uint8Array(16);
      b.set(buf.subarray(i + 1, i + 1 + nb));
      if (len & 7) b[nb - 1]! &= (0xff << (8 - (len & 7))) & 0xff;
      out.push(`${bytesToIpv6(b)}/${len}`);
    }
    i += 1 + nb;
  }
  return out;
}

/** Bytes needed to encode one prefix as NLRI. */
export function nlriLength(prefix: string): number {
  const len = Number(prefix.slice(prefix.indexOf('/') + 1));
  return 1 + ((len + 7) >> 3);
}

export function encodeNlri(prefixes: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const p of prefixes) {
    const { bytes, len } = parsePrefix(p);
    const nb = (len + 7) >> 3;
    const e = new Uint8Array(1 + nb);
    e[0] = len;
    e.set(bytes.subarray(0, nb), 1);
    parts.push(e);
    total += e.length;
  }
  return concat(parts, total);
}
