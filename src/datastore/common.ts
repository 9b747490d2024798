// Rules every persistent backend applies the same way: which objects can be stored (a known kind, a usable
// name, namespace only on namespaced kinds), what a create stamps, and how errors are worded.
import { randomUUID } from 'node:crypto';
import type { Resource } from '../api/resource.ts';
import { kindInfo, type KindInfo } from '../api/kinds.ts';
import { DatastoreError } from './types.ts';

/** `IPPool "pool1"` or `WorkloadEndpoint "ns1/wep1"`, for error messages. */
export function describeObject(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind} "${namespace}/${name}"` : `${kind} "${name}"`;
}

/** The kind's registry entry; Invalid for a kind Tabby does not know (the etcd key layout needs its plural). */
export function requireKind(kind: string): KindInfo {
  const info = kindInfo(kind);
  if (!info) throw new DatastoreError('Invalid', `unknown resource kind "${kind}"`);
  return info;
}

/**
 * Checks the identity of an object about to be written and returns its kind info. Names end up in etcd
 * keys and file rows, so they must be non-empty and free of '/'; namespaced kinds need a namespace and
 * cluster-scoped kinds must not have one (the same object would otherwise have two identities).
 */
export function checkWritable(obj: Resource): KindInfo {
  if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata !== 'object') {
    throw new DatastoreError('Invalid', 'object has no metadata');
  }
  const info = requireKind(obj.kind);
  const { name, namespace } = obj.metadata;
  checkName(info, name, namespace);
  if (info.namespaced && !namespace) {
    throw new DatastoreError('Invalid', `${describeObject(obj.kind, name)} is namespaced: metadata.namespace is required`);
  }
  if (!info.namespaced && namespace) {
    throw new DatastoreError('Invalid', `${obj.kind} is cluster-scoped: ${describeObject(obj.kind, name, namespace)} must not set metadata.namespace`);
  }
  return info;
}

/** Validates a name (and namespace) used to address an object. */
export function checkName(info: KindInfo, name: string, namespace?: string): void {
  if (typeof name !== 'string' || name === '') throw new DatastoreError('Invalid', `${info.kind} needs a non-empty metadata.name`);
  if (name.includes('/')) throw new DatastoreError('Invalid', `${info.kind} name "${name}" must not contain "/"`);
  if (namespace !== undefined && namespace.includes('/')) {
    throw new DatastoreError('Invalid', `namespace "${namespace}" must not contain "/"`);
  }
}

/** Cluster-scoped kinds ignore a namespace given to get/delete/list (as calicoctl does). */
export function effectiveNamespace(info: KindInfo, namespace: string | undefined): string | undefined {
  return info.namespaced ? namespace || undefined : undefined;
}

/** RFC 3339 at second precision, as Kubernetes and Calico write creationTimestamp. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A copy of `obj` with uid and creationTimestamp filled in when the caller did not supply them (imports keep theirs). */
export function stampCreate(obj: Resource): Resource {
  const copy = structuredClone(obj);
  copy.metadata.uid ||= randomUUID();
  copy.metadata.creationTimestamp ||= nowTimestamp();
  return copy;
}

/** A copy of `obj` that keeps the stored object's uid and creationTimestamp (they never change on update). */
export function carryIdentity(obj: Resource, stored: Resource): Resource {
  const copy = structuredClone(obj);
  if (stored.metadata.uid !== undefined) copy.metadata.uid = stored.metadata.uid;
  if (stored.metadata.creationTimestamp !== undefined) copy.metadata.creationTimestamp = stored.metadata.creationTimestamp;
  return copy;
}

export function notFound(kind: string, name: string, namespace?: string): DatastoreError {
  return new DatastoreError('NotFound', `${describeObject(kind, name, namespace)} not found`);
}

export function alreadyExists(kind: string, name: string, namespace?: string): DatastoreError {
  return new DatastoreError('AlreadyExists', `${describeObject(kind, name, namespace)} already exists`);
}

export function conflict(kind: string, name: string, namespace: string | undefined, have: string, store: number | string): DatastoreError {
  return new DatastoreError('Conflict', `${describeObject(kind, name, namespace)} was modified (have resourceVersion ${have}, store ${store})`);
}

export function missingResourceVersion(kind: string, name: string, namespace?: string): DatastoreError {
  return new DatastoreError('Invalid', `update of ${describeObject(kind, name, namespace)} needs metadata.resourceVersion`);
}

/** Byte-order comparison (what etcd and SQLite's BINARY collation use), for sorting lists. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
