// The one datastore interface every component uses (CLI, IPAM, CNI, node agent, BGP config).
// Backends store whole v3 resources and know nothing of their semantics: validation and defaulting
// happen in src/api before a write. Every write bumps one global, monotonic revision; a resource's
// metadata.resourceVersion is the revision of its last write, and update/delete compare-and-swap on it.

import type { Resource } from '../api/resource.ts';
import { TabbyError } from '../errors.ts';

export type Revision = number;

export interface ListOptions {
  /** Only objects in this namespace (namespaced kinds). Omitted: all namespaces. */
  namespace?: string;
  /** Only objects whose name starts with this prefix. */
  namePrefix?: string;
}

export interface ListResult {
  items: Resource[];
  /** The store revision the list reflects; watch from here to see every later change. */
  revision: Revision;
}

export type WatchEventType = 'added' | 'modified' | 'deleted';

export interface WatchEvent {
  type: WatchEventType;
  kind: string;
  /** For 'deleted', the object as it was before deletion. */
  object: Resource;
  /** Revision of this change; strictly increasing across all events of one watch. */
  revision: Revision;
}

export interface WatchOptions {
  /** Kinds to watch; omitted = all kinds. */
  kinds?: string[];
  /** Deliver every change with revision > fromRevision, in revision order, with no gaps. */
  fromRevision: Revision;
}

export interface Watcher {
  stop(): void;
}

export type DatastoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict' // compare-and-swap lost: resourceVersion mismatch
  | 'Compacted' // watch start revision no longer in history: re-list, then watch from the list's revision
  | 'Unavailable' // backend unreachable (etcd down, file unreadable)
  | 'Invalid';

export class DatastoreError extends TabbyError<DatastoreErrorCode> {
  constructor(
    override readonly code: DatastoreErrorCode,
    message: string,
    /** For Compacted: the oldest revision still available. */
    readonly compactRevision?: Revision,
  ) {
    super(code, message);
    this.name = 'DatastoreError';
  }
}

export function isDatastoreError(e: unknown, code?: DatastoreErrorCode): e is DatastoreError {
  return e instanceof DatastoreError && (code === undefined || e.code === code);
}

export interface Datastore {
  readonly type: 'embedded' | 'etcdv3';
  get(kind: string, name: string, namespace?: string): Promise<Resource | undefined>;
  list(kind: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with AlreadyExists. Sets resourceVersion, uid and creationTimestamp. */
  create(obj: Resource): Promise<Resource>;
  /** CAS on obj.metadata.resourceVersion (required): Conflict when stale, NotFound when absent. */
  update(obj: Resource): Promise<Resource>;
  /** With resourceVersion: CAS delete. Returns the deleted object. NotFound when absent. */
  delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource>;
  /** Events are delivered asynchronously in revision order; onError gets Compacted/Unavailable and ends the watch. */
  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void): Watcher;
  /** Current store revision. Also a cheap reachability check (Unavailable when the backend is down). */
  revision(): Promise<Revision>;
  close(): Promise<void>;
}
