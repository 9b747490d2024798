// An in-process datastore with the full interface semantics (global revision, CAS, ordered gap-free watch,
// compaction). It backs unit tests of every component and is the reference the real backends are tested against.
import { randomUUID } from 'node:crypto';
import type { Resource } from '../api/resource.ts';
import {
  DatastoreError, type Datastore, type ListOptions, type ListResult, type Revision, type WatchEvent,
  type WatchOptions, type Watcher,
} from './types.ts';
import { compareBytes } from './common.ts';

interface Entry { obj: Resource; modRevision: Revision }

function keyOf(kind: string, name: string, namespace?: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

export class MemoryDatastore implements Datastore {
  readonly type = 'embedded' as const;
  private rev: Revision = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly history: WatchEvent[] = [];
  private compacted: Revision = 0;
  private readonly watchers = new Set<(ev: WatchEvent) => void>();
  down = false; // tests flip this to simulate an unreachable backend

  constructor(private readonly historyLimit = 100_000) {}

  private check(): void {
    if (this.down) throw new DatastoreError('Unavailable', 'datastore unavailable (memory backend marked down)');
  }

  async get(kind: string, name: string, namespace?: string): Promise<Resource | undefined> {
    this.check();
    const e = this.entries.get(keyOf(kind, name, namespace));
    return e ? clone(e.obj) : undefined;
  }

  async list(kind: string, opts: ListOptions = {}): Promise<ListResult> {
    this.check();
    const items: Resource[] = [];
    for (const e of this.entries.values()) {
      const m = e.obj.metadata;
      if (e.obj.kind !== kind) continue;
      if (opts.namespace !== undefined && m.namespace !== opts.namespace) continue;
      if (opts.namePrefix && !m.name.startsWith(opts.namePrefix)) continue;
      items.push(clone(e.obj));
    }
    items.sort((a, b) => compareBytes(keyOf(a.kind, a.metadata.name, a.metadata.namespace), keyOf(b.kind, b.metadata.name, b.metadata.namespace)));
    return { items, revision: this.rev };
  }

  async create(obj: Resource): Promise<Resource> {
    this.check();
    const k = keyOf(obj.kind, obj.metadata.name, obj.metadata.namespace);
    if (this.entries.has(k)) throw new DatastoreError('AlreadyExists', `${obj.kind} "${obj.metadata.name}" already exists`);
    const stored = clone(obj);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= new Date().toISOString();
    return this.write(k, stored, 'added');
  }

  async update(obj: Resource): Promise<Resource> {
    this.check();
    const k = keyOf(obj.kind, obj.metadata.name, obj.metadata.namespace);
    const cur = this.entries.get(k);
    if (!cur) throw new DatastoreError('NotFound', `${obj.kind} "${obj.metadata.name}" not found`);
    if (obj.metadata.resourceVersion === undefined || obj.metadata.resourceVersion === '') {
      throw new DatastoreError('Invalid', `update of ${obj.kind} "${obj.metadata.name}" needs metadata.resourceVersion`);
    }
    if (String(cur.modRevision) !== obj.metadata.resourceVersion) {
      throw new DatastoreError('Conflict', `${obj.kind} "${obj.metadata.name}" was modified (have ${obj.metadata.resourceVersion}, store ${cur.modRevision})`);
    }
    const stored = clone(obj);
    // An update keeps the identity the store gave the object at create time, whatever the caller sent.
    const { uid, creationTimestamp } = cur.obj.metadata;
    if (uid === undefined) delete stored.metadata.uid;
    else stored.metadata.uid = uid;
    if (creationTimestamp === undefined) delete stored.metadata.creationTimestamp;
    else stored.metadata.creationTimestamp = creationTimestamp;
    return this.write(k, stored, 'modified');
  }

  async delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource> {
    this.check();
    const k = keyOf(kind, name, namespace);
    const cur = this.entries.get(k);
    if (!cur) throw new DatastoreError('NotFound', `${kind} "${name}" not found`);
    if (resourceVersion !== undefined && String(cur.modRevision) !== resourceVersion) {
      throw new DatastoreError('Conflict', `${kind} "${name}" was modified (have ${resourceVersion}, store ${cur.modRevision})`);
    }
    this.entries.delete(k);
    this.rev++;
    this.emit({ type: 'deleted', kind, object: clone(cur.obj), revision: this.rev });
    return clone(cur.obj);
  }

  private write(k: string, stored: Resource, type: 'added' | 'modified'): Resource {
    this.rev++;
    stored.metadata.resourceVersion = String(this.rev);
    this.entries.set(k, { obj: stored, modRevision: this.rev });
    this.emit({ type, kind: stored.kind, object: clone(stored), revision: this.rev });
    return clone(stored);
  }

  private emit(ev: WatchEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = dropped[dropped.length - 1]!.revision;
    }
    for (const w of this.watchers) w(ev);
  }

  /** Drop history up to and including `rev` (as etcd compaction does). */
  compact(rev: Revision): void {
    while (this.history.length && this.history[0]!.revision <= rev) this.history.shift();
    this.compacted = Math.max(this.compacted, rev);
  }

  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void): Watcher {
    const kinds = opts.kinds ? new Set(opts.kinds) : undefined;
    let stopped = false;
    const queue: WatchEvent[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      while (!stopped && queue.length) onEvent(queue.shift()!);
    };
    const push = (ev: WatchEvent) => {
      if (kinds && !kinds.has(ev.kind)) return;
      queue.push(clone(ev));
      if (!scheduled) { scheduled = true; queueMicrotask(flush); }
    };
    if (opts.fromRevision < this.compacted) {
      const err = new DatastoreError('Compacted', `revision ${opts.fromRevision} has been compacted`, this.compacted + 1);
      queueMicrotask(() => { if (!stopped) onError(err); });
      return { stop: () => { stopped = true; } };
    }
    for (const ev of this.history) if (ev.revision > opts.fromRevision) push(ev);
    const listener = (ev: WatchEvent) => push(ev);
    this.watchers.add(listener);
    return { stop: () => { stopped = true; this.watchers.delete(listener); } };
  }

  async revision(): Promise<Revision> {
    this.check();
    return this.rev;
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }
}
