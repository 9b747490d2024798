// The calculation's parsed views of datastore resources, kept per resource object. The snapshot replaces an
// object when it changes, so after one event a recalculation (or a relevance check) parses one resource, not
// every block and node again. Pure: a cache of pure functions, one per parser.
import type { Resource } from '../../api/resource.ts';
import { parseBlock, parseNode, parsePool, parseWorkload } from './model.ts';
import { vtepMacForNode } from './vtep-mac.ts';

function memoised<T>(parse: (r: Resource) => T): (r: Resource) => T {
  const cache = new WeakMap<Resource, T>();
  return (r) => {
    if (cache.has(r)) return cache.get(r) as T;
    const v = parse(r);
    cache.set(r, v);
    return v;
  };
}

export const parsedPool = memoised(parsePool);
/** A Node without vxlanTunnelMACAddr gets the MAC Felix derives from its name. */
export const parsedNode = memoised((r) => parseNode(r, (name) => vtepMacForNode(name)));
export const parsedBlock = memoised(parseBlock);
export const parsedWorkload = memoised(parseWorkload);
