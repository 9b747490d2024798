// The embedded datastore: one SQLite file (WAL mode) shared by every process on the machine — CNI
// invocations, node agents in their own network namespaces (same filesystem, so the same file), the CLI.
//
// Layout: `objects` holds the current value of every resource; `events` holds the change history that
// watches replay (bounded: older events are dropped and reported as Compacted); `meta` holds the one global
// revision counter and the compaction point. Every write is a BEGIN IMMEDIATE transaction that bumps the
// revision, writes the object and appends its event, so revisions are assigned in commit order and a reader
// that sees revision N sees every event up to N: watches are gap-free by construction.
//
// Cross-process change notification: SQLite has none, so each writer signals its commits on a file beside
// the database and each process that watches listens for that with inotify, and polls `PRAGMA data_version`
// as a safety net (embedded-notify.ts). Both only wake a check of the events table, so an idle watcher
// costs one cheap pragma per poll.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Resource } from '../api/resource.ts';
import { jittered } from '../clock.ts';
import { ChangeNotifier, CommitSignal, notifyPath } from './embedded-notify.ts';
import {
  alreadyExists, carryIdentity, checkName, checkWritable, conflict, effectiveNamespace,
  missingResourceVersion, notFound, requireKind, stampCreate,
} from './common.ts';
import { MAX_STORED_VALUE_BYTES, decodeStoredValue, oversizeReason, unreadableStub, type StoredIdentity } from './stored-value.ts';
import {
  DatastoreError, type Datastore, type ListOptions, type ListResult, type Revision, type WatchEvent,
  type WatchEventType, type WatchOptions, type Watcher,
} from './types.ts';

