// IPv4/IPv6 address and CIDR arithmetic shared by validation, IPAM, routing and policy. Addresses are held
// as bigint (32 or 128 bits) so one code path serves both families. Dependency-free and pure.

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

export class AddressParseError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`invalid ${reason}: "${input}"`);
    this.name = 'AddressParseError';
  }
}

export function familyBits(family: IPFamily): number {
  return family === 4 ? 32 : 128;
}

function allOnes(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

function parseIPv4Value(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Decimal only, no leading zeros (Go's net.ParseIP rejects them too, avoiding octal ambiguity).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
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

/** Format an address: dotted quad, or RFC 5952 canonical IPv6 (lower case, longest zero run as `::`). */
export function formatIP(a: IPAddr): string {
  if (a.family === 4) {
    const v = a.value;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 255n)).join('.');
  }
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
  const p = s.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > familyBits(addr.family)) return undefined;
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
  return formatCIDR(c).replace(/[.:/]/g, '-');
}

export const IPV4_LINK_LOCAL: CIDR = { family: 4, ip: 0xa9fe0000n, prefix: 16 }; // 169.254.0.0/16
export const IPV6_LINK_LOCAL: CIDR = { family: 6, ip: 0xfe80n << 112n, prefix: 10 }; // fe80::/10

/** A MAC address as Go's net.ParseMAC accepts for 48-bit addresses (`aa:bb:cc:dd:ee:ff` or with `-`). */
export function isMAC(s: string): boolean {
  return typeof s === 'string' && /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s);
}
