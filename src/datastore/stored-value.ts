// Decoding what is stored, defensively: a value may come from a writer that never ran our validation (an
// etcdctl put, another program on the embedded file). One too big to be a resource is not decoded at all
// (a 10 MB value would cost its parse and everything built on it in every reader); one that is not JSON
// does not end a list or a watch. Either becomes a stub that keeps the object's identity (so it can be
// seen, deleted, and treated as missing by the agent) and says what was wrong in an annotation.
import { API_VERSION, MAX_RESOURCE_BYTES, type Resource } from '../api/resource.ts';

/** Room over the resource limit for what a write adds (uid, creationTimestamp). */
export const MAX_STORED_VALUE_BYTES = MAX_RESOURCE_BYTES + 64 * 1024;

/** On a stub: why the stored value was not decoded. */
export const UNREADABLE_ANNOTATION = 'tabby.dev/unreadable';

export interface StoredIdentity { kind: string; name: string; namespace?: string | undefined }

export function unreadableStub(id: StoredIdentity, why: string): Resource {
  return {
    apiVersion: API_VERSION,
    kind: id.kind,
    metadata: { name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}), annotations: { [UNREADABLE_ANNOTATION]: why } },
  };
}

export function oversizeReason(bytes: number): string {
  return `oversize: the stored value is ${bytes} bytes, over the ${MAX_STORED_VALUE_BYTES}-byte limit`;
}

/**
 * The resource in `value`, or a stub when it is over the limit or not a JSON object. `id` is asked only
 * then, and `finishStub` may add what the caller knows (the revision it was read at).
 */
export function decodeStoredValue(value: Buffer | string, id: () => StoredIdentity, finishStub: (stub: Resource) => Resource = (s) => s): Resource {
  const bytes = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (bytes > MAX_STORED_VALUE_BYTES) return finishStub(unreadableStub(id(), oversizeReason(bytes)));
  let obj: unknown;
  try {
    obj = JSON.parse(typeof value === 'string' ? value : value.toString());
  } catch (e) {
    return finishStub(unreadableStub(id(), `malformed: the stored value is not JSON (${(e as Error).message})`));
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj) || !('metadata' in obj) || typeof obj.metadata !== 'object' || obj.metadata === null) {
    return finishStub(unreadableStub(id(), 'malformed: the stored value is not a resource (no metadata)'));
  }
  return obj as Resource;
}
