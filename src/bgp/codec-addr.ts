// Addresses, prefixes and NLRI (RFC 4271 §4.3, RFC 4760 §5): prefix text ↔ bytes, canonical prefix text.
// Address arithmetic itself lives in src/net; the names the codec used are re-exported for its callers.
import {
  AddressParseError, addressBytes, bytesToIp as bytesToIpv6, formatCIDR, ipToBytes as ipv6ToBytes, isIPv6Text as isIPv6, isMasked,
  maskCIDR, tryParseCIDR, tryParseCIDROrIP,
} from '../net/ip.ts';
import { formatIPv4 as intToIpv4, parseIPv4 as ipv4ToInt } from '../net/ipv4.ts';
import { Afi, ErrCode, UpdateSub } from './codec-constants.ts';
import { concat, err } from './codec-util.ts';

export { bytesToIpv6, intToIpv4, ipv4ToInt, ipv6ToBytes, isIPv6 };

/** Parse "a.b.c.d/len" or "v6/len" into afi, address bytes and length; host bits must be zero. */
export function parsePrefix(p: string): { afi: number; bytes: Uint8Array; len: number } {
  const c = tryParseCIDR(p);
  if (!c) throw new AddressParseError(p, 'prefix');
  if (!isMasked(c)) throw new AddressParseError(p, 'prefix', 'host bits set');
  return { afi: c.family === 6 ? Afi.IPV6 : Afi.IPV4, bytes: addressBytes({ family: c.family, value: c.ip }), len: c.prefix };
}

/** Canonical text of a prefix (masks host bits; normalises IPv6 spelling; a bare address is a host route). */
export function canonicalPrefix(p: string): string {
  const c = tryParseCIDROrIP(p);
  if (!c) throw new AddressParseError(p, 'prefix');
  return formatCIDR(maskCIDR(c));
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
      out.push(ipv4PrefixText(v, len));
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

// A received prefix's text is written as ASCII and read back as one string: a template literal builds a V8
// cons string, which holds ~75 B per prefix in the RIB against ~32 B for a flat one, a million times over.
const prefixText = Buffer.alloc(18); // "255.255.255.255/32"

function putDecimal(at: number, x: number): number {
  if (x >= 100) prefixText[at++] = 48 + Math.floor(x / 100);
  if (x >= 10) prefixText[at++] = 48 + (Math.floor(x / 10) % 10);
  prefixText[at++] = 48 + (x % 10);
  return at;
}

/** "a.b.c.d/len" of an IPv4 address held as an unsigned 32-bit number, as a flat string. */
export function ipv4PrefixText(v: number, len: number): string {
  let n = putDecimal(0, v >>> 24);
  prefixText[n++] = 46;
  n = putDecimal(n, (v >>> 16) & 255);
  prefixText[n++] = 46;
  n = putDecimal(n, (v >>> 8) & 255);
  prefixText[n++] = 46;
  n = putDecimal(n, v & 255);
  prefixText[n++] = 47;
  n = putDecimal(n, len);
  return prefixText.toString('latin1', 0, n);
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
