// Datastore → in-memory Snapshot, Felix-syncer style: list every kind the agent reads, then watch from the
// list's revision. A Compacted or Unavailable watch error ends the watch; the syncer re-lists after a
// backoff and replaces the snapshot wholesale (deletions during the gap are thereby seen). Status:
// 'wait-for-ready' → 'resync' → 'in-sync'; consumers act only once in sync (Felix writes nothing before).
import { EventEmitter } from 'node:events';
import type { Datastore, Revision, Watcher } from '../datastore/types.ts';
import { jittered, realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { AGENT_KINDS, Snapshot, keyOf } from './calc/snapshot.ts';
import { checkReceived, type RejectReason } from './received-limits.ts';
import type { Resource, ResourceChange } from '../api/resource.ts';
import type { BgpResourceSource } from '../bgp/node-integration.ts';
import { BGP_KINDS } from '../bgp/kinds.ts';

export type SyncStatus = 'wait-for-ready' | 'resync' | 'in-sync';

export interface SyncerEvents {
  /**
   * The snapshot changed: after in-sync once per delivered event, with its kind; after a (re)list once, with
   * no kind (anything may have changed).
   */
  changed: [kind?: string, change?: ResourceChange];
  status: [SyncStatus];
  /** An object was refused (received-limits.ts) and treated as missing; once per object version. */
  rejected: [kind: string, reason: RejectReason];
}

export interface SyncerOptions {
  /** Kinds to list and watch (default: what the agent's calculation reads). */
  kinds?: readonly string[];
  /** Re-list backoff cap; the backoff starts at 200 ms and doubles. */
  maxBackoffMs?: number;
  clock?: Clock;
  /** Source of the retry jitter (tests fix it). */
  random?: () => number;
}

export class Syncer extends EventEmitter<SyncerEvents> {
  readonly snapshot: Snapshot;
  status: SyncStatus = 'wait-for-ready';
  eventsReceived = 0;
  resyncs = 0;
  lastError: string | undefined;
  private watcher: Watcher | undefined;
  private stopped = false;
  private retryTimer: TimerHandle | undefined;
  private backoffMs = 200;
  /** kind/ns/name → resourceVersion of the refused objects already reported (one log line each). */
  private readonly reported = new Map<string, string>();
  readonly kinds: readonly string[];
  private readonly maxBackoffMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly ds: Datastore, private readonly log: Logger, opts: SyncerOptions = {}) {
    super();
    this.kinds = opts.kinds ?? AGENT_KINDS;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.snapshot = new Snapshot(this.kinds);
  }

  start(): void { void this.resync(); }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.watcher = undefined;
    this.clock.clear(this.retryTimer);
  }

  private setStatus(s: SyncStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.emit('status', s);
  }

  private async resync(): Promise<void> {
    if (this.stopped) return;
    this.resyncs++;
    this.setStatus('resync');
    let revision: Revision = 0;
    try {
      const lists = await Promise.all(this.kinds.map((k) => this.ds.list(k)));
      // Each list reports the revision it reflects; watching from the smallest replays anything the others
      // already include, which is harmless (set() skips identical resourceVersions).
      revision = Math.min(...lists.map((l) => l.revision));
      this.kinds.forEach((k, i) => this.snapshot.replaceKind(k, lists[i]!.items.filter((r) => this.admit(r))));
    } catch (e) {
      this.lastError = (e as Error).message;
      this.log.warn({ err: this.lastError, retryMs: this.backoffMs }, 'datastore list failed; retrying');
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    this.backoffMs = 200;
    this.lastError = undefined;
    this.watcher = this.ds.watch({ kinds: [...this.kinds], fromRevision: revision }, (ev) => {
      this.eventsReceived++;
      // A refused object is treated as missing: any earlier version of it leaves the calculation too.
      const old = this.snapshot.get(ev.kind, ev.object.metadata.name, ev.object.metadata.namespace);
      const gone = ev.type === 'deleted' || !this.admit(ev.object);
      const changed = gone ? this.snapshot.delete(ev.object) : this.snapshot.set(ev.object);
      if (changed && this.status === 'in-sync') this.emit('changed', ev.kind, { old, now: gone ? undefined : ev.object });
    }, (err) => {
      this.lastError = err.message;
      this.log.warn({ code: err.code, err: err.message }, 'datastore watch ended; re-listing');
      this.watcher = undefined;
      this.scheduleRetry(err.code === 'Compacted' ? 0 : undefined);
    });
    this.setStatus('in-sync');
    this.emit('changed');
  }

  /** This syncer as the BGP speaker's source of resources (one datastore watch per node for both). */
  asSource(): BgpResourceSource {
    return {
      items: (kind) => this.snapshot.items(kind),
      // Only BGP's own kinds wake it: most events (workload endpoints, policy) are none of its business.
      subscribe: (cb) => {
        const relevant = new Set<string>(BGP_KINDS);
        const onChanged = (kind?: string, change?: ResourceChange) => { if (kind === undefined || relevant.has(kind)) cb(kind, change); };
        this.on('changed', onChanged);
        return () => { this.off('changed', onChanged); };
      },
      ready: () => new Promise((resolve) => {
        if (this.status === 'in-sync') { resolve(); return; }
        const onStatus = (s: SyncStatus) => { if (s === 'in-sync') { this.off('status', onStatus); resolve(); } };
        this.on('status', onStatus);
      }),
    };
  }

  /** Whether `r` may enter the calculation; a refusal is logged and counted once per object version. */
  private admit(r: Resource): boolean {
    const rejection = checkReceived(r);
    const key = `${r.kind}/${keyOf(r)}`;
    if (!rejection) {
      this.reported.delete(key);
      return true;
    }
    const version = r.metadata.resourceVersion ?? '';
    if (this.reported.get(key) !== version) {
      this.reported.set(key, version);
      this.log.warn({ kind: r.kind, name: r.metadata.name, namespace: r.metadata.namespace, resourceVersion: version, reason: rejection.reason, detail: rejection.detail },
        'datastore resource rejected; treating it as missing');
      this.emit('rejected', r.kind, rejection.reason);
    }
    return false;
  }

  private scheduleRetry(delay = this.backoffMs): void {
    if (this.stopped) return;
    this.setStatus('resync');
    // Jittered (a Compacted watch re-lists at once): every node re-lists after the same outage, not all at once.
    this.retryTimer = this.clock.setTimeout(() => void this.resync(), delay === 0 ? 0 : jittered(delay, this.random));
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
  }
}
