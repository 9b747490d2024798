// What the agent refuses from the datastore. Another writer (etcdctl, a program on the embedded file) can
// store what our validation would have refused; the agent checks each object it receives against the same
// limits before the calculation sees it, and treats one that fails as missing (as Felix's validation
// filter does: "Validation failed; treating as missing"). Pure and linear in the object's size.
import type { Resource } from '../api/resource.ts';
import { MAX_LABELS, MAX_NETS_PER_SET } from '../api/validate/fields.ts';
import { UNREADABLE_ANNOTATION } from '../datastore/stored-value.ts';

export type RejectReason = 'oversize' | 'malformed' | 'too-many-labels' | 'invalid-label' | 'too-many-nets';

export interface Rejection {
  reason: RejectReason;
  /** One line for the log: what was wrong, with the offending value cut short. */
  detail: string;
}

const NETWORK_SET_KINDS = new Set(['NetworkSet', 'GlobalNetworkSet']);

function cut(s: string, max = 64): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

function labelsProblem(labels: unknown, field: string): Rejection | undefined {
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels !== 'object' || Array.isArray(labels)) return { reason: 'malformed', detail: `${field} is not a map` };
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > MAX_LABELS) return { reason: 'too-many-labels', detail: `${field} has ${entries.length} labels, over the limit of ${MAX_LABELS}` };
  // Only what the calculation cannot work with: the label syntax is the writer's business (a Kubernetes
  // service account name, up to 253 characters, becomes a label value on a WorkloadEndpoint).
  for (const [k, v] of entries) {
    if (typeof v !== 'string') return { reason: 'invalid-label', detail: `${field}["${cut(k)}"] is not a string` };
  }
  return undefined;
}

/** Why `obj` must not enter the calculation, or undefined when it may. */
export function checkReceived(obj: Resource): Rejection | undefined {
  const unreadable = obj.metadata.annotations?.[UNREADABLE_ANNOTATION];
  if (unreadable !== undefined) {
    return { reason: unreadable.startsWith('oversize') ? 'oversize' : 'malformed', detail: unreadable };
  }
  const labels = labelsProblem(obj.metadata.labels, 'metadata.labels');
  if (labels) return labels;
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (obj.kind === 'Profile' && spec) {
    const applied = labelsProblem(spec.labelsToApply, 'spec.labelsToApply');
    if (applied) return applied;
  }
  if (NETWORK_SET_KINDS.has(obj.kind) && spec && Array.isArray(spec.nets) && spec.nets.length > MAX_NETS_PER_SET) {
    return { reason: 'too-many-nets', detail: `spec.nets has ${spec.nets.length} entries, over the limit of ${MAX_NETS_PER_SET}` };
  }
  return undefined;
}
