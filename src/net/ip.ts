// The one home of IPv4/IPv6 address and CIDR arithmetic, shared by api validation, IPAM, policy, netlink, BGP
// and the agent. Addresses are held as bigint (32 or 128 bits) so one code path serves both families; the
// IPv4-only numeric view IPAM keeps its ordinals in lives beside it (ipv4.ts). Dependency-free and pure.
import { TabbyError } from '../errors.ts';

export type IPFamily = 4 | 6;

export interface IPAddr {
  family: IPFamily;
  /** The address as an unsigned integer (32 bits for v4, 128 bits for v6). */
  value: bigint;
}

export interface CIDR {
  family: IPFamily;
  /** The address part exactly as written (may have host bits set; see isMasked / maskCIDR). */
  ip: bigint;
  prefix: number;
}

export class AddressParseError extends TabbyError {
  constructor(readonly input: string, reason: string, detail?: string) {
    super('InvalidAddress', `invalid ${reason}: "${input}"${detail ? `: ${detail}` : ''}`);
    this.name = 'AddressParseError';
  }
}

export function familyBits(family: IPFamily): number {
  return family === 4 ? 32 : 128;
}

function allOnes(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/**
 * A dotted quad as an unsigned 32-bit number, or undefined. Decimal only, 1–3 digits a part, no leading
 * zeros (Go's net.ParseIP rejects them too, avoiding octal ambiguity). One pass over the characters: the
 * agent parses every block and address of the cluster on each calculation, and a split-and-regex version
 * was a fifth of that calculation's time at 50 nodes.
 */
export function parseIPv4Number(s: string): number | undefined {
  let v = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return undefined;
      v = v * 256 + part; dots++; part = 0; digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return undefined;
    if (digits === 1 && part === 0) return undefined; // a leading zero
    part = part * 10 + (c - 48);
    if (++digits > 3 || part > 255) return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return v * 256 + part;
}

function parseIPv4Value(s: string): bigint | undefined {
  const n = parseIPv4Number(s);
  return n === undefined ? undefined : BigInt(n);
}

/** An unsigned 32-bit number as a dotted quad. */
export function formatIPv4Number(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** A prefix length as written after the slash: decimal, no leading zeros, ≤ max. */
export function parsePrefixLength(p: string, max: number): number | undefined {
  if (p.length === 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 48)) return undefined;
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  return n <= max ? n : undefined;
}

function parseIPv6Value(s: string): bigint | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  let head = s;
  let v4Tail: bigint | undefined;
  // An embedded IPv4 address in the last 32 bits (e.g. ::ffff:10.0.0.1).
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    v4Tail = parseIPv4Value(s.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (v4Tail !== undefined) v = (v & ~allOnes(32)) | v4Tail;
  return v;
}

/** Parse an IPv4 or IPv6 address (no prefix). Returns undefined when it is not one. */
export function tryParseIP(s: string): IPAddr | undefined {
  if (typeof s !== 'string') return undefined;
  if (s.includes(':')) {
    const v = parseIPv6Value(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4Value(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

/** Parse an IPv4 or IPv6 address; throws AddressParseError. */
export function parseIP(s: string): IPAddr {
  const a = tryParseIP(s);
  if (!a) throw new AddressParseError(s, 'IP address');
  return a;
}

export function isIPv4(s: string): boolean {
  return tryParseIP(s)?.family === 4;
}

export function isIPv6(s: string): boolean {
  return tryParseIP(s)?.family === 6;
}

/** Whether address or CIDR text is spelled as IPv6 (a cheap family test on text already validated). */
export function isIPv6Text(s: string): boolean {
  return s.includes(':');
}

/** Format an address: dotted quad, or RFC 5952 canonical IPv6 (lower case, longest zero run as `::`). */
export function formatIP(a: IPAddr): string {
  if (a.family === 4) return formatIPv4Number(Number(a.value));
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of zero groups (length >= 2), first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address string (e.g. `2001:DB8:0::1` → `2001:db8::1`). Throws on bad input. */
export function canonicalIP(s: string): string {
  return formatIP(parseIP(s));
}

/** Parse `addr/prefix`. Host bits may be set (check with isMasked). Returns undefined when malformed. */
export function tryParseCIDR(s: string): CIDR | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.indexOf('/');
  if (slash < 0 || slash !== s.lastIndexOf('/')) return undefined;
  const addr = tryParseIP(s.slice(0, slash));
  if (!addr) return undefined;
  const prefix = parsePrefixLength(s.slice(slash + 1), familyBits(addr.family));
  if (prefix === undefined) return undefined;
  return { family: addr.family, ip: addr.value, prefix };
}

/** Parse `addr/prefix`; throws AddressParseError. */
export function parseCIDR(s: string): CIDR {
  const c = tryParseCIDR(s);
  if (!c) throw new AddressParseError(s, 'CIDR');
  return c;
}

/**
 * Parse a CIDR or a bare address (taken as a host route /32 or /128), as Calico does for `nets` fields.
 * Returns undefined when malformed.
 */
export function tryParseCIDROrIP(s: string): CIDR | undefined {
  if (typeof s !== 'string') return undefined;
  if (s.includes('/')) return tryParseCIDR(s);
  const a = tryParseIP(s);
  return a ? { family: a.family, ip: a.value, prefix: familyBits(a.family) } : undefined;
}

export function prefixMask(family: IPFamily, prefix: number): bigint {
  const bits = familyBits(family);
  return allOnes(bits) ^ allOnes(bits - prefix);
}

/** The network address of the CIDR (host bits cleared). */
export function networkAddress(c: CIDR): bigint {
  return c.ip & prefixMask(c.family, c.prefix);
}

/** The last address covered by the CIDR (all host bits set). */
export function lastAddress(c: CIDR): bigint {
  return networkAddress(c) | allOnes(familyBits(c.family) - c.prefix);
}

export function isMasked(c: CIDR): boolean {
  return c.ip === networkAddress(c);
}

export function maskCIDR(c: CIDR): CIDR {
  return { family: c.family, ip: networkAddress(c), prefix: c.prefix };
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP({ family: c.family, value: c.ip })}/${c.prefix}`;
}

/** Canonical, masked form of a CIDR string (`10.0.0.7/8` → `10.0.0.0/8`). Throws on bad input. */
export function canonicalCIDR(s: string): string {
  return formatCIDR(maskCIDR(parseCIDR(s)));
}

/** Number of addresses in the CIDR. */
export function cidrSize(c: CIDR): bigint {
  return 1n << BigInt(familyBits(c.family) - c.prefix);
}

export function cidrContainsIP(c: CIDR, a: IPAddr): boolean {
  return c.family === a.family && (a.value & prefixMask(c.family, c.prefix)) === networkAddress(c);
}

/** Address text inside CIDR text (either family; false across families). Throws AddressParseError on bad text. */
export function ipInCIDR(ip: string, cidr: string): boolean {
  return cidrContainsIP(parseCIDR(cidr), parseIP(ip));
}

/** The host CIDR of an address (`10.0.0.5` or `10.0.0.5/26` → `10.0.0.5/32`; IPv6 → /128). */
export function hostCIDR(ip: string): string {
  const addr = ip.split('/')[0]!;
  return `${addr}/${isIPv6Text(addr) ? 128 : 32}`;
}

/** True when `inner` lies entirely inside `outer` (equal CIDRs contain each other). */
export function cidrContains(outer: CIDR, inner: CIDR): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix &&
    (inner.ip & prefixMask(outer.family, outer.prefix)) === networkAddress(outer);
}

export function cidrsOverlap(a: CIDR, b: CIDR): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The address `offset` positions after the CIDR's network address (no bounds check beyond the family). */
export function addressAt(c: CIDR, offset: bigint | number): IPAddr {
  const v = networkAddress(c) + BigInt(offset);
  if (v < 0n || v > allOnes(familyBits(c.family))) throw new RangeError(`offset ${offset} outside the ${c.family === 4 ? 'IPv4' : 'IPv6'} space`);
  return { family: c.family, value: v };
}

/** Offset of an address from the CIDR's network address (undefined when outside the CIDR). */
export function offsetOf(c: CIDR, a: IPAddr): bigint | undefined {
  return cidrContainsIP(c, a) ? a.value - networkAddress(c) : undefined;
}

/** Split a CIDR into its subnets of length `prefix` (a generator: a /8 into /26s is 262144 entries). */
export function* subnets(c: CIDR, prefix: number): Generator<CIDR> {
  if (prefix < c.prefix || prefix > familyBits(c.family)) {
    throw new RangeError(`cannot split /${c.prefix} into /${prefix} subnets`);
  }
  const step = 1n << BigInt(familyBits(c.family) - prefix);
  const count = 1n << BigInt(prefix - c.prefix);
  const base = networkAddress(c);
  for (let i = 0n; i < count; i++) yield { family: c.family, ip: base + i * step, prefix };
}

/** Compare two addresses: family first (v4 before v6), then numerically. For sorting. */
export function compareIP(a: IPAddr, b: IPAddr): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** Calico's encoding of a CIDR in IPAM object names: `10.244.1.0/26` → `10-244-1-0-26`, `fd00::/122` → `fd00---122`. */
export function cidrToName(c: CIDR): string {
  return encodeCidrName(formatCIDR(c));
}

/** cidrToName for CIDR text as written (no re-formatting). */
export function encodeCidrName(cidr: string): string {
  return cidr.replace(/[.:/]/g, '-');
}

/**
 * A masked CIDR with its canonical text, for sets, fingerprints and rule rendering. A bare address is a host
 * route (/32, /128), as Calico reads `nets` fields. Surrounding blanks are ignored.
 */
export interface Net extends CIDR { text: string }

export function parseNet(s: string): Net {
  const trimmed = typeof s === 'string' ? s.trim() : s;
  const c = tryParseCIDROrIP(trimmed);
  if (!c) throw new AddressParseError(String(s), 'CIDR', describeBadCIDR(trimmed));
  const masked = maskCIDR(c);
  return { ...masked, text: formatCIDR(masked) };
}

/** Why a CIDR string is malformed, for error messages. */
function describeBadCIDR(s: unknown): string {
  if (typeof s !== 'string') return 'not a string';
  const [addr, , extra] = s.split('/');
  if (extra !== undefined) return 'more than one "/"';
  const a = tryParseIP(addr ?? '');
  if (!a) return `"${addr}" is not an IP address`;
  return `prefix length must be 0-${familyBits(a.family)}`;
}

/** Drop CIDRs contained in others and duplicates (e.g. for interval sets, which reject overlaps). */
export function disjointCIDRs<T extends CIDR>(cidrs: readonly T[]): T[] {
  const sorted = [...cidrs].sort((a, b) => (a.family - b.family) || (a.prefix - b.prefix) ||
    (networkAddress(a) < networkAddress(b) ? -1 : networkAddress(a) > networkAddress(b) ? 1 : 0));
  const kept: T[] = [];
  // Kept network prefixes by family and length: a CIDR is covered when its top `len` bits are one of them.
  const keptTops = new Map<string, Set<bigint>>();
  const top = (c: CIDR, len: number) => networkAddress(c) >> BigInt(familyBits(c.family) - len);
  for (const c of sorted) {
    let covered = false;
    for (const [key, tops] of keptTops) {
      const [family, len] = key.split('/').map(Number) as [number, number];
      if (family === c.family && len <= c.prefix && tops.has(top(c, len))) { covered = true; break; }
    }
    if (covered) continue;
    kept.push(c);
    const key = `${c.family}/${c.prefix}`;
    let tops = keptTops.get(key);
    if (!tops) keptTops.set(key, (tops = new Set()));
    tops.add(top(c, c.prefix));
  }
  return kept;
}

/** Network-order bytes of an address (4 or 16). */
export function addressBytes(a: IPAddr): Uint8Array {
  const n = familyBits(a.family) / 8;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((a.value >> BigInt((n - 1 - i) * 8)) & 0xffn);
  return out;
}

/** Address text → network-order bytes; throws AddressParseError. */
export function ipToBytes(s: string): Uint8Array {
  return addressBytes(parseIP(s));
}

/** Network-order bytes (4 or 16) → canonical address text. */
export function bytesToIp(b: Uint8Array): string {
  if (b.length !== 4 && b.length !== 16) throw new RangeError(`an address of ${b.length} bytes`);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return formatIP({ family: b.length === 4 ? 4 : 6, value: v });
}

/** The family of an address string; throws AddressParseError. */
export function ipFamily(s: string): IPFamily {
  return parseIP(s).family;
}

export const IPV4_LINK_LOCAL: CIDR = { family: 4, ip: 0xa9fe0000n, prefix: 16 }; // 169.254.0.0/16
export const IPV6_LINK_LOCAL: CIDR = { family: 6, ip: 0xfe80n << 112n, prefix: 10 }; // fe80::/10

/** A MAC address as Go's net.ParseMAC accepts for 48-bit addresses (`aa:bb:cc:dd:ee:ff` or with `-`). */
export function isMAC(s: string): boolean {
  return typeof s === 'string' && /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s);
}

export function macToBytes(mac: string): Uint8Array {
  if (!isMAC(mac)) throw new AddressParseError(mac, 'MAC address');
  return Uint8Array.from(mac.split(/[:-]/).map((x) => parseInt(x, 16)));
}

export function bytesToMac(b: Uint8Array): string {
  return Array.from(b).map((x) => x.toString(16).padStart(2, '0')).join(':');
}
