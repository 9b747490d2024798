// The v3 resource envelope shared by every component. Objects are stored and exchanged exactly in
// Calico's `projectcalico.org/v3` shape so YAML written for calicoctl works unchanged with `tabby`.

export const API_VERSION = 'projectcalico.org/v3';

/**
 * The largest resource accepted, as JSON: etcd's default request limit (--max-request-bytes, 1.5 MiB),
 * which also bounds Kubernetes objects. Validation refuses bigger ones; readers do not decode them.
 */
export const MAX_RESOURCE_BYTES = 1.5 * 1024 * 1024;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  /** Datastore revision of the last write, as a decimal string (opaque to clients; used for compare-and-swap). */
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Resource<Spec = any> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: unknown;
}

/** A stable textual identity for logs and maps: `Kind(ns/name)` or `Kind(name)`. */
export function resourceId(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}(${namespace}/${name})` : `${kind}(${name})`;
}

/** A pod's named container port, as Calico's Kubernetes conversion keeps it on the WorkloadEndpoint (spec.ports). */
export interface PodPort { name: string; port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }

/** One object's change as a watcher sees it: its version before and after (undefined: absent, or deleted). */
export interface ResourceChange { old?: Resource | undefined; now?: Resource | undefined }