export interface EmbeddedOptions {
  /** Events kept for watch replay; older ones are dropped (a watch from before them gets Compacted). */
  historyLimit?: number;
  /** How long a writer waits for another process's transaction before giving up (ms). */
  busyTimeoutMs?: number;
  /** Poll interval for changes by other processes when inotify is unavailable or unreliable (ms). */
  pollIntervalMs?: number;
  /** Listen for other processes' commits with inotify (default true; false = poll only). */
  inotify?: boolean;
  /** The poll beside inotify that finds commits it did not report (ms; default 1000; tests lengthen it). */
  safetyNetPollMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', 1), ('revision', 0), ('compacted', 0);
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  mod_revision INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  revision INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL
);
`;

const PRUNE_EVERY = 256; // writes between history trims (a range delete on the primary key)
const WATCH_BATCH = 1000;

interface ObjectRow { mod_revision: number; value: string }
/** `value` is NULL when the stored value is over MAX_STORED_VALUE_BYTES (then `bytes`, `oname`, `ons` say what it was). */
interface EventRow { revision: number; type: WatchEventType; kind: string; value: string | null; bytes: number; oname: string | null; ons: string | null }
interface ListRow { namespace: string; name: string; mod_revision: number; value: string | null; bytes: number }

// SQLite measures a value and reads the identity out of an oversized one itself, so such a value never
// becomes a JavaScript string in a reader (see stored-value.ts).
const VALUE_BYTES = 'length(CAST(value AS BLOB))';
const VALUE_OR_NULL = `CASE WHEN ${VALUE_BYTES} > ${MAX_STORED_VALUE_BYTES} THEN NULL ELSE value END AS value, ${VALUE_BYTES} AS bytes`;
const OVERSIZE_IDENTITY = (field: string) =>
  `CASE WHEN ${VALUE_BYTES} > ${MAX_STORED_VALUE_BYTES} AND json_valid(value) THEN json_extract(value, '$.metadata.${field}') END`;

/** A stub carries the revision it was read at, so that a reader can tell one stored version from the next. */
function decodeRow(value: string | null, bytes: number, id: StoredIdentity, revision: number): Resource {
  const withRevision = (stub: Resource) => { stub.metadata.resourceVersion = String(revision); return stub; };
  return value === null ? withRevision(unreadableStub(id, oversizeReason(bytes))) : decodeStoredValue(value, () => id, withRevision);
}

/** SQLite's own wait for a lock (ms) before write() and read() take over. */
const LOCK_SPIN_MS = 2;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function isBusy(err: unknown): boolean {
  return sqliteCode(err)?.startsWith('SQLITE_BUSY') === true;
}

function sqliteCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}

export class EmbeddedDatastore implements Datastore {
  readonly type = 'embedded' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly historyLimit: number;
  private readonly pollIntervalMs: number;
  private readonly inotify: boolean;
  private readonly safetyNetPollMs: number | undefined;
  private readonly busyTimeoutMs: number;
  private readonly watches = new Set<EmbeddedWatch>();
  private notifier: ChangeNotifier | undefined;
  /** The events query per set of watched kinds (a handful: one per kind of watcher). */
  private readonly kindQueries = new Map<string, Database.Statement<[number, number, number], EventRow>>();
  private readonly commitSignal: CommitSignal;
  private closed = false;

  private readonly stmt: {
    getMeta: Database.Statement<[string], { value: number }>;
    setMeta: Database.Statement<[number, string]>;
    getObject: Database.Statement<[string, string, string], ObjectRow>;
    putObject: Database.Statement<[string, string, string, number, string]>;
    deleteObject: Database.Statement<[string, string, string]>;
    insertEvent: Database.Statement<[number, string, string, string]>;
    pruneEvents: Database.Statement<[number]>;
    eventsAfter: Database.Statement<[number, number, number], EventRow>;
  };

  constructor(path: string, opts: EmbeddedOptions = {}) {
    this.path = resolve(path);
    this.historyLimit = opts.historyLimit ?? 20_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 20;
    this.inotify = opts.inotify ?? true;
    this.safetyNetPollMs = opts.safetyNetPollMs;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 10_000;
    this.commitSignal = new CommitSignal(this.path);
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      ownerOnly(this.path);
      this.db = new Database(this.path, { timeout: this.busyTimeoutMs });
    } catch (err) {
      throw new DatastoreError('Unavailable', `cannot open embedded datastore ${this.path}: ${(err as Error).message}`);
    }
    try {
      this.initSchema();
      // From here on SQLite itself waits at most LOCK_SPIN_MS for a lock; write() and read() do the rest.
      this.db.pragma(`busy_timeout = ${LOCK_SPIN_MS}`);
      this.stmt = {
        getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?'),
        setMeta: this.db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
        getObject: this.db.prepare('SELECT mod_revision, value FROM objects WHERE kind = ? AND namespace = ? AND name = ?'),
        putObject: this.db.prepare('INSERT OR REPLACE INTO objects (kind, namespace, name, mod_revision, value) VALUES (?, ?, ?, ?, ?)'),
        deleteObject: this.db.prepare('DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?'),
        insertEvent: this.db.prepare('INSERT INTO events (revision, type, kind, value) VALUES (?, ?, ?, ?)'),
        pruneEvents: this.db.prepare('DELETE FROM events WHERE revision <= ?'),
        eventsAfter: this.eventsQuery(undefined),
      };
    } catch (err) {
      this.db.close();
      if (err instanceof DatastoreError) throw err;
      throw new DatastoreError('Unavailable', `cannot use embedded datastore ${this.path}: ${(err as Error).message}`);
    }
  }

  /**
   * WAL lets readers run while one process writes; NORMAL sync is durable across process crashes (the
   * only kind a CNI invocation or agent restart causes). Many processes may open a fresh file at once,
   * so the one-time switch to WAL and the schema creation retry while another process holds the lock.
   */
  private initSchema(): void {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        if (!this.hasSchema()) this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
        return;
      } catch (err) {
        if (sqliteCode(err) !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        Atomics.wait(SLEEPER, 0, 0, 20); // brief synchronous back-off
      }
    }
  }

  /** Whether the file is already set up: opening then takes no write lock (CNI invocations open it often). */
  private hasSchema(): boolean {
    const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    return table !== undefined && this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() !== undefined;
  }

  private meta(key: 'revision' | 'compacted'): number {
    return this.stmt.getMeta.get(key)!.value;
  }

  /**
   * Runs `fn` as one exclusive write transaction; SQLite failures become Unavailable with the file named.
   * Another process's write lock is waited for here, not in SQLite: its busy handler sleeps in steps that grow
   * to 100 ms with the event loop stopped, so with many processes writing (a lab's agents serving ADDs) a
   * writer slept long past the lock's release. Here the attempt is retried after 1 ms doubling to 8 ms
   * (jittered) while the process goes on with other work, until busyTimeoutMs.
   */
  private async write<T>(fn: () => T): Promise<T> {
    this.checkOpen();
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 8)) {
      try {
        const result = this.db.transaction(fn).immediate();
        this.commitSignal.committed();
        this.notifier?.localChange();
        return result;
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw this.wrap(err, 'write to');
      }
      await new Promise((r) => setTimeout(r, jittered(wait)));
      this.checkOpen();
    }
  }

  /** A read waits for a lock only during a checkpoint or recovery (WAL): briefly, in place. */
  private read<T>(fn: () => T): T {
    this.checkOpen();
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        return this.db.transaction(fn).deferred();
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw this.wrap(err, 'read');
        Atomics.wait(SLEEPER, 0, 0, 1);
      }
    }
  }

  private wrap(err: unknown, what: string): DatastoreError {
    if (err instanceof DatastoreError) return err;
    const code = sqliteCode(err);
    const hint = code === 'SQLITE_BUSY' ? ' (another process held the database lock too long)' : '';
    return new DatastoreError('Unavailable', `cannot ${what} embedded datastore ${this.path}: ${(err as Error).message}${hint}`);
  }

  private checkOpen(): void {
    if (this.closed) throw new DatastoreError('Unavailable', `embedded datastore ${this.path} is closed`);
  }

  /** Appends the event for a write at `rev`, advances the revision, and trims old history now and then. */
  /** Writes `stored` at the next revision (inside a write transaction) and records the watch event. */
  private put(stored: Resource, ns: string, type: 'added' | 'modified'): Resource {
    const rev = this.meta('revision') + 1;
    stored.metadata.resourceVersion = String(rev);
    const value = JSON.stringify(stored);
    this.stmt.putObject.run(stored.kind, ns, stored.metadata.name, rev, value);
    this.record(rev, type, stored.kind, value);
    return stored;
  }

  private record(rev: number, type: WatchEventType, kind: string, value: string): void {
    this.stmt.insertEvent.run(rev, type, kind, value);
    this.stmt.setMeta.run(rev, 'revision');
    if (rev % PRUNE_EVERY === 0 && rev > this.historyLimit) {
      const dropTo = rev - this.historyLimit;
      if (dropTo > this.meta('compacted')) {
        this.stmt.pruneEvents.run(dropTo);
        this.stmt.setMeta.run(dropTo, 'compacted');
      }
    }
  }

  async get(kind: string, name: string, namespace?: string): Promise<Resource | undefined> {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const row = this.read(() => this.stmt.getObject.get(kind, effectiveNamespace(info, namespace) ?? '', name));
    if (!row) return undefined;
    return decodeStoredValue(row.value, () => ({ kind, name, namespace: effectiveNamespace(info, namespace) }), (stub) => {
      stub.metadata.resourceVersion = String(row.mod_revision);
      return stub;
    });
  }

  async list(kind: string, opts: ListOptions = {}): Promise<ListResult> {
    const info = requireKind(kind);
    const ns = effectiveNamespace(info, opts.namespace);
    let sql = `SELECT namespace, name, mod_revision, ${VALUE_OR_NULL} FROM objects WHERE kind = ?`;
    const args: (string | number)[] = [kind];
    if (ns !== undefined) { sql += ' AND namespace = ?'; args.push(ns); }
    if (opts.namePrefix) { sql += ' AND substr(name, 1, length(?)) = ?'; args.push(opts.namePrefix, opts.namePrefix); }
    sql += ' ORDER BY namespace, name';
    return this.read(() => {
      const rows = this.db.prepare<(string | number)[], ListRow>(sql).all(...args);
      return { items: rows.map((r) => decodeRow(r.value, r.bytes, { kind, name: r.name, namespace: r.namespace }, r.mod_revision)), revision: this.meta('revision') };
    });
  }

  async create(obj: Resource): Promise<Resource> {
    checkWritable(obj);
    const { kind } = obj;
    const { name } = obj.metadata;
    const ns = obj.metadata.namespace ?? '';
    const stored = stampCreate(obj);
    return this.write(() => {
      if (this.stmt.getObject.get(kind, ns, name)) throw alreadyExists(kind, name, obj.metadata.namespace);
      return this.put(stored, ns, 'added');
    });
  }

  async update(obj: Resource): Promise<Resource> {
    checkWritable(obj);
    const { kind } = obj;
    const { name, namespace, resourceVersion } = obj.metadata;
    const ns = namespace ?? '';
    return this.write(() => {
      const cur = this.stmt.getObject.get(kind, ns, name);
      if (!cur) throw notFound(kind, name, namespace);
      if (resourceVersion === undefined || resourceVersion === '') throw missingResourceVersion(kind, name, namespace);
      if (String(cur.mod_revision) !== resourceVersion) throw conflict(kind, name, namespace, resourceVersion, cur.mod_revision);
      const stored = carryIdentity(obj, JSON.parse(cur.value) as Resource);
      return this.put(stored, ns, 'modified');
    });
  }

  async delete(kind: string, name: string, namespace?: string, resourceVersion?: string): Promise<Resource> {
    const info = requireKind(kind);
    checkName(info, name, namespace);
    const ns = effectiveNamespace(info, namespace);
    return this.write(() => {
      const cur = this.stmt.getObject.get(kind, ns ?? '', name);
      if (!cur) throw notFound(kind, name, ns);
      if (resourceVersion !== undefined && String(cur.mod_revision) !== resourceVersion) {
        throw conflict(kind, name, ns, resourceVersion, cur.mod_revision);
      }
      this.stmt.deleteObject.run(kind, ns ?? '', name);
      this.record(this.meta('revision') + 1, 'deleted', kind, cur.value);
      return JSON.parse(cur.value) as Resource;
    });
  }

  async revision(): Promise<Revision> {
    return this.read(() => this.meta('revision'));
  }

  /** Drops watch history up to and including `rev` (what the retention limit does by itself). For tests and maintenance. */
  async compact(rev: Revision): Promise<void> {
    await this.write(() => {
      const target = Math.min(rev, this.meta('revision'));
      if (target <= this.meta('compacted')) return;
      this.stmt.pruneEvents.run(target);
      this.stmt.setMeta.run(target, 'compacted');
    });
  }

  watch(opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError: (err: DatastoreError) => void): Watcher {
    this.checkOpen();
    const w = new EmbeddedWatch(this, opts, onEvent, onError);
    this.watches.add(w);
    this.notifier ??= new ChangeNotifier(this.db, this.path, { fastPollMs: this.pollIntervalMs, safetyNetPollMs: this.safetyNetPollMs, inotify: this.inotify }, () => this.pumpAll());
    setImmediate(() => w.pump());
    return w;
  }

  /** @internal Called by a watch when it ends. */
  forget(w: EmbeddedWatch): void {
    this.watches.delete(w);
    if (this.watches.size === 0 && this.notifier) {
      this.notifier.stop();
      this.notifier = undefined;
    }
  }

  private pumpAll(): void {
    for (const w of [...this.watches]) w.pump();
  }

  /** Events in (after, head], up to a limit; of the given kinds only (as SQL literals: the kinds are ours). */
  private eventsQuery(kinds: ReadonlySet<string> | undefined): Database.Statement<[number, number, number], EventRow> {
    const only = kinds ? ` AND kind IN (${[...kinds].map((k) => `'${k.replace(/'/g, "''")}'`).join(', ')})` : '';
    return this.db.prepare(`SELECT revision, type, kind, ${VALUE_OR_NULL}, ${OVERSIZE_IDENTITY('name')} AS oname, ${OVERSIZE_IDENTITY('namespace')} AS ons
      FROM events WHERE revision > ? AND revision <= ?${only} ORDER BY revision LIMIT ?`);
  }

  /**
   * @internal One consistent read of the events after `after`: the compaction point, the head revision,
   * and up to WATCH_BATCH events in (after, head], of `kinds` only when given. The kinds are filtered in
   * SQL: every pod's IPAM handle is an event no agent reads, and decoding it 50 times over was waste.
   */
  readEvents(after: number, kinds?: ReadonlySet<string>): { compacted: number; head: number; rows: EventRow[] } {
    let stmt = this.stmt.eventsAfter;
    if (kinds) {
      const key = [...kinds].sort().join(',');
      stmt = this.kindQueries.get(key) ?? this.kindQueries.set(key, this.eventsQuery(kinds)).get(key)!;
    }
    return this.read(() => {
      const compacted = this.meta('compacted');
      const head = this.meta('revision');
      const rows = after < compacted ? [] : stmt.all(after, head, WATCH_BATCH);
      return { compacted, head, rows };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const w of [...this.watches]) w.stop();
    this.closed = true;
    this.commitSignal.close();
    this.db.close();
  }
}

/** One watch: delivers events after `scanned` in revision order, woken by the store's ChangeNotifier. */
class EmbeddedWatch implements Watcher {
  private scanned: number;
  private stopped = false;
  private pumping = false;
  private readonly kinds: Set<string> | undefined;

  constructor(
    private readonly store: EmbeddedDatastore,
    opts: WatchOptions,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError: (err: DatastoreError) => void,
  ) {
    this.scanned = opts.fromRevision;
    this.kinds = opts.kinds ? new Set(opts.kinds) : undefined;
  }

  pump(): void {
    if (this.stopped || this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        let batch: ReturnType<EmbeddedDatastore['readEvents']>;
        try {
          batch = this.store.readEvents(this.scanned, this.kinds);
        } catch (err) {
          this.fail(err instanceof DatastoreError ? err : new DatastoreError('Unavailable', `watch failed: ${(err as Error).message}`));
          return;
        }
        const { compacted, head, rows } = batch;
        if (this.scanned < compacted) {
          this.fail(new DatastoreError('Compacted', `revision ${this.scanned} has been compacted (history starts after ${compacted})`, compacted + 1));
          return;
        }
        for (const row of rows) {
          this.scanned = row.revision;
          if (this.kinds && !this.kinds.has(row.kind)) continue;
          // A callback that throws is the caller's bug: it propagates (as with every backend), the watch stays consistent.
          const object = decodeRow(row.value, row.bytes, { kind: row.kind, name: row.oname ?? '', namespace: row.ons ?? undefined }, row.revision);
          this.onEvent({ type: row.type, kind: row.kind, object, revision: row.revision });
          if (this.stopped) return;
        }
        if (rows.length < WATCH_BATCH) {
          this.scanned = Math.max(this.scanned, head);
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private fail(err: DatastoreError): void {
    if (this.stopped) return;
    this.stop();
    this.onError(err);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.store.forget(this);
  }
}

/**
 * The file holds the whole cluster's state (and, in time, secrets): readable by its owner only. A new file
 * is created 0600; SQLite creates the -wal and -shm files with the database file's mode. Files left
 * group- or world-readable by an earlier version are narrowed.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`, notifyPath(path)]) {
    if (!existsSync(f)) continue;
    const mode = statSync(f).mode & 0o777;
    if (mode & 0o077) {
      try { chmodSync(f, mode & 0o700); } catch { /* not ours to change (read-only mount, another owner): leave it */ }
    }
  }
}
