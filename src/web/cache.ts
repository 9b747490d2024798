// The resources the page draws, kept current by one datastore watch: list every kind, watch from the list's
// revision; a watch error (compaction, datastore down) re-lists after a backoff and replaces the lot, so a
// deletion during the gap is seen too. 'changed' fires after each delivered event and after each re-list.
import { EventEmitter } from 'node:events';
import type { Resource } from '../api/resource.ts';
import type { Datastore, Watcher } from '../datastore/types.ts';
import { POLICY_KINDS } from '../policy/manager.ts';

export const WEB_KINDS: readonly string[] = [...new Set([...POLICY_KINDS, 'IPAMBlock', 'BGPPeer', 'BGPConfiguration'])];

const key = (kind: string, name: string, ns?: string) => `${kind}/${ns ?? ''}/${name}`;

export class ResourceCache extends EventEmitter<{ changed: []; error: [string] }> {
  private readonly byKind = new Map<string, Map<string, Resource>>();
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private backoffMs = 200;
  /** The last datastore error, until the next successful list. */
  lastError: string | undefined;
  synced = false;

  constructor(private readonly ds: Datastore, readonly kinds: readonly string[] = WEB_KINDS) { super(); }

  items(kind: string): Iterable<Resource> { return this.byKind.get(kind)?.values() ?? []; }
  list(kind: string): Resource[] { return [...this.items(kind)]; }

  start(): void { void this.resync(); }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    if (this.timer) clearTimeout(this.timer);
  }

  private async resync(): Promise<void> {
    if (this.stopped) return;
    try {
      const lists = await Promise.all(this.kinds.map(async (k) => [k, await this.ds.list(k)] as const));
      const revision = lists.reduce((m, [, l]) => Math.max(m, Number(l.revision)), 0);
      this.byKind.clear();
      for (const [k, l] of lists) this.byKind.set(k, new Map(l.items.map((r) => [key(k, r.metadata.name, r.metadata.namespace), r])));
      this.synced = true;
      this.lastError = undefined;
      this.backoffMs = 200;
      this.emit('changed');
      // Lists of different kinds may be at different revisions: watch from the oldest and skip, per kind,
      // what its own list already reflects.
      const listedAt = new Map(lists.map(([k, l]) => [k, Number(l.revision)]));
      const from = Math.min(revision, ...listedAt.values());
      this.watcher = this.ds.watch({ kinds: [...this.kinds], fromRevision: from }, (ev) => {
        if (Number(ev.revision) <= (listedAt.get(ev.kind) ?? 0)) return;
        const m = this.byKind.get(ev.kind) ?? new Map<string, Resource>();
        this.byKind.set(ev.kind, m);
        const k = key(ev.kind, ev.object.metadata.name, ev.object.metadata.namespace);
        if (ev.type === 'deleted') m.delete(k); else m.set(k, ev.object);
        this.emit('changed');
      }, (err) => this.retry(err.message));
    } catch (e) {
      this.retry((e as Error).message);
    }
  }

  private retry(message: string): void {
    this.watcher?.stop();
    this.watcher = undefined;
    this.lastError = message;
    this.emit('error', message);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.resync(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }
}
