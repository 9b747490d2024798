// BGPFilter (projectcalico.org/v3, Calico 3.26+): ordered import/export rules per address family. The
// field checks follow the API's tags (netv4/netv6 CIDR, bgpFilterInterface, prefix-length ranges, enums)
// and its CRD's cross-field rules (cidr and matchOperator together, prefixLength needs cidr, operations
// only with Accept). Two rules Calico leaves to BIRD to fail on at run time are refused here instead:
// a prefixLength range that no route can satisfy, and prefixLength with Equal/NotEqual (BIRD cannot
// compare a prefix with a prefix set using = or !=, so every route would hit a filter error).
import { tryParseCIDR } from '../../net/ip.ts';
import { int, list, obj, oneOf, refine, str, type FieldError, type Schema } from '../schema.ts';
import { asNumber } from './fields.ts';
import { communityError } from './networking.ts';

/** libcalico-go bgpFilterInterfaceRegex, or `*`. */
const INTERFACE = /^[a-zA-Z0-9_.*-]{1,15}$/;

const interfaceName = (s: string) => (s === '*' || INTERFACE.test(s) ? undefined : 'must be an interface name or pattern of 1-15 characters from a-z, A-Z, 0-9, _ . - and *');

const cidrOf = (family: 4 | 6) => (s: string) =>
  tryParseCIDR(s)?.family === family ? undefined : `must be an IPv${family} CIDR such as ${family === 4 ? '10.0.0.0/16' : 'fd00::/64'}`;

interface RuleShape {
  cidr?: string; matchOperator?: string; communities?: { values?: string[] }; prefixLength?: { min?: number; max?: number }; action?: string; operations?: unknown[];
}

function ruleSchema(family: 4 | 6): Schema {
  const bits = family === 4 ? 32 : 128;
  return refine<RuleShape>(obj({
    cidr: str(cidrOf(family)),
    prefixLength: obj({ min: int(0, bits), max: int(0, bits) }),
    source: oneOf('RemotePeers'),
    interface: str(interfaceName),
    matchOperator: oneOf('Equal', 'NotEqual', 'In', 'NotIn'),
    peerType: oneOf('eBGP', 'iBGP'),
    communities: obj({ values: list(str((s) => communityError(s)), 1) }, { required: ['values'] }),
    asPathPrefix: list(asNumber),
    priority: int(1, 2147483646),
    action: oneOf('Accept', 'Reject'),
    operations: list(obj({
      addCommunity: obj({ value: str((s) => communityError(s)) }, { required: ['value'] }),
      prependASPath: obj({ prefix: list(asNumber, 10) }, { required: ['prefix'] }),
      setPriority: obj({ value: int(1, 2147483646) }, { required: ['value'] }),
    }), 10),
  }, { required: ['action'] }), (r, path, errs) => checkRule(r, path, errs, bits));
}

function checkRule(r: RuleShape, path: string, errs: FieldError[], bits: number): void {
  if (!!r.cidr !== !!r.matchOperator) {
    errs.push({ field: `${path}.${r.cidr ? 'matchOperator' : 'cidr'}`, value: '', message: 'cidr and matchOperator must both be set or both be empty' });
  }
  if (r.communities?.values?.length === 0) errs.push({ field: `${path}.communities.values`, value: [], message: 'exactly one community value is required' });
  if (r.prefixLength && !r.cidr) errs.push({ field: `${path}.prefixLength`, value: r.prefixLength, message: 'cidr is required when prefixLength is set' });
  if (r.operations?.length && r.action !== 'Accept') errs.push({ field: `${path}.operations`, value: r.operations, message: 'operations may only be used with action Accept' });
  if (r.prefixLength && r.cidr) {
    if (r.matchOperator === 'Equal' || r.matchOperator === 'NotEqual') {
      errs.push({ field: `${path}.prefixLength`, value: r.prefixLength, message: 'prefixLength can only be used with matchOperator In or NotIn' });
    }
    // The range BIRD is given: from max(cidr length, min) to min(family bits, max).
    const own = tryParseCIDR(r.cidr)?.prefix ?? 0;
    const lo = Math.max(own, r.prefixLength.min ?? own), hi = Math.min(bits, r.prefixLength.max ?? bits);
    if (lo > hi) {
      errs.push({ field: `${path}.prefixLength`, value: r.prefixLength, message: `no prefix length can match: the range is /${lo} to /${hi} (min is raised to the cidr's own length)` });
    }
  }
  for (const [i, op] of (r.operations ?? []).entries()) {
    if (op && typeof op === 'object' && Object.keys(op).length !== 1) {
      errs.push({ field: `${path}.operations[${i}]`, value: op, message: 'each operation must set exactly one of addCommunity, prependASPath, setPriority' });
    }
  }
}

export const bgpFilterSpec = obj({
  exportV4: list(ruleSchema(4)),
  importV4: list(ruleSchema(4)),
  exportV6: list(ruleSchema(6)),
  importV6: list(ruleSchema(6)),
});
