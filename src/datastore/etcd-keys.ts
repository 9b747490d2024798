// Calico's etcd v3 key layout (libcalico-go/lib/backend/model), as a pure codec: object → key, key → kind,
// and the key ranges a list or watch reads. Every key starts with a configurable prefix ('' in production)
// so tests can share one etcd.
//
//   v3 resources  /calico/resources/v3/projectcalico.org/<plural>/[<namespace>/]<name>
//   IPAMBlock     /calico/ipam/v2/assignment/ipv4|ipv6/block/<name>
//   BlockAffinity /calico/ipam/v2/host/<spec.node>/ipv4|ipv6/block/<spec.cidr with '/' as '-'>
//   IPAMHandle    /calico/ipam/v2/handle/<name>
//
// A BlockAffinity's key comes from its spec, not its name (Calico names them `<node>-<cidr, '.' ':' '/' as
// '-'>`), so finding one by name reads the key that name implies and falls back to scanning all affinities.
import type { Resource } from '../api/resource.ts';
import { KINDS, type KindInfo } from '../api/kinds.ts';
import { DatastoreError } from './types.ts';

export const RESOURCES_ROOT = '/calico/resources/v3/projectcalico.org/';
export const BLOCKS_ROOT = '/calico/ipam/v2/assignment/';
export const AFFINITIES_ROOT = '/calico/ipam/v2/host/';
export const HANDLES_ROOT = '/calico/ipam/v2/handle/';
/** Everything Tabby stores lives under this (resources and IPAM); watches read this one range. */
export const CALICO_ROOT = '/calico/';

const byPlural = new Map(KINDS.filter((k) => !k.ipam).map((k) => [k.plural, k]));

export interface KeyRange {
  key: string;
  /** Exclusive end (etcd's prefix range end), as bytes since it need not be valid UTF-8. */
  rangeEnd: Buffer;
}

/** The range holding every key that starts with `prefix`. */
export function prefixRange(prefix: string): KeyRange {
  return { key: prefix, rangeEnd: prefixEnd(prefix) };
}

/** The smallest key greater than every key starting with `prefix` (etcd clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]); // all 0xff: etcd's "to the end of the keyspace"
}

function family(cidrOrName: string): 'ipv4' | 'ipv6' {
  return cidrOrName.includes(':') ? 'ipv6' : 'ipv4';
}

/** `10.244.1.0/26` → `10.244.1.0-26`, Calico's encoding of a CIDR in a key. */
export function encodeCidr(cidr: string): string {
  return cidr.replace('/', '-');
}

/** Calico's BlockAffinity name for (node, cidr): `node01-10-244-1-0-26`. */
export function affinityName(node: string, cidr: string): string {
  return `${node}-${cidr.replace(/[.:/]/g, '-')}`;
}

function affinitySpec(obj: Resource): { node: string; cidr: string } {
  const spec = obj.spec as { node?: unknown; cidr?: unknown } | undefined;
  const node = spec?.node;
  const cidr = spec?.cidr;
  if (typeof node !== 'string' || node === '' || node.includes('/')) {
    throw new DatastoreError('Invalid', `BlockAffinity "${obj.metadata.name}" needs spec.node (a node name) for its etcd key`);
  }
  if (typeof cidr !== 'string' || !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr)) {
    throw new DatastoreError('Invalid', `BlockAffinity "${obj.metadata.name}" needs spec.cidr (like 10.244.1.0/26) for its etcd key`);
  }
  return { node, cidr };
}

export class EtcdKeys {
  constructor(readonly prefix = '') {}

  /** The key an object is stored under (BlockAffinity: from its spec). */
  objectKey(info: KindInfo, obj: Resource): string {
    if (info.kind === 'BlockAffinity') {
      const { node, cidr } = affinitySpec(obj);
      return `${this.prefix}${AFFINITIES_ROOT}${node}/${family(cidr)}/block/${encodeCidr(cidr)}`;
    }
    return this.nameKey(info, obj.metadata.name, obj.metadata.namespace)!;
  }

