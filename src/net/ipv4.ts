// The IPv4-only numeric view of ip.ts: addresses as unsigned 32-bit numbers, for IPAM's pools, blocks and
// ordinals and the agent's route calculation, where number arithmetic keeps hot loops cheap. Parsing and
// formatting go through ip.ts so both views accept exactly the same text.
import { AddressParseError, formatIPv4Number, parseIPv4Number, parsePrefixLength } from './ip.ts';

export interface Cidr4 {
  /** Network address as uint32 (masked). */
  base: number;
  prefix: number;
}

export function parseIPv4(s: string): number {
  const n = typeof s === 'string' ? parseIPv4Number(s) : undefined;
  if (n === undefined) throw new AddressParseError(s, 'IPv4 address');
  return n;
}

export function isIPv4(s: string): boolean {
  return typeof s === 'string' && parseIPv4Number(s) !== undefined;
}

export function formatIPv4(v: number): string {
  return formatIPv4Number(v);
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d/n`. With `strict`, host bits must be zero (pool CIDRs must be masked). */
export function parseCidr4(s: string, strict = false): Cidr4 {
  const slash = typeof s === 'string' ? s.indexOf('/') : -1;
  const ip = slash > 0 ? parseIPv4Number(s.slice(0, slash)) : undefined;
  const prefix = ip !== undefined ? parsePrefixLength(s.slice(slash + 1), 32) : undefined;
  if (ip === undefined || prefix === undefined) {
    const why = typeof s === 'string' && !s.includes('/') ? 'missing /prefix' : 'not an IPv4 CIDR';
    throw new AddressParseError(s, 'CIDR', why);
  }
  const base = (ip & maskOf(prefix)) >>> 0;
  if (strict && base !== ip) throw new AddressParseError(s, 'CIDR', `host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  return { base, prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidr4Size(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function cidr4ContainsIP(c: Cidr4, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

/** True if `inner` lies entirely inside `outer`. */
export function cidr4Covers(outer: Cidr4, inner: Cidr4): boolean {
  return inner.prefix >= outer.prefix && cidr4ContainsIP(outer, inner.base);
}

/** The block of size /blockSize that holds `ip`. */
export function blockFor(ip: number, blockSize: number): Cidr4 {
  return { base: (ip & maskOf(blockSize)) >>> 0, prefix: blockSize };
}

export { encodeCidrName } from './ip.ts';

/** Compare two dotted IPv4 strings (or CIDRs) numerically, then by prefix length. */
export function compareIPv4(a: string, b: string): number {
  const [ia, pa] = a.split('/');
  const [ib, pb] = b.split('/');
  return parseIPv4(ia!) - parseIPv4(ib!) || Number(pa ?? 32) - Number(pb ?? 32);
}