  /**
   * The key for (kind, name, namespace). For a BlockAffinity this is only a guess from Calico's naming
   * convention (undefined when the name does not follow it): the caller must check the stored name.
   */
  nameKey(info: KindInfo, name: string, namespace?: string): string | undefined {
    const p = this.prefix;
    switch (info.kind) {
      case 'IPAMBlock': return `${p}${BLOCKS_ROOT}${family(name)}/block/${name}`;
      case 'IPAMHandle': return `${p}${HANDLES_ROOT}${name}`;
      case 'BlockAffinity': {
        const m = /^(.+)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/.exec(name);
        return m ? `${p}${AFFINITIES_ROOT}${m[1]}/ipv4/block/${m[2]}.${m[3]}.${m[4]}.${m[5]}-${m[6]}` : undefined;
      }
      default:
        return info.namespaced
          ? `${p}${RESOURCES_ROOT}${info.plural}/${namespace ?? ''}/${name}`
          : `${p}${RESOURCES_ROOT}${info.plural}/${name}`;
    }
  }

  /**
   * The range a list of `kind` reads, narrowed by namespace and name prefix where the layout allows
   * (the caller still filters each object by namespace and name prefix).
   */
  listRange(info: KindInfo, namespace?: string, namePrefix = ''): KeyRange {
    const p = this.prefix;
    switch (info.kind) {
      case 'IPAMBlock': return prefixRange(`${p}${BLOCKS_ROOT}`);
      case 'BlockAffinity': return prefixRange(`${p}${AFFINITIES_ROOT}`);
      case 'IPAMHandle': return prefixRange(`${p}${HANDLES_ROOT}${namePrefix}`);
      default:
        if (info.namespaced && namespace !== undefined) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namespace}/${namePrefix}`);
        if (!info.namespaced) return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/${namePrefix}`);
        return prefixRange(`${p}${RESOURCES_ROOT}${info.plural}/`);
    }
  }

  /** The range every watch reads: all resources and IPAM objects. */
  watchRange(): KeyRange {
    return prefixRange(`${this.prefix}${CALICO_ROOT}`);
  }

  /**
   * What a key holds: the kind and, where the key says it, name and namespace (a BlockAffinity's name is
   * in its value). Undefined for keys Tabby does not store (other /calico/ trees, other prefixes).
   */
  parseKey(key: string): { info: KindInfo; name?: string; namespace?: string } | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const k = key.slice(this.prefix.length);
    if (k.startsWith(RESOURCES_ROOT)) {
      const parts = k.slice(RESOURCES_ROOT.length).split('/');
      const info = byPlural.get(parts[0]!);
      if (!info) return undefined;
      if (info.namespaced && parts.length === 3 && parts[1] && parts[2]) return { info, namespace: parts[1], name: parts[2] };
      if (!info.namespaced && parts.length === 2 && parts[1]) return { info, name: parts[1] };
      return undefined;
    }
    if (k.startsWith(BLOCKS_ROOT)) {
      const m = /^ipv[46]\/block\/([^/]+)$/.exec(k.slice(BLOCKS_ROOT.length));
      return m ? { info: ipamKind('IPAMBlock'), name: m[1] } : undefined;
    }
    if (k.startsWith(AFFINITIES_ROOT)) {
      const m = /^([^/]+)\/ipv[46]\/block\/([^/]+)$/.exec(k.slice(AFFINITIES_ROOT.length));
      return m ? { info: ipamKind('BlockAffinity') } : undefined;
    }
    if (k.startsWith(HANDLES_ROOT)) {
      const name = k.slice(HANDLES_ROOT.length);
      return name && !name.includes('/') ? { info: ipamKind('IPAMHandle'), name } : undefined;
    }
    return undefined;
  }
}

function ipamKind(kind: string): KindInfo {
  return KINDS.find((k) => k.kind === kind)!;
}
